// Verifies one DPoP proof (RFC 9449 §4.3) against the request and the access token it comes with: a pure
// function of plain values. The replay check (jti seen before) is dpop-replay.ts's; the caller adds it.
import { createPublicKey, hash, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { JwkWithKid } from 'aws-jwt-verify/jwk';
import { DPOP_SIGNING_ALGORITHMS } from '../contract/sender-constraint';
import { algorithmOf, keyFitsAlgorithm, MIN_RSA_BITS, type Algorithm } from './algorithms';
import { normalizeTokenType } from './config';
import { TokenRejectedError, type RejectReason } from './errors';
import { secretKeyMaterial } from './jwks-seed';
import { verifyJws } from './jws-verify';
import { LruCache } from './lru-cache';
import { decodeSegment } from './token';

/** Far above any real proof (an RSA-4096 key and signature make about 2.5 KB): junk costs a length read. */
export const MAX_PROOF_BYTES = 8192;
/** Bounds the replay store's keys; RFC 9449 §4.2 asks for 96 random bits, some 16 characters. */
export const MAX_JTI_CHARS = 256;

const SEGMENTS = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/;
const THUMBPRINT = /^[A-Za-z0-9_-]{43}$/;
/** Header parameters that point at other keys, or extensions we do not understand (RFC 7515 §4.1.11). */
const FORBIDDEN_HEADERS = ['jku', 'x5u', 'x5c', 'crit'] as const;
/** RFC 7638 §3.2: the required members of each key type, in lexicographic order. */
const THUMBPRINT_MEMBERS: Readonly<Record<string, readonly string[]>> = {
  RSA: ['e', 'kty', 'n'],
  EC: ['crv', 'kty', 'x', 'y'],
  OKP: ['crv', 'kty', 'x'],
};

export interface ProofExpectation {
  /** The request's method, as API Gateway passes it. */
  readonly method: string;
  /** The request's URL without query and fragment (dpop-request.ts derives it). */
  readonly url: string;
  /** The access token the proof must hash (`ath`). */
  readonly accessToken: string;
  /** The token's `cnf.jkt`: the thumbprint of the only key that may sign. */
  readonly jkt: string;
  readonly nowSeconds: number;
  readonly maxAgeSeconds: number;
  /** How far in the future an `iat` may be (the client's clock may run ahead). */
  readonly clockSkewSeconds: number;
}

export interface VerifiedProof {
  readonly jti: string;
  readonly iat: number;
  /** The signing key's thumbprint (equal to cnf.jkt). */
  readonly jkt: string;
  /** The `nonce` claim as the proof has it, unchecked: dpop-nonce.ts judges it when nonces are on. */
  readonly nonce: unknown;
}

function reject(code: RejectReason, message: string): TokenRejectedError {
  return new TokenRejectedError(code, message);
}

function b64urlSha256(text: string): string {
  return hash('sha256', text, 'base64url');
}

/** RFC 9449 §4.2 `ath`: base64url of the SHA-256 of the token's ASCII text. */
function accessTokenHash(accessToken: string): string {
  return b64urlSha256(accessToken);
}

/** RFC 7638 thumbprint (SHA-256) of a public JWK, or undefined when a required member is missing or not a string. */
export function jwkThumbprint(jwk: Readonly<Record<string, unknown>>): string | undefined {
  const members = typeof jwk.kty === 'string' ? THUMBPRINT_MEMBERS[jwk.kty] : undefined;
  if (members === undefined) return undefined;
  const canonical: Record<string, string> = {};
  for (const name of members) {
    const value = jwk[name];
    if (typeof value !== 'string' || value === '') return undefined;
    canonical[name] = value;
  }
  return b64urlSha256(JSON.stringify(canonical));
}

/** Whether this is a well-formed `cnf.jkt` (a base64url SHA-256 thumbprint). */
export function isThumbprint(value: unknown): value is string {
  return typeof value === 'string' && THUMBPRINT.test(value);
}

/** RFC 3986 §6.2.2: percent-escapes in upper case, unreserved characters decoded. */
function normalizePercentEncoding(path: string): string {
  return path.replace(/%[0-9A-Fa-f]{2}/g, (escape) => {
    const char = String.fromCharCode(parseInt(escape.slice(1), 16));
    return /[A-Za-z0-9\-._~]/.test(char) ? char : escape.toUpperCase();
  });
}

/**
 * A URL as RFC 9449 §4.3 compares `htu`: scheme and host in lower case, the default port dropped, dot
 * segments resolved and percent-escapes normalized (RFC 3986 §6.2.2-6.2.3), query and fragment ignored.
 * undefined for anything that is not an absolute http(s) URL.
 */
export function normalizeHtu(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return undefined;
  if (parsed.username !== '' || parsed.password !== '') return undefined;
  return `${parsed.protocol}//${parsed.host}${normalizePercentEncoding(parsed.pathname)}`;
}

/** At most this many normalized request URLs are kept, each of at most MAX_CACHED_URL_CHARS characters. */
export const MAX_CACHED_REQUEST_URLS = 256;
const MAX_CACHED_URL_CHARS = 2048;

/** Request URLs normalized, by their exact text: an API's clients call the same few URLs again and again. */
const requestUrls = new LruCache<string, string>(MAX_CACHED_REQUEST_URLS);

/**
 * normalizeHtu of the URL a request was made to, which every proof's htu must match: remembered for the next
 * request to the same URL (a parse with `new URL` is about a sixth of a proof's checks besides its signature).
 * Only well-formed URLs of at most 2,048 characters are kept, so the cache holds at most half a megabyte.
 */
export function normalizeRequestUrl(url: string): string | undefined {
  const cached = requestUrls.get(url);
  if (cached !== undefined) return cached;
  const normalized = normalizeHtu(url);
  if (normalized !== undefined && url.length <= MAX_CACHED_URL_CHARS) requestUrls.set(url, normalized);
  return normalized;
}

/** What a proof's header establishes once checked: a function of its text alone. */
interface ProofHeader {
  readonly algorithm: Algorithm;
  /** The RFC 7638 thumbprint of the header's jwk. */
  readonly thumbprint: string;
  readonly key: KeyObject;
}

/** At most this many checked proof headers are kept, each under MAX_PROOF_BYTES. */
export const MAX_CACHED_PROOF_HEADERS = 256;

/**
 * Checked proof headers by their exact text. A client sends the same header (typ, alg, its jwk) with every
 * proof, so decoding it, checking and thumbprinting its jwk and importing the key are paid once per header.
 * A header gets in only with a proof whose signature it verified, for a token bound to its key, so only that
 * key's holder can add one. Any other text (another key, alg or member) is checked afresh; a hit is still
 * held to this token's cnf.jkt, and every proof's signature is still verified.
 */
const proofHeaders = new LruCache<string, ProofHeader>(MAX_CACHED_PROOF_HEADERS);

/** How many checked proof headers this instance holds (for tests: the cache is bounded and filled only so). */
export function cachedProofHeaders(): number {
  return proofHeaders.size;
}

function keyMismatch(): TokenRejectedError {
  return reject('DPOP_KEY_MISMATCH', "the proof key's thumbprint is not the token's cnf.jkt");
}

/**
 * The checked header, its key bound to `jkt` (imported only once it matches), and whether it came from the
 * cache; the caller remembers a new one once the proof's signature verified.
 */
function proofHeader(headerB64: string, jkt: string): [ProofHeader, boolean] {
  const cached = proofHeaders.get(headerB64);
  if (cached !== undefined) {
    if (cached.thumbprint !== jkt) throw keyMismatch();
    return [cached, true];
  }
  const header = decodeProofSegment(headerB64, 'header');
  if (typeof header.typ !== 'string' || normalizeTokenType(header.typ) !== 'dpop+jwt') {
    throw reject('DPOP_MALFORMED_PROOF', 'proof typ must be dpop+jwt');
  }
  const alg = header.alg;
  const algorithm = algorithmOf(alg);
  if (typeof alg !== 'string' || algorithm === undefined || !DPOP_SIGNING_ALGORITHMS.includes(alg)) {
    throw reject('DPOP_UNSUPPORTED_ALGORITHM', 'proof alg is not an accepted asymmetric algorithm');
  }
  for (const name of FORBIDDEN_HEADERS) {
    if (header[name] !== undefined) {
      throw reject('DPOP_MALFORMED_PROOF', `proof header parameter "${name}" is not accepted`);
    }
  }
  const [jwk, thumbprint] = proofKey(header, alg);
  if (thumbprint !== jkt) throw keyMismatch();
  return [{ algorithm, thumbprint, key: importProofKey(jwk) }, false];
}

/** Imports the proof's public key, which must be fit to verify (an RSA key of MIN_RSA_BITS or more). */
function importProofKey(jwk: Record<string, unknown>): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' });
  } catch {
    throw reject('DPOP_BAD_KEY', 'the proof key cannot be imported');
  }
  const bits = key.asymmetricKeyDetails?.modulusLength;
  if (bits !== undefined && bits < MIN_RSA_BITS) {
    throw reject(
      'DPOP_BAD_KEY',
      `the proof's RSA key has ${bits} bits; at least ${MIN_RSA_BITS} are required`,
    );
  }
  return key;
}

function decodeProofSegment(segment: string, what: string): Record<string, unknown> {
  try {
    return decodeSegment(segment, what);
  } catch (error) {
    throw reject('DPOP_MALFORMED_PROOF', `proof ${(error as Error).message}`);
  }
}

/** The proof's public key: a plain public JWK of the alg's type, fit to verify. */
function proofKey(header: Record<string, unknown>, alg: string): [Record<string, unknown>, string] {
  const jwk = header.jwk;
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) {
    throw reject('DPOP_BAD_KEY', 'the proof header has no jwk object');
  }
  const key = jwk as Record<string, unknown>;
  // The same rule as for the issuers' keys: no private or secret member, no symmetric key.
  const secret = secretKeyMaterial(key);
  if (secret !== null) {
    throw reject(
      'DPOP_BAD_KEY',
      secret.members.length > 0
        ? `the proof jwk has the private member "${secret.members[0]}"`
        : 'the proof jwk is a symmetric key',
    );
  }
  if (key.use !== undefined && key.use !== 'sig')
    throw reject('DPOP_BAD_KEY', 'the proof jwk is not for signing');
  if (key.key_ops !== undefined && !(Array.isArray(key.key_ops) && key.key_ops.includes('verify'))) {
    throw reject('DPOP_BAD_KEY', 'the proof jwk key_ops does not allow verify');
  }
  if (!keyFitsAlgorithm(key as unknown as JwkWithKid, alg)) {
    throw reject('DPOP_BAD_KEY', `the proof jwk does not fit alg ${alg}`);
  }
  const thumbprint = jwkThumbprint(key);
  if (thumbprint === undefined) throw reject('DPOP_BAD_KEY', 'the proof jwk lacks a required member');
  return [key, thumbprint];
}

/**
 * Checks everything RFC 9449 §4.3 asks of one proof except jti uniqueness (step 11's replay check) and the
 * server nonce (step 10, dpop-nonce.ts). Throws TokenRejectedError with a DPOP_* code; never logs or echoes
 * the proof.
 */
export function verifyDpopProof(proof: string, expect: ProofExpectation): VerifiedProof {
  if (proof.length > MAX_PROOF_BYTES) {
    throw reject('DPOP_MALFORMED_PROOF', `proof longer than ${MAX_PROOF_BYTES} bytes`);
  }
  const parts = SEGMENTS.exec(proof);
  if (!parts) throw reject('DPOP_MALFORMED_PROOF', 'proof is not one compact JWS (three base64url segments)');
  const [, headerB64, payloadB64, signatureB64] = parts as unknown as [string, string, string, string];
  const signature = Buffer.from(signatureB64, 'base64url');
  if (signature.toString('base64url') !== signatureB64) {
    throw reject('DPOP_MALFORMED_PROOF', 'proof signature is not canonical base64url');
  }
  const [checked, cached] = proofHeader(headerB64, expect.jkt);
  const { algorithm, thumbprint, key } = checked;
  let valid: boolean;
  try {
    // The proof up to its last dot, which the pattern above holds to ASCII: its latin1 bytes are its UTF-8.
    const signingInput = Buffer.from(proof.slice(0, headerB64.length + 1 + payloadB64.length), 'latin1');
    valid = verifyJws(algorithm, key, signingInput, signature);
  } catch {
    valid = false;
  }
  if (!valid) throw reject('DPOP_BAD_SIGNATURE', 'proof signature does not verify with its jwk');
  if (!cached) proofHeaders.set(headerB64, checked);

  const claims = decodeProofSegment(payloadB64, 'payload');
  const { jti, htm, htu, iat, ath, nonce } = claims;
  if (typeof jti !== 'string' || jti === '' || jti.length > MAX_JTI_CHARS) {
    throw reject('DPOP_MALFORMED_PROOF', `proof jti must be a string of 1 to ${MAX_JTI_CHARS} characters`);
  }
  if (typeof htm !== 'string' || typeof htu !== 'string') {
    throw reject('DPOP_MALFORMED_PROOF', 'proof htm and htu must be strings');
  }
  if (typeof iat !== 'number' || !Number.isFinite(iat)) {
    throw reject('DPOP_MALFORMED_PROOF', 'proof iat must be a number');
  }
  if (htm !== expect.method) throw reject('DPOP_WRONG_METHOD', 'proof htm is not the request method');
  const expectedUrl = normalizeRequestUrl(expect.url);
  // Clients send the URL they called, so htu is mostly that text exactly and needs no parse of its own.
  if (expectedUrl === undefined || (htu !== expect.url && normalizeHtu(htu) !== expectedUrl)) {
    throw reject('DPOP_WRONG_URL', 'proof htu is not the request URL');
  }
  if (iat > expect.nowSeconds + expect.clockSkewSeconds) {
    throw reject('DPOP_STALE_PROOF', 'proof iat is in the future');
  }
  if (iat < expect.nowSeconds - expect.maxAgeSeconds) {
    throw reject('DPOP_STALE_PROOF', `proof is older than ${expect.maxAgeSeconds} seconds`);
  }
  if (typeof ath !== 'string' || ath !== accessTokenHash(expect.accessToken)) {
    throw reject('DPOP_WRONG_ATH', 'proof ath is missing or is not the hash of the access token');
  }
  return { jti, iat, jkt: thumbprint, nonce };
}
