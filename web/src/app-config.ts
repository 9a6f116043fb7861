// The settings the app server hands the browser (/app-config.json): where the issuer and the API are, the
// client to sign in as, whether to bind the token to a DPoP key, and the route table, so the app can say
// which scope a refused operation needs.

/** One route of the API's route table (lambda/routes/table.ts), as the authorizer's ROUTES carries it. */
export interface RouteRule {
  readonly method: string;
  readonly path: string;
  readonly scopes: readonly string[];
}

export interface AppConfig {
  /** The OpenID provider's issuer identifier (https). */
  readonly issuer: string;
  /** This app's public client (no secret: Authorization Code + PKCE). */
  readonly clientId: string;
  /** The API identifier, sent as the RFC 8707 `resource` parameter; it becomes the token's `aud`. */
  readonly audience: string;
  /** Space-separated scopes to ask for, besides `openid`. */
  readonly scope: string;
  /** The API's base URL, without a trailing slash. */
  readonly api: string;
  /**
   * Whether the API takes DPoP-bound tokens (the local stack's DPOP=1): the app then asks for a token bound
   * to a key it holds and signs a proof for every call (RFC 9449); otherwise it sends a bearer token.
   */
  readonly dpop: boolean;
  readonly routes: readonly RouteRule[];
}

export class AppConfigError extends Error {
  readonly code = 'INVALID_APP_CONFIG';
  constructor(message: string) {
    super(message);
    this.name = 'AppConfigError';
  }
}

function text(value: Record<string, unknown>, key: string): string {
  const v = value[key];
  if (typeof v !== 'string' || v === '')
    throw new AppConfigError(`app config: ${key} must be a non-empty string`);
  return v;
}

function isRouteRule(value: unknown): value is RouteRule {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  return (
    typeof r.method === 'string' &&
    typeof r.path === 'string' &&
    Array.isArray(r.scopes) &&
    r.scopes.every((s) => typeof s === 'string')
  );
}

/** Checks the shape of /app-config.json; the app refuses to start on anything else. */
export function parseAppConfig(value: unknown): AppConfig {
  if (typeof value !== 'object' || value === null) throw new AppConfigError('app config: not an object');
  const v = value as Record<string, unknown>;
  const routes = v.routes;
  if (!Array.isArray(routes) || !routes.every(isRouteRule)) {
    throw new AppConfigError('app config: routes must be an array of {method, path, scopes}');
  }
  if (typeof v.dpop !== 'boolean') throw new AppConfigError('app config: dpop must be true or false');
  return Object.freeze({
    issuer: text(v, 'issuer'),
    clientId: text(v, 'clientId'),
    audience: text(v, 'audience'),
    scope: text(v, 'scope'),
    api: text(v, 'api').replace(/\/+$/, ''),
    dpop: v.dpop,
    routes,
  });
}
