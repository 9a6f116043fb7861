// The one node:crypto call that checks a JWS signature, for access tokens (signature.ts) and DPoP proofs
// (dpop.ts). On Node 24, `verify` given an options object (`{ key, dsaEncoding }`) costs about 15 µs more per
// call than given the KeyObject itself (about 40% of an RS256 verify: `npm run bench`), so the key is passed
// bare wherever the algorithm allows: RS* and EdDSA as they are, ES* after the JWS signature (r || s, RFC 7518
// §3.4) is re-encoded as the DER that a bare EC key expects. Only PS* keeps the options (its padding).
import { verify, type KeyObject } from 'node:crypto';
import type { Algorithm } from './algorithms';

/**
 * Whether `signature` is a valid JWS signature of `signingInput` under `key` for `algorithm`. Throws only what
 * node:crypto throws (e.g. a key of the wrong type); a signature of the wrong shape is simply invalid.
 */
export function verifyJwsSignature(
  algorithm: Algorithm,
  key: KeyObject,
  signingInput: Buffer,
  signature: Buffer,
): boolean {
  if (algorithm.pss !== undefined)
    return verify(algorithm.hash, signingInput, { key, ...algorithm.pss }, signature);
  if (algorithm.ecdsaBytes === undefined) return verify(algorithm.hash, signingInput, key, signature);
  const der = ecdsaDer(signature, algorithm.ecdsaBytes);
  return der !== null && verify(algorithm.hash, signingInput, key, der);
}

/**
 * The DER `SEQUENCE { INTEGER r, INTEGER s }` of a JWS ECDSA signature (r and s, each `size` bytes, big-endian),
 * in the one canonical form OpenSSL accepts: no leading zero bytes but one where the high bit is set. null when
 * the signature is not exactly 2 × size bytes (RFC 7518 §3.4: such a signature is invalid).
 */
export function ecdsaDer(signature: Buffer, size: number): Buffer | null {
  if (signature.length !== 2 * size) return null;
  const r = derInteger(signature, 0, size);
  const s = derInteger(signature, size, 2 * size);
  const body = r.length + s.length;
  // P-521's body can pass 127 bytes, which DER writes in the long form (0x81, then the length).
  const header = body < 0x80 ? [0x30, body] : [0x30, 0x81, body];
  const out = Buffer.allocUnsafe(header.length + body);
  out.set(header, 0);
  r.copy(out, header.length);
  s.copy(out, header.length + r.length);
  return out;
}

/** One DER INTEGER (tag, length, content) of the unsigned big-endian bytes `bytes[start, end)`. */
function derInteger(bytes: Buffer, start: number, end: number): Buffer {
  let first = start;
  while (first < end - 1 && bytes[first] === 0) first++;
  const pad = bytes[first]! >= 0x80 ? 1 : 0;
  const length = end - first + pad;
  const out = Buffer.allocUnsafe(2 + length);
  out[0] = 0x02;
  out[1] = length;
  if (pad === 1) out[2] = 0;
  bytes.copy(out, 2 + pad, first, end);
  return out;
}
