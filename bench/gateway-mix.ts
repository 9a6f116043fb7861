// Authorizer invocations through the local gateway for a realistic mix: many users, each with a couple of
// tokens (a refresh), many requests per token spread over several routes, with the result cache on and off.
import { randomUUID } from 'node:crypto';
import { APP_ROUTES } from '../lambda/routes';
import { createLogger } from 'bearer-gate/authorizer';
import { createGateway, type GatewayRouteBinding, type IncomingRequest } from '../local/gateway';
import { ourAuthorizer } from './candidates';
import type { Fixtures } from './fixtures';

export class GatewayMixError extends Error {
  override readonly name = 'GatewayMixError';
  readonly code = 'GATEWAY_MIX';
}

export interface GatewayMixReport {
  readonly requests: number;
  readonly users: number;
  readonly distinctTokens: number;
  /** Distinct routes (method + resource) the mix exercised. */
  readonly routes: number;
  readonly cacheTtlSeconds: number;
  readonly authorizerInvocations: number;
  readonly cacheHits: number;
  readonly allowed: number;
  readonly denied: number;
  /** The same requests with the result cache off, for contrast. */
  readonly invocationsWithoutCache: number;
  /**
   * The same requests with per-route caching (a REQUEST authorizer keyed on the token, the method and the
   * resource path), as the construct deploys it for route tables one token-cached policy cannot serve.
   */
  readonly invocationsPerRoute: number;
  /** Distinct (token, method, resource) combinations in the mix: what per-route caching invokes for. */
  readonly distinctTokenRoutes: number;
}

/** API Gateway's default authorizer result TTL. */
const CACHE_TTL_SECONDS = 300;
const TOKENS_PER_USER = 2;
// Most users read and write; some only read; a few may also delete (so some requests end in 403).
const SCOPE_PROFILES = ['items:read items:write', 'items:read', 'items:read items:write items:delete'];

/** Deterministic, so every run sends the same mix (mulberry32). */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const stubRoutes: GatewayRouteBinding[] = APP_ROUTES.map((route) => ({
  method: route.method,
  path: route.path,
  id: route.id,
  // The integration is not what is measured; the authorizer and its cache are.
  handler: async () => ({ statusCode: 200, body: '{}' }),
}));

function request(method: string, path: string, token: string): IncomingRequest {
  return {
    method,
    path,
    rawQuery: '',
    rawHeaders: ['Authorization', `Bearer ${token}`],
    body: method === 'POST' ? '{"name":"bench"}' : '',
    sourceIp: '127.0.0.1',
    requestId: randomUUID(),
    receivedAt: new Date(),
  };
}

export async function runGatewayMix(
  fixtures: Fixtures,
  requests: number,
  users: number,
): Promise<GatewayMixReport> {
  const random = prng(9);
  const tokens: string[] = [];
  for (let user = 0; user < users; user++) {
    const scope = SCOPE_PROFILES[user % 10 < 7 ? 0 : user % 10 < 9 ? 1 : 2] as string;
    tokens.push(...fixtures.tokens('RS256', TOKENS_PER_USER, scope));
  }
  const mix = Array.from({ length: requests }, () => {
    const token = tokens[Math.floor(random() * tokens.length)] as string;
    const route = APP_ROUTES[Math.floor(random() * APP_ROUTES.length)] as (typeof APP_ROUTES)[number];
    const path = route.path.replace('{id}', `item-${Math.floor(random() * 50)}`);
    return { token, method: route.method, path };
  });

  const authorizer = await ourAuthorizer(fixtures, 'error');
  const logger = createLogger('bench-gateway', 'silent');
  const run = async (cacheTtlSeconds: number, authorizerType: 'TOKEN' | 'REQUEST' = 'TOKEN') => {
    const gateway = createGateway({
      routes: stubRoutes,
      authorizer: (event) => authorizer.authorize(event),
      authorizerType,
      cacheTtlSeconds,
      logger,
    });
    let allowed = 0;
    let denied = 0;
    for (const { token, method, path } of mix) {
      const response = await gateway.handle(request(method, path, token));
      if (response.statusCode === 200) allowed++;
      else if (response.statusCode === 403) denied++;
      else throw new GatewayMixError(`unexpected status ${response.statusCode} for ${method} ${path}`);
    }
    return { stats: { ...gateway.stats }, allowed, denied };
  };

  const cached = await run(CACHE_TTL_SECONDS);
  const uncached = await run(0);
  const perRoute = await run(CACHE_TTL_SECONDS, 'REQUEST');
  // Both modes must decide every request alike: only the number of invocations may differ.
  if (perRoute.allowed !== cached.allowed || perRoute.denied !== cached.denied) {
    throw new GatewayMixError(
      `per-route caching decided differently: ${perRoute.allowed}/${perRoute.denied} vs ${cached.allowed}/${cached.denied}`,
    );
  }
  const resource = (m: { method: string; path: string }) =>
    `${m.method} ${m.path.replace(/item-\d+/, '{id}')}`;
  return {
    requests,
    users,
    distinctTokens: new Set(mix.map((m) => m.token)).size,
    routes: new Set(mix.map(resource)).size,
    cacheTtlSeconds: CACHE_TTL_SECONDS,
    authorizerInvocations: cached.stats.authorizerInvocations,
    cacheHits: cached.stats.cacheHits,
    allowed: cached.allowed,
    denied: cached.denied,
    invocationsWithoutCache: uncached.stats.authorizerInvocations,
    invocationsPerRoute: perRoute.stats.authorizerInvocations,
    distinctTokenRoutes: new Set(mix.map((m) => `${m.token} ${resource(m)}`)).size,
  };
}
