// Builds API Gateway REST proxy events the way API Gateway delivers them to the items Lambdas,
// including the authorizer context our TOKEN authorizer attaches (all values strings).
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';

export interface Caller {
  readonly sub: string;
  readonly scopes: readonly string[];
  /** @default DEFAULT_ISSUER */
  readonly issuer?: string;
}

/** The issuer the authorizer context names unless a caller says otherwise. */
export const DEFAULT_ISSUER = 'https://127.0.0.1/issuer';

export const ALL_ITEM_SCOPES = ['items:read', 'items:write', 'items:delete'] as const;

/** A fresh subject per call, so test files sharing one table never see each other's items. */
export function newCaller(scopes: readonly string[] = ALL_ITEM_SCOPES): Caller {
  return { sub: `user-${randomUUID()}`, scopes };
}

export interface EventInit {
  readonly method: 'GET' | 'POST' | 'DELETE';
  /** The resource path as declared, e.g. /items/{id}. */
  readonly resource: '/items' | '/items/{id}';
  readonly id?: string;
  /** null means "no authorizer context at all". */
  readonly caller: Caller | null;
  readonly headers?: Readonly<Record<string, string | readonly string[]>>;
  readonly query?: Readonly<Record<string, string | readonly string[]>>;
  readonly body?: string | null;
  readonly isBase64Encoded?: boolean;
}

function split(values: Readonly<Record<string, string | readonly string[]>> | undefined) {
  if (values === undefined || Object.keys(values).length === 0) return { single: null, multi: null };
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(values)) {
    const list = typeof value === 'string' ? [value] : [...value];
    multi[key] = list;
    // API Gateway's single-value map keeps the last value of a repeated header or parameter.
    const last = list[list.length - 1];
    if (last !== undefined) single[key] = last;
  }
  return { single, multi };
}

export function apiEvent(init: EventInit): APIGatewayProxyEvent {
  const path = init.resource === '/items' ? '/items' : `/items/${init.id ?? ''}`;
  const headers = split({ Host: 'abc123.execute-api.us-east-1.amazonaws.com', ...init.headers });
  const query = split(init.query);
  const now = Date.now();
  return {
    resource: init.resource,
    path,
    httpMethod: init.method,
    headers: headers.single ?? {},
    multiValueHeaders: headers.multi ?? {},
    queryStringParameters: query.single,
    multiValueQueryStringParameters: query.multi,
    pathParameters: init.resource === '/items/{id}' ? { id: init.id ?? '' } : null,
    stageVariables: null,
    body: init.body ?? null,
    isBase64Encoded: init.isBase64Encoded ?? false,
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      authorizer:
        init.caller === null
          ? null
          : {
              principalId: init.caller.sub,
              sub: init.caller.sub,
              scope: init.caller.scopes.join(' '),
              clientId: 'test-client',
              issuer: init.caller.issuer ?? DEFAULT_ISSUER,
              expiresAt: String(Math.floor(now / 1000) + 300),
              integrationLatency: 12,
            },
      protocol: 'HTTP/1.1',
      httpMethod: init.method,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: '127.0.0.1',
        user: null,
        userAgent: 'items-test',
        userArn: null,
      },
      path: `/test${path}`,
      stage: 'test',
      requestId: randomUUID(),
      requestTimeEpoch: now,
      resourceId: 'res123',
      resourcePath: init.resource,
    },
  };
}

/** A POST /items event with a JSON body (Content-Type: application/json unless headers say otherwise). */
export function createEvent(
  caller: Caller | null,
  body: unknown,
  headers: Readonly<Record<string, string | readonly string[]>> = {},
): APIGatewayProxyEvent {
  return apiEvent({
    method: 'POST',
    resource: '/items',
    caller,
    headers: { 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** The JSON body of a result, with its Content-Type checked. */
export function jsonBody(result: APIGatewayProxyResult): unknown {
  expect(result.headers?.['Content-Type']).toBe('application/json');
  return JSON.parse(result.body) as unknown;
}

export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: string;
  readonly field?: string;
}

/** The problem+json body of an error result, with its Content-Type and status member checked. */
export function problemBody(result: APIGatewayProxyResult): Problem {
  expect(result.headers?.['Content-Type']).toBe('application/problem+json');
  const problem = JSON.parse(result.body) as Problem;
  expect(problem.status).toBe(result.statusCode);
  expect(problem.type).toBe(
    `tag:bearer-gate,2026:problem:${problem.code.toLowerCase().replaceAll('_', '-')}`,
  );
  return problem;
}
