// Sender-constrained tokens (DPoP, RFC 9449) and protected-resource metadata (RFC 9728), as plain values the
// authorizer, the construct and the local gateway share: the proof header, the accepted proof algorithms,
// the WWW-Authenticate challenges API Gateway's static 401 carries, server nonces, and the metadata document.

/** The request header that carries a DPoP proof (RFC 9449 §4.1). */
export const DPOP_HEADER = 'DPoP';

/** The Authorization scheme of a DPoP-bound token (RFC 9449 §7.1): `DPoP <token>`, and its challenge. */
export const DPOP_SCHEME = 'DPoP';

/** The response header that carries a server nonce (RFC 9449 §8.1). */
export const DPOP_NONCE_HEADER = 'DPoP-Nonce';

/**
 * Server nonces (RFC 9449 §8) change every this many seconds; a proof may carry the nonce of the current or of
 * the previous window, so a nonce is accepted for 60 to 120 seconds after it was handed out.
 */
export const DPOP_NONCE_WINDOW_SECONDS = 60;

/**
 * The authorizer-context keys the ACCESS_DENIED gateway response reads when server nonces are on: a Lambda
 * authorizer can shape no other gateway response, and this one only through the `context` of the Deny policy
 * it returns. With nonces on, the authorizer sets `wwwAuthenticate` on every policy it returns, and
 * `dpopNonce` on every decision for a DPoP-bound token; an Allow's context reaches the integration, which
 * returns the nonce on its 200 (RFC 9449 §8.2).
 */
export const DPOP_NONCE_CONTEXT_KEYS = Object.freeze({
  /** The WWW-Authenticate value of a 403: `use_dpop_nonce`, or `insufficient_scope` with the route's scopes. */
  wwwAuthenticate: 'wwwAuthenticate',
  /** A fresh server nonce (RFC 9449 §8.1), for the `DPoP-Nonce` header; set on DPoP-bound decisions. */
  dpopNonce: 'dpopNonce',
} as const);

/** RFC 9449 §9's error_description, which clients show; they act on `error` alone. */
const USE_DPOP_NONCE_DESCRIPTION = 'Resource server requires nonce in DPoP proof';

/**
 * The JWS algorithms a DPoP proof may use: asymmetric only (RFC 9449 §4.2: never `none` nor a MAC). The
 * authorizer's algorithm table (lambda/authorizer/algorithms.ts) knows each; a test holds them together.
 */
export const DPOP_SIGNING_ALGORITHMS: readonly string[] = Object.freeze([
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'PS256',
  'PS384',
  'PS512',
  'RS256',
  'RS384',
  'RS512',
]);

/** A proof is accepted for this long after its `iat` unless configured otherwise (DPOP_PROOF_MAX_AGE_SECONDS). */
export const DEFAULT_DPOP_PROOF_MAX_AGE_SECONDS = 60;

/** RFC 9728 §3: the well-known suffix of protected-resource metadata. */
export const PROTECTED_RESOURCE_WELL_KNOWN = '/.well-known/oauth-protected-resource';

/**
 * RFC 9728 §3.1: the metadata URL of a resource identifier: the well-known suffix goes between the host and
 * the path (`https://api.example.com/v1` -> `https://api.example.com/.well-known/oauth-protected-resource/v1`);
 * a resource identifier without a path takes the suffix alone. Throws RangeError for an identifier RFC 9728
 * §1.2 refuses (not https, a fragment) or advises against (a query, which this API never needs).
 */
export function protectedResourceMetadataUrl(resource: string): string {
  const url = checkedResource(resource);
  // Only the slash right after the host goes (RFC 9728 §3.1); a path keeps its own trailing slash.
  const path = url.pathname === '/' ? '' : url.pathname;
  return `${url.origin}${PROTECTED_RESOURCE_WELL_KNOWN}${path}`;
}

/** The path (on the resource's host) where {@link protectedResourceMetadataUrl} is served. */
export function protectedResourceMetadataPath(resource: string): string {
  return new URL(protectedResourceMetadataUrl(resource)).pathname;
}

function checkedResource(resource: string): URL {
  let url: URL;
  try {
    url = new URL(resource);
  } catch {
    throw new RangeError(`resource must be an absolute https URL; got "${resource}"`);
  }
  if (url.protocol !== 'https:' && !isLoopback(url.hostname)) {
    throw new RangeError(`resource must use https (RFC 9728 §1.2); got "${resource}"`);
  }
  if (url.search !== '' || url.hash !== '' || resource.includes('#') || resource.includes('?')) {
    throw new RangeError(`resource must have no query or fragment (RFC 9728 §1.2); got "${resource}"`);
  }
  return url;
}

/** Loopback hosts: only the local loop serves over plain http (never API Gateway). */
export function isLoopback(hostname: string): boolean {
  return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]';
}

export interface ProtectedResourceOptions {
  /** The resource identifier (RFC 9728 §1.2): the API's https URL, the audience tokens are issued for. */
  readonly resource: string;
  /** Issuer identifiers of the authorization servers whose tokens the API accepts. */
  readonly authorizationServers: readonly string[];
  /** Every scope the route table names. */
  readonly scopes: readonly string[];
  /** Whether DPoP-bound tokens are accepted: publishes the proof algorithms. */
  readonly dpop: boolean;
  /** Whether every token must be DPoP-bound (RFC 9728 §2 `dpop_bound_access_tokens_required`). */
  readonly dpopRequired?: boolean;
  /**
   * Whether the API is served with mutual TLS and accepts certificate-bound tokens (RFC 8705): RFC 9728 §2
   * `tls_client_certificate_bound_access_tokens`.
   */
  readonly mutualTls?: boolean;
}

/** The RFC 9728 §2 metadata document, members in the RFC's order; only what this resource can promise. */
export function protectedResourceMetadata(options: ProtectedResourceOptions): Record<string, unknown> {
  checkedResource(options.resource);
  return {
    resource: options.resource,
    authorization_servers: [...options.authorizationServers],
    scopes_supported: [...new Set(options.scopes)].sort(),
    // RFC 6750 §2.1 only: this authorizer reads the Authorization header, never a body or a query.
    bearer_methods_supported: ['header'],
    ...(options.mutualTls === true ? { tls_client_certificate_bound_access_tokens: true } : {}),
    ...(options.dpop
      ? {
          dpop_signing_alg_values_supported: [...DPOP_SIGNING_ALGORITHMS],
          ...(options.dpopRequired === true ? { dpop_bound_access_tokens_required: true } : {}),
        }
      : {}),
  };
}

export interface ChallengeOptions {
  /** Offer the DPoP scheme (RFC 9449 §7.1) with its `algs`. */
  readonly dpop: boolean;
  /** Every token must be DPoP-bound: no Bearer challenge. */
  readonly dpopRequired?: boolean;
  /** The metadata URL (RFC 9728 §5.1), on every challenge. */
  readonly resourceMetadataUrl?: string;
  /**
   * The scopes the request needs (RFC 6750 §3 `scope`), on every challenge: for an `insufficient_scope` the
   * authorizer answers itself. Scope tokens hold no `"` or `\` (RFC 6749 §3.3), so they need no escaping.
   */
  readonly scope?: readonly string[];
}

/**
 * The WWW-Authenticate value of a 401 (RFC 9110 §11.6.1: challenges separated by commas). API Gateway's
 * 401 is one static response whatever the authorizer found, so the error is `invalid_token` for a proof
 * problem too: RFC 9449 §7.1 would prefer `invalid_dpop_proof`, which a static response cannot choose.
 */
export function unauthorizedChallenge(error: string, options: ChallengeOptions): string {
  const scope =
    options.scope === undefined || options.scope.length === 0 ? '' : `, scope="${options.scope.join(' ')}"`;
  const metadata =
    options.resourceMetadataUrl === undefined ? '' : `, resource_metadata="${options.resourceMetadataUrl}"`;
  const bearer = `Bearer error="${error}"${scope}${metadata}`;
  if (!options.dpop) return bearer;
  const dpop = `${DPOP_SCHEME} error="${error}"${scope}, algs="${DPOP_SIGNING_ALGORITHMS.join(' ')}"${metadata}`;
  return options.dpopRequired === true ? dpop : `${bearer}, ${dpop}`;
}

/**
 * RFC 9449 §9: the challenge that asks for a proof with the server's nonce (the `DPoP-Nonce` header beside it).
 * A DPoP challenge only: the client is already using DPoP.
 */
export function useDpopNonceChallenge(): string {
  return (
    `DPoP error="use_dpop_nonce", error_description="${USE_DPOP_NONCE_DESCRIPTION}", ` +
    `algs="${DPOP_SIGNING_ALGORITHMS.join(' ')}"`
  );
}
