// The local API gateway: a node:http server that reproduces API Gateway REST with a Lambda TOKEN or REQUEST
// authorizer (identity source checks, result cache, IAM policy evaluation, gateway responses, proxy
// integration), or, with mutualTls, an HTTPS custom domain that requires client certificates.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import type { AddressInfo } from 'node:net';
import type { APIGatewayRequestAuthorizerEvent, APIGatewayTokenAuthorizerEvent, Context } from 'aws-lambda';
import { createLogger, type Logger } from 'bearer-gate/authorizer';
import {
  PROTECTED_RESOURCE_WELL_KNOWN,
  protectedResourceMetadata,
  type ProtectedResourceOptions,
} from 'bearer-gate/contract';
import { LocalStackError } from '../errors';
import { parseAuthorizerOutput, requestContextAuthorizer, type AuthorizerOutput } from './authorizer-result';
import {
  GATEWAY_MESSAGES,
  renderGatewayResponse,
  type GatewayResponseSet,
  type GatewayResponseType,
} from './gateway-responses';
import { corsPreflight } from './cors-preflight';
import { checkIdentitySource } from './identity-source';
import { invokeLambda, type LambdaHandler } from './lambda-invoke';
import { evaluatePolicy } from './policy-evaluation';
import {
  headerValue,
  methodArn,
  proxyEvent,
  requestAuthorizerEvent,
  tokenAuthorizerEvent,
  type ApiIdentity,
  type IncomingRequest,
} from './proxy-event';
import { parseProxyResult, type HttpResponse } from './proxy-result';
import { ResultCache } from './result-cache';
import { matchRoute } from './route-match';
import { LocalMetrics } from './metrics';
import { checkClientCertificate, createMutualTlsServer, type GatewayMutualTls } from './mutual-tls';

/**
 * The Lambda authorizer (TOKEN or REQUEST event), called with a Lambda context as the runtime calls it. Its
 * return value is checked as API Gateway checks it.
 */
export type TokenAuthorizer = (
  event: APIGatewayTokenAuthorizerEvent | APIGatewayRequestAuthorizerEvent,
  context?: Context,
) => Promise<unknown>;

/**
 * TOKEN: the identity source is the Authorization header, and so is the result cache key. REQUEST (per-route
 * caching, as the JwtAuthorizer construct deploys it for tables one token-cached policy cannot serve): the
 * identity sources are the header, context.httpMethod and context.resourcePath, and the cache key is all
 * three; API Gateway applies no identity validation expression to REQUEST authorizers.
 */
export type AuthorizerType = 'TOKEN' | 'REQUEST';

export interface GatewayRouteBinding {
  readonly method: string;
  readonly path: string;
  /** Used as the Lambda function name in the handler's Context and in logs. */
  readonly id: string;
  readonly handler: LambdaHandler;
}

/** What `defaultCorsPreflightOptions` makes API Gateway answer to OPTIONS (a mock integration, no authorizer). */
export interface CorsPreflight {
  readonly allowOrigin: string;
  /** One list for every resource, as CDK's preflight mock integration answers. */
  readonly allowMethods: readonly string[];
  readonly allowHeaders: readonly string[];
  readonly exposeHeaders?: readonly string[];
  /** @default - no Access-Control-Max-Age */
  readonly maxAgeSeconds?: number;
}

export interface GatewayOptions {
  readonly routes: readonly GatewayRouteBinding[];
  readonly authorizer: TokenAuthorizer;
  /** @default 'TOKEN' */
  readonly authorizerType?: AuthorizerType;
  /** @default - no expression: every non-empty header reaches the authorizer */
  readonly identityValidationExpression?: RegExp | null;
  /** 0 turns the result cache off. */
  readonly cacheTtlSeconds: number;
  /** @default - no CORS preflight: OPTIONS is an undefined method, as on a RestApi without CORS */
  readonly cors?: CorsPreflight;
  /** @default - AWS's own gateway responses */
  readonly responses?: GatewayResponseSet;
  /** @default us-east-1, 123456789012, local123ab, local */
  readonly api?: ApiIdentity;
  /**
   * Serve `GET /__local/stats` with the invocation counters (tests read them). Off by default because a
   * real API Gateway has no such path.
   */
  readonly statsEndpoint?: boolean;
  /**
   * Serve `GET /__metrics`: the metrics every log line of this process has carried (the authorizer's, in
   * CloudWatch Embedded Metric Format), counted as CloudWatch would. Off by default because a real API
   * Gateway has no such path.
   */
  readonly metricsPage?: boolean;
  readonly logger?: Logger;
  /** @default 10 MiB, API Gateway's payload limit */
  readonly maxBodyBytes?: number;
  /**
   * How long an integration may take before the request is answered 504 (the DEFAULT_5XX response); an
   * authorizer that takes longer is answered AUTHORIZER_CONFIGURATION_ERROR.
   * @default 29000, API Gateway's default integration timeout
   */
  readonly integrationTimeoutMs?: number;
  /** @default Date.now; drives the result cache */
  readonly now?: () => number;
  /**
   * Serve RFC 9728 metadata at `GET /.well-known/oauth-protected-resource` without the authorizer, as the
   * construct's protectedResource does; the resource is this gateway's own origin (`http://<Host>`).
   * @default - no metadata
   */
  readonly protectedResource?: Omit<ProtectedResourceOptions, 'resource'>;
  /**
   * Serve HTTPS as a custom domain with mutual TLS does: a connection without a client certificate is
   * closed, one whose certificate the truststore does not verify is answered 403, and a verified one reaches
   * REQUEST authorizers and integrations as requestContext.identity.clientCert.
   * @default - plain http and no client certificates, like the execute-api endpoint
   */
  readonly mutualTls?: GatewayMutualTls;
}

export interface GatewayStats {
  authorizerInvocations: number;
  cacheHits: number;
  integrationInvocations: number;
}

export interface Gateway {
  readonly server: Server;
  readonly stats: Readonly<GatewayStats>;
  /** The metrics of this process's log lines, with `metricsPage`; counted until close(). */
  readonly metrics: LocalMetrics | undefined;
  readonly cache: ResultCache<AuthorizerOutput>;
  /** Listens on 127.0.0.1 and resolves with the base URL (https:// with mutualTls). */
  listen(port: number): Promise<string>;
  close(): Promise<void>;
  /** Handles one request; exposed so the gateway can be driven without a socket. */
  handle(request: IncomingRequest): Promise<HttpResponse>;
  /** Replaces the gateway responses: for ones that name the gateway's own URL, known once it listens. */
  useResponses(responses: GatewayResponseSet): void;
}

export const STATS_PATH = '/__local/stats';
export const METRICS_PATH = '/__metrics';

const DEFAULT_API: ApiIdentity = Object.freeze({
  region: 'us-east-1',
  accountId: '123456789012',
  apiId: 'local123ab',
  stage: 'local',
});

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    req.on('end', () => resolve(size > limit ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function jsonResponse(statusCode: number, value: unknown): HttpResponse {
  return {
    statusCode,
    headers: { 'Content-Type': ['application/json'] },
    body: Buffer.from(JSON.stringify(value)),
  };
}

export function createGateway(options: GatewayOptions): Gateway {
  const api = options.api ?? DEFAULT_API;
  let responses = options.responses ?? {};
  const requestMode = options.authorizerType === 'REQUEST';
  const expression = requestMode ? null : (options.identityValidationExpression ?? null);
  const log = options.logger ?? createLogger('local-gateway');
  // API Gateway's default integration timeout; an authorizer that never answers is cut off at it too.
  const integrationTimeoutMs = options.integrationTimeoutMs ?? 29_000;
  const maxBodyBytes = options.maxBodyBytes ?? 10 * 1024 * 1024;
  const now = options.now ?? Date.now;
  const cache = new ResultCache<AuthorizerOutput>({ ttlSeconds: options.cacheTtlSeconds, now });
  const stats: GatewayStats = { authorizerInvocations: 0, cacheHits: 0, integrationInvocations: 0 };
  const metrics = options.metricsPage === true ? new LocalMetrics() : undefined;
  const stopMetrics = metrics?.observe();
  const scheme = options.mutualTls === undefined ? 'http' : 'https';

  const gatewayResponse = (
    type: GatewayResponseType,
    message: string | null,
    requestId: string,
    underlyingStatus?: number,
    authorizer?: AuthorizerOutput['context'],
  ): HttpResponse => {
    const rendered = renderGatewayResponse(
      responses,
      type,
      { message, requestId, authorizer },
      underlyingStatus,
    );
    const headers: Record<string, string[]> = {};
    for (const [name, value] of Object.entries(rendered.headers)) headers[name] = [value];
    return { statusCode: rendered.statusCode, headers, body: Buffer.from(rendered.body) };
  };

  /** Returns the authorizer's checked output, or the gateway response that ends the request. */
  async function authorize(
    token: string,
    arn: string,
    request: IncomingRequest,
    route: { readonly path: string; readonly pathParameters: Readonly<Record<string, string>> | null },
  ): Promise<{ output: AuthorizerOutput; latencyMs: number } | HttpResponse> {
    const { requestId } = request;
    // Identity source values joined by a character no header value can hold.
    const cacheKey = requestMode ? `${token}\n${request.method}\n${route.path}` : token;
    const cached = cache.get(cacheKey);
    if (cached) {
      stats.cacheHits += 1;
      return { output: cached, latencyMs: 0 };
    }
    stats.authorizerInvocations += 1;
    const started = performance.now();
    let raw: unknown;
    try {
      const event = requestMode
        ? requestAuthorizerEvent(api, request, route.path, route.pathParameters, arn)
        : tokenAuthorizerEvent(token, arn);
      raw = await invokeLambda(options.authorizer as LambdaHandler, event, {
        functionName: 'authorizer',
        requestId: randomUUID(),
        timeoutMs: integrationTimeoutMs,
      });
    } catch (error) {
      // API Gateway turns exactly the message 'Unauthorized' into a 401; a Lambda authorizer that throws
      // anything else is answered with AUTHORIZER_CONFIGURATION_ERROR (500 unless customized).
      if (error instanceof Error && error.message === 'Unauthorized') {
        return gatewayResponse('UNAUTHORIZED', GATEWAY_MESSAGES.unauthorized, requestId);
      }
      log.warn('authorizer failed', {
        code: 'AUTHORIZER_CONFIGURATION',
        errorName: error instanceof Error ? error.name : typeof error,
      });
      return gatewayResponse('AUTHORIZER_CONFIGURATION_ERROR', null, requestId);
    }
    const latencyMs = Math.round(performance.now() - started);
    try {
      const output = parseAuthorizerOutput(raw);
      cache.set(cacheKey, output);
      return { output, latencyMs };
    } catch (error) {
      log.error('authorizer output rejected', {
        code: 'AUTHORIZER_CONFIGURATION',
        reason: error instanceof Error ? error.message : String(error),
      });
      return gatewayResponse('AUTHORIZER_CONFIGURATION_ERROR', null, requestId);
    }
  }

  async function handle(request: IncomingRequest): Promise<HttpResponse> {
    const { requestId } = request;
    if (options.statsEndpoint === true && request.method === 'GET' && request.path === STATS_PATH) {
      return jsonResponse(200, { ...stats, cacheSize: cache.size });
    }
    if (
      options.protectedResource !== undefined &&
      request.method === 'GET' &&
      request.path === PROTECTED_RESOURCE_WELL_KNOWN
    ) {
      const host = headerValue(request.rawHeaders, 'host') ?? '127.0.0.1';
      return jsonResponse(
        200,
        protectedResourceMetadata({ ...options.protectedResource, resource: `${scheme}://${host}` }),
      );
    }
    if (metrics !== undefined && request.method === 'GET' && request.path === METRICS_PATH) {
      return jsonResponse(200, metrics.snapshot());
    }
    if (options.cors && request.method === 'OPTIONS') {
      const preflight = corsPreflight(options.routes, options.cors, request.path);
      if (preflight) return preflight;
    }
    const match = matchRoute(options.routes, request.method, request.path);
    if (match.kind === 'missing') {
      return gatewayResponse(
        'MISSING_AUTHENTICATION_TOKEN',
        GATEWAY_MESSAGES.missingAuthenticationToken,
        requestId,
      );
    }

    const identity = checkIdentitySource(headerValue(request.rawHeaders, 'authorization'), expression);
    if (identity.kind !== 'present') {
      return gatewayResponse('UNAUTHORIZED', GATEWAY_MESSAGES.unauthorized, requestId);
    }
    const arn = methodArn(api, request.method, request.path);
    const authorized = await authorize(identity.token, arn, request, {
      path: match.route.path,
      pathParameters: match.pathParameters,
    });
    if (!('output' in authorized)) return authorized;

    const decision = evaluatePolicy(authorized.output.policy, arn);
    if (decision !== 'allow') {
      const message =
        decision === 'explicit-deny' ? GATEWAY_MESSAGES.explicitDeny : GATEWAY_MESSAGES.implicitDeny;
      // A Deny's context reaches ACCESS_DENIED's header mappings (context.authorizer.<key>).
      return gatewayResponse('ACCESS_DENIED', message, requestId, undefined, authorized.output.context);
    }

    stats.integrationInvocations += 1;
    const event = proxyEvent(
      api,
      request,
      match.route.path,
      match.pathParameters,
      requestContextAuthorizer(authorized.output, authorized.latencyMs),
    );
    try {
      const result = await invokeLambda(match.route.handler, event, {
        functionName: match.route.id,
        requestId,
        timeoutMs: integrationTimeoutMs,
      });
      return parseProxyResult(result);
    } catch (error) {
      if (error instanceof LocalStackError && error.code === 'INTEGRATION_TIMEOUT') {
        log.error('integration timed out', { code: error.code, route: match.route.id });
        return gatewayResponse('DEFAULT_5XX', GATEWAY_MESSAGES.integrationTimeout, requestId, 504);
      }
      // A handler that throws, or returns something API Gateway cannot map, is a 502 on AWS.
      log.error('integration failed', {
        code: 'INTEGRATION_FAILURE',
        route: match.route.id,
        reason:
          error instanceof LocalStackError
            ? error.message
            : error instanceof Error
              ? error.name
              : typeof error,
      });
      return gatewayResponse('DEFAULT_5XX', GATEWAY_MESSAGES.internalServerError, requestId, 502);
    }
  }

  async function onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomUUID();
    const receivedAt = new Date(now());
    const url = req.url ?? '/';
    const queryAt = url.indexOf('?');
    const path = queryAt === -1 ? url : url.slice(0, queryAt);
    const tls = options.mutualTls === undefined ? null : checkClientCertificate(req.socket as TLSSocket);
    // Closed at the handshake already; this only catches a request that raced the close.
    if (tls?.kind === 'missing') return void req.socket.destroy();
    let response: HttpResponse;
    if (tls?.kind === 'refused') {
      // What API Gateway's execution log records as "Access denied. Reason: ...".
      log.warn('client certificate refused', { code: 'MTLS_UNTRUSTED_CERTIFICATE', reason: tls.reason });
      response = jsonResponse(403, { message: 'Forbidden' });
    } else {
      const body = await readBody(req, maxBodyBytes);
      response =
        body === null
          ? gatewayResponse('DEFAULT_4XX', 'Request Too Long', requestId, 413)
          : await handle({
              method: req.method ?? 'GET',
              path,
              rawQuery: queryAt === -1 ? '' : url.slice(queryAt + 1),
              rawHeaders: req.rawHeaders,
              body: body.toString('utf8'),
              sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
              requestId,
              receivedAt,
              secure: tls !== null,
              clientCert: tls?.clientCert ?? null,
            });
    }
    const headers: Record<string, string[]> = { ...response.headers, 'x-amzn-RequestId': [requestId] };
    res.writeHead(response.statusCode, headers);
    res.end(req.method === 'HEAD' ? undefined : response.body);
    log.info('request', { method: req.method, path, status: response.statusCode, requestId });
  }

  const onHttp = (req: IncomingMessage, res: ServerResponse): void => {
    onRequest(req, res).catch((error: unknown) => {
      log.error('gateway error', {
        code: 'GATEWAY_ERROR',
        errorName: error instanceof Error ? error.name : 'unknown',
      });
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ message: GATEWAY_MESSAGES.internalServerError }));
    });
  };
  const server: Server =
    options.mutualTls === undefined ? createServer(onHttp) : createMutualTlsServer(options.mutualTls, onHttp);

  return {
    server,
    stats,
    metrics,
    cache,
    handle,
    useResponses: (next) => {
      responses = next;
    },
    listen: (port) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => {
          server.off('error', reject);
          resolve(`${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`);
        });
      }),
    close: () =>
      new Promise((resolve, reject) => {
        stopMetrics?.();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
