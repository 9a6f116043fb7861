// `npm start` settings, parsed once from the environment by a pure function that names any bad variable.
import type { AuthorizerCaching } from 'bearer-gate/contract';
import { SettingError } from './errors';

export type Env = Readonly<Record<string, string | undefined>>;

export interface StackSettings {
  /** 0 = a free port. */
  readonly apiPort: number;
  readonly issuerPort: number;
  /** The browser app's port (its origin is http://127.0.0.1:PORT); 0 = a free port. */
  readonly appPort: number;
  /** The authorizer result cache TTL; 0 turns the cache off. */
  readonly cacheTtlSeconds: number;
  /** Use this DynamoDB (e.g. one a test already runs) instead of starting DynamoDB Local. */
  readonly dynamodbEndpoint: string | null;
  readonly itemsTable: string;
  /** The revocation table (always created; POST /revocations writes to it). */
  readonly revocationTable: string;
  /** Whether the authorizer checks the revocation table, as a deployment with the construct's revocationTable does. */
  readonly revocationCheck: boolean;
  /** With the check on, the result cache TTL is capped at this, as the construct's maxRevocationDelay does. */
  readonly maxRevocationDelaySeconds: number;
  /**
   * True when ISSUER, AUDIENCE, JWKS_URI, ISSUERS or COGNITO_USER_POOL_ID is set: the gateway then trusts
   * that issuer (through the authorizer's own parseConfig) and the local issuer is not started.
   */
  readonly externalIssuer: boolean;
  /** The API identifier the local issuer puts in `aud`. */
  readonly audience: string;
  readonly accessTokenTtlSeconds: number;
  /** When set, a second client whose tokens live this long (to try expiry without waiting 15 minutes). */
  readonly shortLivedTokenTtlSeconds: number | null;
  /** Serve the gateway's invocation counters at /__local/stats. */
  readonly statsEndpoint: boolean;
  /** Where discovery info for `npm run login` is written. */
  readonly stackFile: string | null;
  /** The construct's `caching`: a TOKEN authorizer, or REQUEST with per-route caching (AUTHORIZER_CACHING). */
  readonly authorizerCaching: AuthorizerCaching;
  /**
   * Accept DPoP-bound tokens (DPOP=1), as the construct's `dpop` prop does: a REQUEST authorizer with its
   * result cache off, and the DPoP scheme in the 401.
   */
  readonly dpop: boolean;
  /**
   * Play a custom domain with mutual TLS (MTLS=1), as the construct's `mutualTls` expects: the gateway serves
   * HTTPS and requires client certificates from a throwaway client CA, the authorizer is REQUEST with its
   * result cache off, and the local issuer binds tokens to the certificate a client presents (RFC 8705).
   */
  readonly mtls: boolean;
  /**
   * Require DPoP server nonces (DPOP_NONCES=1, with DPOP=1), as the construct's `dpop.nonces` does: proofs are
   * then recorded in a replay table, whose item shares the nonce key, and a proof without a nonce is a 403.
   */
  readonly dpopNonces: boolean;
  /** The DPoP replay table, created with DPOP_NONCES (the construct's `dpop.replayTable`). */
  readonly dpopReplayTable: string;
}

/** The API identifier of the local loop; a real deployment uses its own (e.g. an Auth0 API identifier). */
export const LOCAL_AUDIENCE = 'https://bearer-gate.local/api';
export const DEFAULT_API_PORT = 3000;
export const DEFAULT_ISSUER_PORT = 3443;
export const DEFAULT_APP_PORT = 3080;
/** API Gateway accepts a result cache TTL from 0 to 3600 seconds. */
export const MAX_CACHE_TTL_SECONDS = 3600;

function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new SettingError(name, `must be a whole number from ${min} to ${max}; got "${raw}"`);
  }
  return Number(raw);
}

function flag(env: Env, name: string, fallback = false): boolean {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  if (raw === '0' || raw === 'false') return false;
  if (raw === '1' || raw === 'true') return true;
  throw new SettingError(name, `must be 1/true or 0/false; got "${raw}"`);
}

function tableName(env: Env, name: string, fallback: string): string {
  const table = read(env, name) ?? fallback;
  if (!/^[A-Za-z0-9_.-]{3,255}$/.test(table)) {
    throw new SettingError(name, `must be a DynamoDB table name; got "${table}"`);
  }
  return table;
}

function caching(env: Env): AuthorizerCaching {
  const raw = read(env, 'AUTHORIZER_CACHING') ?? 'auto';
  if (raw !== 'auto' && raw !== 'token' && raw !== 'route') {
    throw new SettingError('AUTHORIZER_CACHING', `must be auto, token or route; got "${raw}"`);
  }
  return raw;
}

export function parseStackSettings(
  env: Env,
  defaults: { readonly cacheTtlSeconds: number; readonly maxRevocationDelaySeconds: number },
): StackSettings {
  const endpoint = read(env, 'DYNAMODB_ENDPOINT');
  if (endpoint !== undefined && !/^https?:\/\/[^/]+/.test(endpoint)) {
    throw new SettingError('DYNAMODB_ENDPOINT', `must be an http(s) URL; got "${endpoint}"`);
  }
  const shortTtl = read(env, 'SHORT_LIVED_TOKEN_TTL_SECONDS');
  return Object.freeze({
    apiPort: integer(env, 'API_PORT', DEFAULT_API_PORT, 0, 65535),
    issuerPort: integer(env, 'ISSUER_PORT', DEFAULT_ISSUER_PORT, 0, 65535),
    appPort: integer(env, 'APP_PORT', DEFAULT_APP_PORT, 0, 65535),
    cacheTtlSeconds: integer(
      env,
      'AUTHORIZER_CACHE_TTL_SECONDS',
      defaults.cacheTtlSeconds,
      0,
      MAX_CACHE_TTL_SECONDS,
    ),
    dynamodbEndpoint: endpoint ?? null,
    itemsTable: tableName(env, 'ITEMS_TABLE', 'items'),
    revocationTable: tableName(env, 'REVOCATION_TABLE', 'revocations'),
    revocationCheck: flag(env, 'REVOCATION_CHECK', true),
    maxRevocationDelaySeconds: integer(
      env,
      'MAX_REVOCATION_DELAY_SECONDS',
      defaults.maxRevocationDelaySeconds,
      1,
      MAX_CACHE_TTL_SECONDS,
    ),
    externalIssuer: ['ISSUER', 'AUDIENCE', 'JWKS_URI', 'ISSUERS', 'COGNITO_USER_POOL_ID'].some(
      (name) => read(env, name) !== undefined,
    ),
    audience: LOCAL_AUDIENCE,
    accessTokenTtlSeconds: integer(env, 'ACCESS_TOKEN_TTL_SECONDS', 900, 1, 86_400),
    shortLivedTokenTtlSeconds:
      shortTtl === undefined ? null : integer(env, 'SHORT_LIVED_TOKEN_TTL_SECONDS', 1, 1, 3600),
    statsEndpoint: flag(env, 'GATEWAY_STATS'),
    stackFile: read(env, 'LOCAL_STACK_FILE') ?? null,
    authorizerCaching: caching(env),
    dpop: flag(env, 'DPOP'),
    mtls: flag(env, 'MTLS'),
    dpopNonces: dpopNonces(env),
    dpopReplayTable: tableName(env, 'DPOP_REPLAY_TABLE', 'dpop-replay'),
  });
}

/** Server nonces are a DPoP setting: without DPoP=1 no proof would ever be asked for one. */
function dpopNonces(env: Env): boolean {
  const nonces = flag(env, 'DPOP_NONCES');
  if (nonces && !flag(env, 'DPOP')) {
    throw new SettingError('DPOP_NONCES', 'needs DPOP=1 (server nonces are asked of DPoP proofs)');
  }
  return nonces;
}
