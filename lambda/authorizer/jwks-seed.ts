// The JWKS seed's contract, written once: a JSON object that maps each JWKS URI to its JWKS document
// ({"keys": [...]}). parseConfig reads it at init (JWKS_SEED_FILE); the construct and `npx bearer-gate-jwks-seed`
// render it. A document may carry two optional members of ours, which RFC 7517 §5 lets a JWK Set carry
// (readers ignore members they do not know): `fetchedAt`, when its keys were fetched (ISO 8601, UTC), and
// `issuer`, the issuer whose OIDC discovery named this URI. A seed without them is valid. A seed holds public
// keys only, and its metadata can only confirm what the configuration says, never widen it.
import type { Jwk, Jwks, JwkWithKid } from 'aws-jwt-verify/jwk';

/** Largest seed file accepted: a JWKS is a few KB, and the seed is parsed on every cold start. */
export const JWKS_SEED_MAX_BYTES = 256 * 1024;

export interface JwksSeedEntry {
  /** The JWKS URI, normalized (`new URL(uri).href`) as the configuration's URIs are. */
  readonly jwksUri: string;
  /** The document as seeded: its `keys` only. */
  readonly jwks: Jwks;
  /** When the keys were fetched (epoch ms); null when the seed does not say. */
  readonly fetchedAt: number | null;
  /**
   * The issuer whose discovery named `jwksUri` (null: not recorded). It stands in for discovery only for an
   * issuer trusted without a JWKS URI; for one configured with this URI it only confirms the configuration.
   */
  readonly issuer: string | null;
}

/** A trusted issuer as far as the seed is concerned: its `iss`, and its configured JWKS URI (null: discovered). */
export interface SeedTrust {
  readonly issuer: string;
  readonly jwksUri: string | null;
}

/**
 * The seed is malformed, too large, holds private or secret key material, or would widen trust (keys no trusted
 * issuer uses, or an issuer the configuration does not give that URI). The message says which and why.
 */
export class JwksSeedError extends Error {
  override readonly name = 'JwksSeedError';
  readonly code = 'INVALID_JWKS_SEED';
}

const ISO_INSTANT = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:\d\d)$/;

/**
 * JWK members that hold private or secret key material: RSA's (RFC 7518 §6.3.2), EC's and OKP's `d` (§6.2.2,
 * RFC 8037 §2), a symmetric key's `k` (§6.4), and an AKP key's `priv` (RFC 9964). A verifier needs none.
 */
const SECRET_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'priv', 'k'] as const;

/** What makes a JWK unfit to store or trust: its secret members (names only, never values); null for a public key. */
export interface SecretKeyMaterial {
  /** `kty` "oct", or a `k`: a shared secret, which anyone holding it could sign with. */
  readonly symmetric: boolean;
  readonly members: readonly string[];
}

export function secretKeyMaterial(jwk: object): SecretKeyMaterial | null {
  const members = SECRET_MEMBERS.filter((m) => Object.hasOwn(jwk, m));
  const symmetric = (jwk as { kty?: unknown }).kty === 'oct' || members.includes('k');
  return symmetric || members.length > 0 ? { symmetric, members } : null;
}

/** How messages and log lines name a key: its kid (cut to 64 characters; it comes from outside), or its place. */
export function keyName(jwk: object, index: number): string {
  const { kid } = jwk as { kid?: unknown };
  if (typeof kid !== 'string') return `#${index + 1} (no kid)`;
  return `kid ${JSON.stringify(kid.length > 64 ? `${kid.slice(0, 64)}…` : kid)}`;
}

/** A key the authorizer can verify with: a `kid`, a signature use (or none) and an asymmetric type. */
export function isSigningJwk(jwk: Jwk): jwk is JwkWithKid {
  // RFC 7517 §4.3: a key whose key_ops are given may be used only for those; verifying needs "verify".
  const ops = (jwk as { key_ops?: unknown }).key_ops;
  return (
    typeof jwk.kid === 'string' &&
    (jwk.use === undefined || jwk.use === 'sig') &&
    (ops === undefined || (Array.isArray(ops) && ops.includes('verify'))) &&
    (jwk.kty === 'RSA' || jwk.kty === 'EC' || jwk.kty === 'OKP')
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(message: string): never {
  throw new JwksSeedError(message);
}

/** An absolute https URL, normalized; the seed's keys are compared with the configuration's URIs. */
export function seedJwksUri(uri: string): string {
  let url: URL | undefined;
  try {
    url = new URL(uri);
  } catch {
    url = undefined;
  }
  if (url?.protocol !== 'https:') fail(`has a key "${uri}" that is not an absolute https JWKS URI`);
  return url.href;
}

function entry(uri: string, document: unknown): JwksSeedEntry {
  const jwksUri = seedJwksUri(uri);
  if (!isObject(document) || !Array.isArray(document.keys) || !document.keys.every(isObject)) {
    fail(`maps "${uri}" to something that is not a JWKS ({"keys": [...]})`);
  }
  const keys = document.keys as Jwk[];
  keys.forEach((jwk, index) => {
    const secret = secretKeyMaterial(jwk);
    if (secret === null) return;
    const what = secret.symmetric
      ? 'is a symmetric (shared secret) key'
      : `has private key members (${secret.members.join(', ')})`;
    fail(
      `maps "${uri}" to a JWKS whose key ${keyName(jwk, index)} ${what}: a seed holds public keys only. Remove ` +
        'that key, and have it replaced at the issuer: its secret is exposed',
    );
  });
  if (!keys.some(isSigningJwk)) {
    fail(`maps "${uri}" to a JWKS without a usable signing key (RSA, EC or OKP, with a kid)`);
  }
  const { fetchedAt, issuer } = document;
  if (fetchedAt !== undefined && (typeof fetchedAt !== 'string' || !ISO_INSTANT.test(fetchedAt))) {
    fail(`has a fetchedAt for "${uri}" that is not an ISO 8601 time like "2026-01-31T12:00:00Z"`);
  }
  if (issuer !== undefined && (typeof issuer !== 'string' || issuer.trim() === '')) {
    fail(`has an issuer for "${uri}" that is not a non-empty string`);
  }
  const at = fetchedAt === undefined ? null : Date.parse(fetchedAt);
  if (Number.isNaN(at)) fail(`has a fetchedAt for "${uri}" that is not a real time: "${String(fetchedAt)}"`);
  return { jwksUri, jwks: { keys }, fetchedAt: at, issuer: issuer ?? null };
}

/** The seed's entries; throws JwksSeedError naming what is wrong. */
export function parseJwksSeed(text: string): JwksSeedEntry[] {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > JWKS_SEED_MAX_BYTES) {
    fail(
      `is ${bytes} bytes, over the ${JWKS_SEED_MAX_BYTES}-byte limit; seed only the issuers this API trusts`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new JwksSeedError(`is not valid JSON (${(cause as Error).message})`, { cause });
  }
  if (!isObject(parsed) || Object.keys(parsed).length === 0) {
    fail(
      'must be a JSON object mapping each JWKS URI to its JWKS, like {"https://id.example.com/jwks": {"keys": [...]}}',
    );
  }
  const entries = Object.entries(parsed).map(([uri, document]) => entry(uri, document));
  const seen = new Set<string>();
  for (const { jwksUri } of entries) {
    if (seen.has(jwksUri)) fail(`names the JWKS URI "${jwksUri}" twice`);
    seen.add(jwksUri);
  }
  return entries;
}

/**
 * Refuses keys that no trusted issuer would fetch: an entry's URI must be a configured JWKS URI, or the entry
 * names (`issuer`) a trusted issuer without one, whose discovery found it. A seed must not widen what is trusted,
 * so its metadata may only confirm the configuration: an entry's keys serve only the issuers the configuration
 * gives that URI, and an issuer with a configured JWKS URI is never sent to discovery by a seed.
 */
export function checkSeedTrust(entries: readonly JwksSeedEntry[], trusted: readonly SeedTrust[]): void {
  const discovered = new Set<string>();
  for (const { jwksUri, issuer } of entries) {
    const pinnedTo = trusted.filter((t) => t.jwksUri === jwksUri).map((t) => `"${t.issuer}"`);
    if (issuer === null) {
      if (pinnedTo.length === 0) {
        fail(
          `has keys for "${jwksUri}", which no trusted issuer uses as its JWKS URI. Remove that entry, or for ` +
            'an issuer found by discovery record it with `npx bearer-gate-jwks-seed --issuer <issuer>`',
        );
      }
      continue;
    }
    const named = trusted.find((t) => t.issuer === issuer);
    if (named === undefined) fail(`has keys for "${jwksUri}" from issuer "${issuer}", which is not trusted`);
    if (named.jwksUri !== null && named.jwksUri !== jwksUri) {
      fail(
        `has keys for "${jwksUri}" from issuer "${issuer}", whose configured JWKS URI is "${named.jwksUri}"`,
      );
    }
    if (named.jwksUri === null) {
      if (pinnedTo.length > 0) {
        fail(
          `records issuer "${issuer}" for "${jwksUri}", the configured JWKS URI of ${pinnedTo.join(', ')}: ` +
            `its keys serve only the issuers configured with it. Remove "issuer" from that entry, or configure ` +
            `"${issuer}" with that JWKS URI`,
        );
      }
      if (discovered.has(issuer)) fail(`names issuer "${issuer}" for two JWKS URIs`);
      discovered.add(issuer);
    }
  }
}

/** The seed file's text: entries in the given order, with their metadata. `indent` 2 for a file to commit. */
export function formatJwksSeed(entries: readonly JwksSeedEntry[], indent = 0): string {
  const document: Record<string, unknown> = {};
  for (const { jwksUri, jwks, fetchedAt, issuer } of entries) {
    document[jwksUri] = {
      keys: jwks.keys,
      ...(fetchedAt === null ? {} : { fetchedAt: new Date(fetchedAt).toISOString() }),
      ...(issuer === null ? {} : { issuer }),
    };
  }
  return JSON.stringify(document, null, indent);
}
