// Reads the Items API stack's settings from CDK context (`-c key=value` or cdk.json), once, into a typed
// object. Errors name the context key, the bad value and the fix.
import { InfraConfigError } from 'bearer-gate';

/** Trust an existing identity provider (Auth0, Okta, Entra ID, Keycloak, an existing Cognito pool, ...). */
export interface ExternalIssuerConfig {
  readonly kind: 'issuer';
  readonly issuer: string;
  readonly audience: readonly string[];
  readonly jwksUri?: string;
  /**
   * The longest lifetime of the issuer's access tokens: a subject revocation ("log out everywhere") is kept
   * this long (plus the clock skew), since every token it covers has expired by then.
   */
  readonly maxTokenLifetimeSeconds: number;
}

/** Issuer mode's default for maxTokenLifetimeSeconds: one day (Auth0's default access token lifetime). */
export const DEFAULT_MAX_TOKEN_LIFETIME_SECONDS = 86_400;

/** Create a Cognito user pool with a hosted domain, so `cdk deploy` works with no IdP at hand. */
export interface CognitoConfig {
  readonly kind: 'cognito';
  /** Hosted domain prefix; undefined derives one from the stack name and account. */
  readonly domainPrefix?: string;
  readonly callbackUrls: readonly string[];
  readonly logoutUrls: readonly string[];
}

export interface ItemsApiConfig {
  readonly identity: ExternalIssuerConfig | CognitoConfig;
  /**
   * The one browser app origin allowed to call the API (`Access-Control-Allow-Origin` of the preflight, the
   * gateway responses and the items handlers); null: none, no CORS at all.
   */
  readonly corsAllowOrigin: string | null;
}

/** Where the PKCE login CLI listens by default (RFC 8252 loopback redirect; Cognito allows http only for localhost). */
export const DEFAULT_CALLBACK_URL = 'http://localhost:8400/callback';

export type ContextReader = (key: string) => unknown;

// Cognito's rule for domain prefixes, plus its reserved words.
const DOMAIN_PREFIX = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const RESERVED_IN_PREFIX = /aws|amazon|cognito/;

function fail(key: string, problem: string, fix: string): never {
  throw new InfraConfigError('INVALID_CONTEXT', key, `context ${key} ${problem}. ${fix}`);
}

function text(read: ContextReader, key: string): string | undefined {
  const raw = read(key);
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'string')
    fail(key, `must be a string; got ${JSON.stringify(raw)}`, `Pass -c ${key}=<value>.`);
  const value = raw.trim();
  return value === '' ? undefined : value;
}

function list(value: string): string[] {
  return value
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

function url(key: string, value: string, protocols: readonly string[], fix: string): string {
  let parsed: URL | undefined;
  try {
    parsed = new URL(value);
  } catch {
    parsed = undefined;
  }
  if (parsed === undefined || !protocols.includes(parsed.protocol)) {
    fail(key, `must be an absolute ${protocols.join(' or ')} URL; got "${value}"`, fix);
  }
  return value;
}

/** Cognito accepts https redirect URLs, and http only for localhost. */
function redirectUrls(
  key: string,
  value: string | undefined,
  fallback: readonly string[],
): readonly string[] {
  if (value === undefined) return fallback;
  const urls = list(value);
  if (urls.length === 0) fail(key, 'must list at least one URL', `Pass -c ${key}=${DEFAULT_CALLBACK_URL}.`);
  for (const u of urls) {
    url(key, u, ['https:', 'http:'], 'Use comma-separated absolute URLs.');
    if (new URL(u).protocol === 'http:' && new URL(u).hostname !== 'localhost') {
      fail(
        key,
        `may use http only for localhost; got "${u}"`,
        'Use https, or http://localhost:<port>/<path>.',
      );
    }
  }
  return urls;
}

export function readStackConfig(read: ContextReader): ItemsApiConfig {
  const issuer = text(read, 'issuer');
  const audience = text(read, 'audience');
  const jwksUri = text(read, 'jwksUri');
  // One origin or none: a browser app is allowed by name, never every site at once.
  const corsAllowOrigin = text(read, 'corsAllowOrigin') ?? null;
  if (corsAllowOrigin !== null) {
    const fix = "Pass the browser app's origin, e.g. -c corsAllowOrigin=https://app.example.com.";
    url('corsAllowOrigin', corsAllowOrigin, ['https:', 'http:'], fix);
    if (new URL(corsAllowOrigin).origin !== corsAllowOrigin) {
      fail(
        'corsAllowOrigin',
        `must be one origin (scheme://host[:port], no path); got "${corsAllowOrigin}"`,
        fix,
      );
    }
  }

  if (issuer !== undefined) {
    url(
      'issuer',
      issuer,
      ['https:'],
      'Pass the issuer exactly as in the `iss` claim, e.g. -c issuer=https://example.eu.auth0.com/.',
    );
    if (audience === undefined) {
      fail(
        'audience',
        'is required with issuer; got nothing',
        'Pass the API identifier, e.g. -c audience=https://api.example.com.',
      );
    }
    const lifetime = text(read, 'maxTokenLifetime') ?? String(DEFAULT_MAX_TOKEN_LIFETIME_SECONDS);
    if (!/^\d+$/.test(lifetime) || Number(lifetime) < 60 || Number(lifetime) > 31_536_000) {
      fail(
        'maxTokenLifetime',
        `must be whole seconds from 60 to 31536000; got "${lifetime}"`,
        "Pass your issuer's access token lifetime, e.g. -c maxTokenLifetime=3600.",
      );
    }
    const identity: ExternalIssuerConfig = {
      kind: 'issuer',
      issuer,
      audience: list(audience),
      maxTokenLifetimeSeconds: Number(lifetime),
      ...(jwksUri === undefined
        ? {}
        : { jwksUri: url('jwksUri', jwksUri, ['https:'], 'Pass the https URL of the JWKS.') }),
    };
    return { identity, corsAllowOrigin };
  }
  if (audience !== undefined || jwksUri !== undefined) {
    fail(
      'issuer',
      `is required with ${audience !== undefined ? 'audience' : 'jwksUri'}; got nothing`,
      'Pass -c issuer=<your IdP issuer URL>, or drop both to create a Cognito user pool.',
    );
  }

  const domainPrefix = text(read, 'cognitoDomainPrefix');
  if (
    domainPrefix !== undefined &&
    (!DOMAIN_PREFIX.test(domainPrefix) || RESERVED_IN_PREFIX.test(domainPrefix))
  ) {
    fail(
      'cognitoDomainPrefix',
      `must be 1-63 lower-case letters, digits and inner hyphens, without "aws", "amazon" or "cognito"; got "${domainPrefix}"`,
      'Pick a prefix unique in the region, e.g. -c cognitoDomainPrefix=items-demo-7f3a.',
    );
  }
  const callbackUrls = redirectUrls('callbackUrls', text(read, 'callbackUrls'), [DEFAULT_CALLBACK_URL]);
  const logoutUrls = redirectUrls('logoutUrls', text(read, 'logoutUrls'), callbackUrls);
  const identity: CognitoConfig =
    domainPrefix === undefined
      ? { kind: 'cognito', callbackUrls, logoutUrls }
      : { kind: 'cognito', domainPrefix, callbackUrls, logoutUrls };
  return { identity, corsAllowOrigin };
}
