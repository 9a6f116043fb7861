// The gateway contract: the values API Gateway applies before and around the authorizer, shared with the
// local gateway. Pure values, so these tests need no CDK.
import {
  DEFAULT_RESULTS_CACHE_TTL_SECONDS,
  GATEWAY_RESPONSES,
  IDENTITY_VALIDATION_EXPRESSION,
  MAX_RESULTS_CACHE_TTL_SECONDS,
  buildGatewayResponses,
  gatewayResponse,
  gatewayResponseBody,
  passesIdentityValidation,
  problemTypeUri,
} from '../../lambda/contract';

const JWT = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl_-';

describe('identity validation expression', () => {
  test.each([
    ['Bearer', `Bearer ${JWT}`],
    ['lower-case scheme', `bearer ${JWT}`],
    ['mixed-case scheme', `BeArEr ${JWT}`],
    ['several spaces (RFC 6750 1*SP)', `Bearer   ${JWT}`],
  ])('accepts %s', (_name, value) => {
    expect(passesIdentityValidation(value)).toBe(true);
  });

  test.each([
    ['missing header', undefined],
    ['empty header', ''],
    ['no scheme', JWT],
    ['Basic scheme', 'Basic YWxpY2U6c2VjcmV0'],
    ['scheme only', 'Bearer '],
    ['two parts', 'Bearer aaa.bbb'],
    ['four parts', 'Bearer aaa.bbb.ccc.ddd'],
    ['empty signature (alg none)', 'Bearer aaa.bbb.'],
    ['standard base64 characters', 'Bearer aa+a.bbb.cc/c'],
    ['padding', 'Bearer aaa.bbb.ccc='],
    ['two tokens', `Bearer ${JWT} ${JWT}`],
    ['trailing space', `Bearer ${JWT} `],
    ['leading space', ` Bearer ${JWT}`],
    ['tab separator', `Bearer\t${JWT}`],
    ['line break smuggling', `Bearer ${JWT}\nX-Evil: 1`],
  ])('rejects %s', (_name, value) => {
    expect(passesIdentityValidation(value)).toBe(false);
  });

  test('uses no inline flags, so Java (API Gateway) and JavaScript (local gateway) read it alike', () => {
    expect(IDENTITY_VALIDATION_EXPRESSION).not.toMatch(/\(\?[a-z]/);
    expect(IDENTITY_VALIDATION_EXPRESSION.startsWith('^')).toBe(true);
    expect(IDENTITY_VALIDATION_EXPRESSION.endsWith('$')).toBe(true);
  });
});

test('result cache TTL bounds are API Gateway’s', () => {
  expect(DEFAULT_RESULTS_CACHE_TTL_SECONDS).toBe(300);
  expect(MAX_RESULTS_CACHE_TTL_SECONDS).toBe(3600);
});

describe('gateway responses', () => {
  test.each([
    ['UNAUTHORIZED', 401, 'INVALID_TOKEN', { 'WWW-Authenticate': 'Bearer error="invalid_token"' }],
    ['ACCESS_DENIED', 403, 'INSUFFICIENT_SCOPE', { 'WWW-Authenticate': 'Bearer error="insufficient_scope"' }],
    ['AUTHORIZER_FAILURE', 503, 'AUTHORIZER_UNAVAILABLE', { 'Retry-After': '5' }],
    // What AWS answers when the Lambda authorizer throws (JWKS or DynamoDB down): retryable, not a bare 500.
    ['AUTHORIZER_CONFIGURATION_ERROR', 503, 'AUTHORIZER_UNAVAILABLE', { 'Retry-After': '5' }],
    ['MISSING_AUTHENTICATION_TOKEN', 404, 'ROUTE_NOT_FOUND', {}],
    ['BAD_REQUEST_BODY', 400, 'INVALID_BODY', {}],
    ['THROTTLED', 429, 'THROTTLED', { 'Retry-After': '1' }],
  ] as const)('%s answers %i with code %s', (type, status, code, extraHeaders) => {
    const response = gatewayResponse(type);
    expect(response.statusCode).toBe(status);
    expect(response.headers).toEqual({
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Allow-Headers': 'Authorization,Content-Type',
      'Access-Control-Expose-Headers': 'WWW-Authenticate,Retry-After',
      'Content-Type': 'application/problem+json',
      'Cache-Control': 'no-store',
      ...extraHeaders,
    });
    expect(response.body).toEqual({
      type: 'about:blank',
      title: expect.any(String),
      status,
      detail: expect.any(String),
      code,
    });
  });

  test.each(['DEFAULT_4XX', 'DEFAULT_5XX'] as const)(
    '%s keeps the underlying status and has no status member',
    (type) => {
      const response = gatewayResponse(type);
      expect(response.statusCode).toBeUndefined();
      expect(response.body).not.toHaveProperty('status');
      expect(response.headers['Content-Type']).toBe('application/problem+json');
    },
  );

  test('bodies are static JSON (no $ or # that API Gateway would read as template syntax)', () => {
    for (const response of GATEWAY_RESPONSES) {
      const body = gatewayResponseBody(response);
      expect(JSON.parse(body)).toEqual(response.body);
      expect(body).not.toMatch(/[$#]/);
    }
  });

  test('the CORS origin is configurable', () => {
    const responses = buildGatewayResponses({ allowOrigin: 'https://app.example.com' });
    expect(
      responses.every((r) => r.headers['Access-Control-Allow-Origin'] === 'https://app.example.com'),
    ).toBe(true);
  });

  test('an API with its own problem type URIs and CORS headers gets them on every response', () => {
    const responses = buildGatewayResponses({
      allowOrigin: 'https://app.example.com',
      corsAllowHeaders: ['Authorization', 'Idempotency-Key'],
      corsExposeHeaders: ['WWW-Authenticate', 'Retry-After', 'Location'],
      problemTypeBase: 'https://errors.example.com/',
    });
    expect(responses[0]?.body.type).toBe('https://errors.example.com/invalid-token');
    for (const { body } of responses) {
      expect(body.type).toBe(`https://errors.example.com/${body.code.toLowerCase().replaceAll('_', '-')}`);
    }
    for (const response of responses) {
      expect(response.headers).toMatchObject({
        'Access-Control-Allow-Origin': 'https://app.example.com',
        'Access-Control-Allow-Headers': 'Authorization,Idempotency-Key',
        'Access-Control-Expose-Headers': 'WWW-Authenticate,Retry-After,Location',
      });
    }
  });

  test('allowOrigin null sends no CORS header at all', () => {
    const responses = buildGatewayResponses({ allowOrigin: null, corsAllowHeaders: ['Authorization'] });
    for (const response of responses) {
      expect(Object.keys(response.headers).filter((name) => name.startsWith('Access-Control-'))).toEqual([]);
    }
  });

  test.each([
    ['INVALID_TOKEN', undefined, 'about:blank'],
    ['INVALID_TOKEN', 'tag:example.com,2026:problem:', 'tag:example.com,2026:problem:invalid-token'],
    ['AUTHORIZER_UNAVAILABLE', 'urn:example:', 'urn:example:authorizer-unavailable'],
  ])('problemTypeUri(%s, %s) is %s', (code, base, type) => {
    expect(problemTypeUri(code, base)).toBe(type);
  });

  test('asking for a type that is not customized is an error', () => {
    expect(() => gatewayResponse('UNAUTHORIZED', [])).toThrow(
      new RangeError('no gateway response of type UNAUTHORIZED'),
    );
  });
});
