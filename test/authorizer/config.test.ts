// parseConfig: every variable of the public contract, its default, and the error that names it.
import { ConfigError, parseConfig } from '../../lambda/authorizer';

const ROUTES = JSON.stringify([{ method: 'GET', path: '/items/{id}', scopes: ['items:read'] }]);
const base = { ISSUER: 'https://issuer.test/', AUDIENCE: 'api-a, api-b', ROUTES };

describe('parseConfig', () => {
  test('defaults', () => {
    const config = parseConfig(base);
    expect(config).toEqual({
      issuers: [
        {
          issuer: 'https://issuer.test/',
          audience: ['api-a', 'api-b'],
          // No JWKS_URI: OIDC discovery finds it at cold start.
          jwksUri: null,
        },
      ],
      routes: [{ method: 'GET', path: '/items/{id}', scopes: ['items:read'] }],
      tokenTypes: null,
      clockSkewSeconds: 30,
      maxTokenBytes: 8192,
      jwksTimeoutMs: 1500,
      // Warmed up at init only when Lambda runs the init ahead of traffic; AWS_LAMBDA_INITIALIZATION_TYPE unset.
      jwksWarmUp: 'auto',
      warmUpAtInit: false,
      logLevel: 'info',
      metricsNamespace: 'BearerGate',
      serviceName: 'authorizer',
      revocation: null,
      usageIdentifierClaim: null,
      jwksSeed: null,
      trustedCa: null,
      // No DPoP issuer required, proofs 60 s old at most, remembered per instance.
      dpop: { requiredIssuers: [], proofMaxAgeSeconds: 60, replayTable: null, nonces: null },
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.issuers[0])).toBe(true);
  });

  test('every optional variable', () => {
    const config = parseConfig({
      ...base,
      JWKS_URI: 'https://keys.test/jwks',
      ISSUERS: JSON.stringify([
        { issuer: 'https://other.test', audience: ['x'], jwksUri: 'https://other.test/k' },
      ]),
      COGNITO_USER_POOL_ID: 'eu-west-1_Abc123',
      COGNITO_CLIENT_ID: 'c1,c2',
      COGNITO_SCOPE_PREFIX: 'items-api/',
      TOKEN_TYPES: 'at+jwt, Application/AT+JWT',
      CLOCK_SKEW_SECONDS: '5',
      MAX_TOKEN_BYTES: '4096',
      LOG_LEVEL: 'ERROR',
      REVOCATION_TABLE: 'revocations',
      REVOCATION_REQUIRE_JTI: 'false',
      POWERTOOLS_METRICS_NAMESPACE: ' Payments/Auth ',
      POWERTOOLS_SERVICE_NAME: 'ItemsApi/Authorizer',
    });
    expect(config.issuers).toEqual([
      { issuer: 'https://issuer.test/', audience: ['api-a', 'api-b'], jwksUri: 'https://keys.test/jwks' },
      { issuer: 'https://other.test', audience: ['x'], jwksUri: 'https://other.test/k' },
      {
        issuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Abc123',
        alternateIssuers: ['https://issuer-cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Abc123'],
        audience: null,
        jwksUri: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Abc123/.well-known/jwks.json',
        cognitoClientIds: ['c1', 'c2'],
        scopePrefix: 'items-api/',
      },
    ]);
    expect(config.tokenTypes).toEqual(['at+jwt', 'at+jwt']);
    expect(config).toMatchObject({
      clockSkewSeconds: 5,
      maxTokenBytes: 4096,
      logLevel: 'error',
      metricsNamespace: 'Payments/Auth',
      serviceName: 'ItemsApi/Authorizer',
    });
    expect(config.revocation).toEqual({
      tableName: 'revocations',
      missingJti: 'subject-cutoff',
      endpoint: undefined,
    });
  });

  test('ISSUERS alone is enough, and an entry without jwksUri is left to OIDC discovery', () => {
    const config = parseConfig({
      ROUTES,
      ISSUERS: JSON.stringify([{ issuer: 'https://a.test', audience: 'x' }]),
    });
    expect(config.issuers).toEqual([{ issuer: 'https://a.test', audience: ['x'], jwksUri: null }]);
  });

  // JWKS_WARM_UP against the init type Lambda reports (AWS_LAMBDA_INITIALIZATION_TYPE), every pair: whether this
  // init fetches the keys before its first request. Never a SnapStart snapshot: a restore would serve its keys
  // however old.
  test.each<[string | undefined, string | undefined, 'auto' | 'init' | 'off', boolean]>([
    [undefined, undefined, 'auto', false],
    [undefined, 'on-demand', 'auto', false],
    [undefined, 'provisioned-concurrency', 'auto', true],
    [undefined, 'snap-start', 'auto', false],
    ['auto', undefined, 'auto', false],
    ['auto', 'on-demand', 'auto', false],
    ['auto', 'provisioned-concurrency', 'auto', true],
    ['auto', 'snap-start', 'auto', false],
    ['init', undefined, 'init', true],
    ['init', 'on-demand', 'init', true],
    ['init', 'provisioned-concurrency', 'init', true],
    ['init', 'snap-start', 'init', false],
    ['off', undefined, 'off', false],
    ['off', 'on-demand', 'off', false],
    ['off', 'provisioned-concurrency', 'off', false],
    ['off', 'snap-start', 'off', false],
    [' init ', 'provisioned-concurrency', 'init', true],
    ['', 'provisioned-concurrency', 'auto', true],
  ])(
    'JWKS_WARM_UP %p at an init of type %p: %s, warm-up at init %p',
    (mode, initialization, jwksWarmUp, warmUpAtInit) => {
      const config = parseConfig({
        ...base,
        ...(mode === undefined ? {} : { JWKS_WARM_UP: mode }),
        ...(initialization === undefined ? {} : { AWS_LAMBDA_INITIALIZATION_TYPE: initialization }),
      });
      expect({ jwksWarmUp: config.jwksWarmUp, warmUpAtInit: config.warmUpAtInit }).toEqual({
        jwksWarmUp,
        warmUpAtInit,
      });
    },
  );

  const bad: Array<[string, Record<string, string>, string]> = [
    ['no issuer at all', { ROUTES }, 'ISSUER: no trusted issuer'],
    ['ISSUER without AUDIENCE', { ISSUER: 'https://i.test', ROUTES }, 'AUDIENCE: is required with ISSUER'],
    [
      'AUDIENCE without ISSUER',
      { AUDIENCE: 'a', ROUTES },
      'ISSUER: is required when AUDIENCE or JWKS_URI is set',
    ],
    ['an empty AUDIENCE list', { ...base, AUDIENCE: ' , ' }, 'AUDIENCE: audience must be a non-empty string'],
    ['JWKS_URI over http', { ...base, JWKS_URI: 'http://keys.test/jwks' }, 'JWKS_URI: must use https'],
    ['JWKS_URI not a URL', { ...base, JWKS_URI: 'keys' }, 'JWKS_URI: must be an absolute https URL'],
    [
      'an http ISSUER (its JWKS URI left to discovery)',
      { ...base, ISSUER: 'http://i.test' },
      'ISSUER: must use https',
    ],
    ['ISSUERS not JSON', { ROUTES, ISSUERS: '[{' }, 'ISSUERS: must be valid JSON'],
    ['ISSUERS empty', { ROUTES, ISSUERS: '[]' }, 'ISSUERS: must be a non-empty JSON array'],
    ['ISSUERS entry not an object', { ROUTES, ISSUERS: '["x"]' }, 'ISSUERS: ISSUERS[0] must be an object'],
    [
      'ISSUERS unknown field',
      { ROUTES, ISSUERS: '[{"issuer":"https://a","audience":"x","aud":"y"}]' },
      'ISSUERS: ISSUERS[0] has unknown field(s): aud',
    ],
    ['ISSUERS no audience', { ROUTES, ISSUERS: '[{"issuer":"https://a"}]' }, 'ISSUERS: audience must be'],
    [
      'ISSUERS no issuer',
      { ROUTES, ISSUERS: '[{"audience":"x"}]' },
      'ISSUERS: ISSUERS[0].issuer must be a non-empty string',
    ],
    [
      'ISSUERS jwksUri not a string',
      { ROUTES, ISSUERS: '[{"issuer":"https://a","audience":"x","jwksUri":1}]' },
      'ISSUERS: ISSUERS[0].jwksUri must be a string',
    ],
    [
      'the same issuer twice',
      { ...base, ISSUERS: JSON.stringify([{ issuer: base.ISSUER, audience: 'x' }]) },
      'ISSUERS: issuer "https://issuer.test/" is configured more than once',
    ],
    [
      "AWS's own namespace",
      { ...base, POWERTOOLS_METRICS_NAMESPACE: 'AWS/Lambda' },
      'POWERTOOLS_METRICS_NAMESPACE: must be a CloudWatch namespace: 1 to 255 letters, digits, spaces or . _ - / # : @ + =, not starting with "AWS/"; got "AWS/Lambda"',
    ],
    [
      'a namespace with a quote',
      { ...base, POWERTOOLS_METRICS_NAMESPACE: 'a"b' },
      'POWERTOOLS_METRICS_NAMESPACE: must be a CloudWatch namespace',
    ],
    [
      'a namespace of 256 characters',
      { ...base, POWERTOOLS_METRICS_NAMESPACE: 'n'.repeat(256) },
      'POWERTOOLS_METRICS_NAMESPACE: must be a CloudWatch namespace',
    ],
    [
      'a service name that is not ASCII',
      { ...base, POWERTOOLS_SERVICE_NAME: 'café' },
      'POWERTOOLS_SERVICE_NAME: must be a service name: 1 to 255 letters, digits, spaces or . _ - / # : @ + =, not starting with "AWS/"; got "café"',
    ],
    [
      'a service name with a line break',
      { ...base, POWERTOOLS_SERVICE_NAME: 'a\nb' },
      'POWERTOOLS_SERVICE_NAME: must be a service name',
    ],
    [
      "a user pool's multi-Region issuer as another issuer",
      {
        ROUTES,
        COGNITO_USER_POOL_ID: 'eu-west-1_Abc123',
        COGNITO_CLIENT_ID: 'c',
        ISSUERS: JSON.stringify([
          { issuer: 'https://issuer-cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Abc123', audience: 'x' },
        ]),
      },
      'ISSUERS: issuer "https://issuer-cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Abc123" is configured more than once',
    ],
    [
      'COGNITO_CLIENT_ID alone',
      { ROUTES, COGNITO_CLIENT_ID: 'c' },
      'COGNITO_USER_POOL_ID: is required with COGNITO_CLIENT_ID',
    ],
    [
      'COGNITO_USER_POOL_ID alone',
      { ROUTES, COGNITO_USER_POOL_ID: 'eu-west-1_A' },
      'COGNITO_CLIENT_ID: is required',
    ],
    [
      'a malformed pool id',
      { ROUTES, COGNITO_USER_POOL_ID: 'pool', COGNITO_CLIENT_ID: 'c' },
      'COGNITO_USER_POOL_ID: must look like',
    ],
    [
      'a COGNITO_SCOPE_PREFIX with a space',
      { ROUTES, COGNITO_USER_POOL_ID: 'eu-west-1_A1', COGNITO_CLIENT_ID: 'c', COGNITO_SCOPE_PREFIX: 'a b/' },
      'COGNITO_SCOPE_PREFIX: must be the resource server id and a slash',
    ],
    [
      'an ISSUERS scopePrefix that is not a string',
      { ROUTES, ISSUERS: '[{"issuer":"https://a","audience":"x","scopePrefix":1}]' },
      'ISSUERS: ISSUERS[0].scopePrefix must be a non-empty prefix',
    ],
    ['no ROUTES', { ISSUER: 'https://i.test', AUDIENCE: 'a' }, 'ROUTES: is required'],
    ['ROUTES not JSON', { ...base, ROUTES: 'GET /items' }, 'ROUTES: must be valid JSON'],
    ['ROUTES empty', { ...base, ROUTES: '[]' }, 'ROUTES: must be a non-empty JSON array'],
    ['ROUTES entry not an object', { ...base, ROUTES: '[1]' }, 'ROUTES: ROUTES[0] must be an object'],
    [
      'ROUTES bad method',
      { ...base, ROUTES: '[{"method":"FETCH","path":"/a","scopes":[]}]' },
      'ROUTES: ROUTES[0].method must be one of',
    ],
    [
      'ROUTES bad path',
      { ...base, ROUTES: '[{"method":"GET","path":"items","scopes":[]}]' },
      'ROUTES: ROUTES[0].path must start with "/" and not end with one, like /items/{id}; got "items"',
    ],
    [
      'ROUTES path with a bad segment',
      { ...base, ROUTES: '[{"method":"GET","path":"/a b","scopes":[]}]' },
      'ROUTES: ROUTES[0].path has the path part "a b": API Gateway allows only',
    ],
    [
      'ROUTES greedy part before the end',
      { ...base, ROUTES: '[{"method":"GET","path":"/{proxy+}/x","scopes":[]}]' },
      'ROUTES: ROUTES[0].path has the greedy part "{proxy+}" before the end',
    ],
    [
      'ROUTES with ":" in a part before the last',
      { ...base, ROUTES: '[{"method":"GET","path":"/v1:beta/{id}","scopes":[]}]' },
      'ROUTES: ROUTES[0].path has ":" in the part "v1:beta" before the last part; the authorizer refuses every path with a ":" before a later "/"',
    ],
    [
      'ROUTES with a dot segment',
      { ...base, ROUTES: '[{"method":"GET","path":"/a/../b","scopes":[]}]' },
      'ROUTES: ROUTES[0].path has the path part "..", a dot segment that every policy refuses',
    ],
    [
      'ROUTES two variable children of one resource',
      {
        ...base,
        ROUTES:
          '[{"method":"GET","path":"/a/{id}","scopes":[]},{"method":"DELETE","path":"/a/{name}","scopes":[]}]',
      },
      'ROUTES: ROUTES[1] puts "{name}" under /a, where ROUTES[0] has "{id}"',
    ],
    [
      'ISSUER with a fragment',
      { ...base, ISSUER: 'https://issuer.test/#tenant' },
      'ISSUER: the issuer must be an issuer identifier without a query or fragment ("?", "#"); got "https://issuer.test/#tenant"',
    ],
    [
      'ISSUERS entry with a query',
      {
        ...base,
        ISSUERS: '[{"issuer":"https://other.test/?t=1","audience":"api","jwksUri":"https://other.test/k"}]',
      },
      'ISSUERS: ISSUERS[0].issuer must be an issuer identifier without a query or fragment ("?", "#"); got "https://other.test/?t=1"',
    ],
    [
      'ROUTES_FILE and ROUTES together',
      { ...base, ROUTES_FILE: 'routes.json' },
      'ROUTES_FILE: and ROUTES are both set',
    ],
    [
      'ROUTES scope with a space',
      { ...base, ROUTES: '[{"method":"GET","path":"/a","scopes":["a b"]}]' },
      'ROUTES: ROUTES[0].scopes must be',
    ],
    [
      'ROUTES repeated',
      {
        ...base,
        ROUTES: '[{"method":"GET","path":"/a","scopes":[]},{"method":"GET","path":"/a","scopes":[]}]',
      },
      'ROUTES: ROUTES[1] repeats GET /a',
    ],
    ['TOKEN_TYPES empty', { ...base, TOKEN_TYPES: ',' }, 'TOKEN_TYPES: must list at least one type'],
    [
      'CLOCK_SKEW_SECONDS not a number',
      { ...base, CLOCK_SKEW_SECONDS: 'ten' },
      'CLOCK_SKEW_SECONDS: must be a whole number from 0 to 300; got "ten"',
    ],
    [
      'CLOCK_SKEW_SECONDS too large',
      { ...base, CLOCK_SKEW_SECONDS: '3600' },
      'CLOCK_SKEW_SECONDS: must be a whole number from 0 to 300',
    ],
    [
      'MAX_TOKEN_BYTES too small',
      { ...base, MAX_TOKEN_BYTES: '10' },
      'MAX_TOKEN_BYTES: must be a whole number from 256 to 65536',
    ],
    ['LOG_LEVEL unknown', { ...base, LOG_LEVEL: 'loud' }, 'LOG_LEVEL: LOG_LEVEL must be one of'],
    [
      'REVOCATION_REQUIRE_JTI not boolean',
      { ...base, REVOCATION_REQUIRE_JTI: 'yes' },
      'REVOCATION_REQUIRE_JTI: must be "true" or "false"',
    ],
    [
      'JWKS_WARM_UP unknown',
      { ...base, JWKS_WARM_UP: 'always' },
      'JWKS_WARM_UP: must be "auto", "init" or "off"; got "always"',
    ],
    [
      'JWKS_WARM_UP in capitals',
      { ...base, JWKS_WARM_UP: 'INIT' },
      'JWKS_WARM_UP: must be "auto", "init" or "off"; got "INIT"',
    ],
    [
      'JWKS_WARM_UP a boolean',
      { ...base, JWKS_WARM_UP: 'true' },
      'JWKS_WARM_UP: must be "auto", "init" or "off"; got "true"',
    ],
  ];

  test.each(bad)('%s fails, naming the variable', (...[, env, message]) => {
    let error: unknown;
    try {
      parseConfig(env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain(message);
    expect((error as ConfigError).variable).toBe(message.split(':')[0]);
  });
});
