// OIDC discovery for an issuer trusted without a JWKS URI: its openid-configuration (OpenID Connect
// Discovery 1.0 §4) names the JWKS. Read once per cold start; the document must name exactly the configured
// issuer (§4.3), or a host answering for another issuer could hand us its keys.
import type { Fetcher } from 'aws-jwt-verify/https';
import { JwksUnavailableError } from './errors';
import { quote } from './truncate';

export type DiscoveryFailure = 'DISCOVERY_FAILED' | 'DISCOVERY_ISSUER_MISMATCH';

/** One discovery, as log fields: the JWKS URI found, or the failure's code and error. */
export type DiscoveryEvent = {
  readonly issuer: string;
  readonly ms: number;
  readonly jwksUri?: string;
  readonly code?: DiscoveryFailure;
  readonly error?: string;
};

export class DiscoveryError extends Error {
  override readonly name = 'DiscoveryError';
  constructor(
    readonly code: DiscoveryFailure,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** Where the issuer publishes its configuration: §4.1 appends the path to the issuer, minus a trailing slash. */
export function openIdConfigurationUri(issuer: string): string {
  return issuer.replace(/\/+$/, '') + '/.well-known/openid-configuration';
}

/** The `jwks_uri` of an openid-configuration document, once its `issuer` is exactly `issuer` and the URI https. */
export function jwksUriFromConfiguration(body: string, issuer: string): string {
  let document: unknown;
  try {
    document = JSON.parse(body);
  } catch (cause) {
    throw new DiscoveryError('DISCOVERY_FAILED', 'openid-configuration is not JSON', { cause });
  }
  const { issuer: named, jwks_uri: jwksUri } = (
    typeof document === 'object' && document !== null ? document : {}
  ) as Record<string, unknown>;
  if (named !== issuer) {
    throw new DiscoveryError(
      'DISCOVERY_ISSUER_MISMATCH',
      `openid-configuration names issuer ${quote(named, 256)}, not "${issuer}"`,
    );
  }
  if (typeof jwksUri !== 'string' || !jwksUri.startsWith('https://') || !URL.canParse(jwksUri)) {
    throw new DiscoveryError(
      'DISCOVERY_FAILED',
      `openid-configuration has no https jwks_uri (got ${quote(jwksUri, 256)})`,
    );
  }
  return new URL(jwksUri).href;
}

export interface OidcDiscoveryOptions {
  readonly fetcher: Fetcher;
  /** After a failure, fail fast for this long rather than asking again at once. */
  readonly failureBackoffMs: number;
  readonly onDiscovery?: (event: DiscoveryEvent) => void;
  readonly now?: () => number;
}

/** Each issuer's JWKS URI, discovered once; concurrent callers share one request. */
export class OidcDiscovery {
  /** The last attempt per issuer: a success is kept for good, a failure for the backoff. */
  private readonly attempts = new Map<string, { promise: Promise<string>; failedAt?: number }>();
  private readonly now: () => number;

  constructor(private readonly options: OidcDiscoveryOptions) {
    this.now = options.now ?? Date.now;
  }

  /** The issuer's JWKS URI; rejects with a JwksUnavailableError (the token is not at fault). */
  jwksUri(issuer: string): Promise<string> {
    const last = this.attempts.get(issuer);
    const retry = last?.failedAt !== undefined && this.now() - last.failedAt >= this.options.failureBackoffMs;
    if (last && !retry) return last.promise;
    const started = this.now();
    const attempt: { promise: Promise<string>; failedAt?: number } = {
      promise: this.options.fetcher.fetch(openIdConfigurationUri(issuer)).then((body) => {
        const jwksUri = jwksUriFromConfiguration(Buffer.from(body).toString('utf8'), issuer);
        this.options.onDiscovery?.({ issuer, ms: this.now() - started, jwksUri });
        return jwksUri;
      }),
    };
    attempt.promise = attempt.promise.catch((cause: unknown) => {
      attempt.failedAt = this.now();
      const code = cause instanceof DiscoveryError ? cause.code : 'DISCOVERY_FAILED';
      const error = cause instanceof Error ? cause.message : String(cause);
      this.options.onDiscovery?.({ issuer, ms: attempt.failedAt - started, code, error });
      throw new JwksUnavailableError(`OIDC discovery for ${issuer} failed: ${error}`, { cause });
    });
    this.attempts.set(issuer, attempt);
    return attempt.promise;
  }
}
