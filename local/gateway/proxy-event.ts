// Builds the Lambda proxy integration event of an API Gateway REST API (payload format 1.0) and the TOKEN
// and REQUEST authorizer events, from plain request values.
import type {
  APIGatewayEventClientCertificate,
  APIGatewayProxyEvent,
  APIGatewayRequestAuthorizerEvent,
  APIGatewayTokenAuthorizerEvent,
} from 'aws-lambda';

export interface ApiIdentity {
  readonly region: string;
  readonly accountId: string;
  readonly apiId: string;
  readonly stage: string;
}

export interface IncomingRequest {
  readonly method: string;
  /** The path as sent, without the query string. */
  readonly path: string;
  readonly rawQuery: string;
  /** Node's `rawHeaders`: names keep the case the client sent. */
  readonly rawHeaders: readonly string[];
  readonly body: string;
  readonly sourceIp: string;
  readonly requestId: string;
  readonly receivedAt: Date;
  /** Came over HTTPS (the gateway as a mutual-TLS custom domain). @default false */
  readonly secure?: boolean;
  /** The verified client certificate of a mutual-TLS connection. @default null */
  readonly clientCert?: APIGatewayEventClientCertificate | null;
}

/** arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{path without the leading slash} */
export function methodArn(api: ApiIdentity, method: string, path: string): string {
  return `arn:aws:execute-api:${api.region}:${api.accountId}:${api.apiId}/${api.stage}/${method}/${path.replace(/^\//, '')}`;
}

export function tokenAuthorizerEvent(
  authorizationToken: string,
  arn: string,
): APIGatewayTokenAuthorizerEvent {
  return { type: 'TOKEN', authorizationToken, methodArn: arn };
}

/**
 * Single-value maps keep the last value, as API Gateway does; multi-value maps keep all of them. The maps have
 * no prototype, so a name the client chooses (`constructor`, `__proto__`, `toString`) is a member of its own,
 * as in the JSON document API Gateway sends (the event crosses a JSON boundary to the handler).
 */
function collect(pairs: readonly (readonly [string, string])[]): {
  single: Record<string, string> | null;
  multi: Record<string, string[]> | null;
} {
  if (pairs.length === 0) return { single: null, multi: null };
  const single = Object.create(null) as Record<string, string>;
  const multi = Object.create(null) as Record<string, string[]>;
  for (const [name, value] of pairs) {
    single[name] = value;
    (multi[name] ??= []).push(value);
  }
  return { single, multi };
}

function headerPairs(rawHeaders: readonly string[]): [string, string][] {
  const pairs: [string, string][] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2)
    pairs.push([rawHeaders[i] as string, rawHeaders[i + 1] as string]);
  return pairs;
}

function queryPairs(rawQuery: string): [string, string][] {
  if (rawQuery === '') return [];
  return [...new URLSearchParams(rawQuery)];
}

/** The value of a header, case-insensitively, the last one when repeated. */
export function headerValue(rawHeaders: readonly string[], name: string): string | undefined {
  let found: string | undefined;
  for (const [key, value] of headerPairs(rawHeaders))
    if (key.toLowerCase() === name.toLowerCase()) found = value;
  return found;
}

// Real request times look like 24/Nov/2026:05:00:00 +0000.
function requestTime(at: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (n: number): string => String(n).padStart(2, '0');
  return (
    `${pad(at.getUTCDate())}/${months[at.getUTCMonth()]}/${at.getUTCFullYear()}:` +
    `${pad(at.getUTCHours())}:${pad(at.getUTCMinutes())}:${pad(at.getUTCSeconds())} +0000`
  );
}

export function proxyEvent(
  api: ApiIdentity,
  request: IncomingRequest,
  resourcePath: string,
  pathParameters: Readonly<Record<string, string>> | null,
  authorizer: Record<string, string | number> | null,
): APIGatewayProxyEvent {
  // API Gateway sets X-Forwarded-Proto itself (https there); the local gateway speaks plain http unless it
  // plays a mutual-TLS custom domain.
  const headers = collect([
    ...headerPairs(request.rawHeaders).filter(([name]) => name.toLowerCase() !== 'x-forwarded-proto'),
    ['X-Forwarded-Proto', request.secure === true ? 'https' : 'http'],
  ]);
  const query = collect(queryPairs(request.rawQuery));
  const host = headerValue(request.rawHeaders, 'host') ?? '127.0.0.1';
  return {
    resource: resourcePath,
    path: request.path,
    httpMethod: request.method,
    headers: headers.single ?? {},
    multiValueHeaders: headers.multi ?? {},
    queryStringParameters: query.single,
    multiValueQueryStringParameters: query.multi,
    pathParameters: pathParameters ? { ...pathParameters } : null,
    stageVariables: null,
    requestContext: {
      accountId: api.accountId,
      apiId: api.apiId,
      authorizer,
      domainName: host,
      domainPrefix: host.split('.')[0] ?? host,
      extendedRequestId: request.requestId,
      httpMethod: request.method,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        // Only a custom domain with mutual TLS passes a certificate (to REQUEST authorizers and integrations).
        clientCert: request.clientCert ?? null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: request.sourceIp,
        user: null,
        userAgent: headerValue(request.rawHeaders, 'user-agent') ?? null,
        userArn: null,
      },
      // The path as the client sent it: the local gateway serves like a custom domain mapped with an empty
      // base path (no stage in the URL). On execute-api this would start with /{stage}.
      path: request.path,
      protocol: 'HTTP/1.1',
      requestId: request.requestId,
      requestTime: requestTime(request.receivedAt),
      requestTimeEpoch: request.receivedAt.getTime(),
      resourceId: 'local0',
      resourcePath,
      stage: api.stage,
    },
    body: request.body === '' ? null : request.body,
    isBase64Encoded: false,
  };
}

/**
 * The REQUEST authorizer event: the proxy event's request fields (no body, no authorizer context) with the
 * methodArn. Per-route caching keys on context.httpMethod and context.resourcePath, which it carries.
 */
export function requestAuthorizerEvent(
  api: ApiIdentity,
  request: IncomingRequest,
  resourcePath: string,
  pathParameters: Readonly<Record<string, string>> | null,
  arn: string,
): APIGatewayRequestAuthorizerEvent {
  const {
    body: _body,
    isBase64Encoded: _encoded,
    ...fields
  } = proxyEvent(api, request, resourcePath, pathParameters, null);
  const { authorizer: _authorizer, ...requestContext } = fields.requestContext;
  return { ...fields, type: 'REQUEST', methodArn: arn, requestContext } as APIGatewayRequestAuthorizerEvent;
}
