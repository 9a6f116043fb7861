// One JWS signature check with a ready KeyObject, shared by access tokens (signature.ts) and DPoP proofs
// (dpop.ts), made the way node:crypto checks it fastest.
import { verify, type KeyObject } from 'node:crypto';
import type { Algorithm } from './algorithms';

/** The index of the first byte of an unsigned big-endian integer that is not a leading zero (its last byte at most). */
function firstSignificant(bytes: Uint8Array, start: number, end: number): number {
  let i = start;
  while (i < end - 1 && bytes[i] === 0) i++;
  return i;
}

/**
 * A JWS ECDSA signature (R and S, each `octets` bytes, big-endian; RFC 7518 §3.4) as the DER ECDSA-Sig-Value
 * node:crypto verifies by default: two INTEGERs in their minimal encoding. undefined when the signature is
 * not exactly 2 * `octets` bytes, which JWS allows no other way.
 */
export function ecdsaSignatureToDer(signature: Uint8Array, octets: number): Buffer | undefined {
  if (signature.length !== 2 * octets) return undefined;
  const rStart = firstSignificant(signature, 0, octets);
  const sStart = firstSignificant(signature, octets, 2 * octets);
  // A set top bit would read as negative: a zero byte goes first.
  const rPad = (signature[rStart] as number) >= 0x80 ? 1 : 0;
  const sPad = (signature[sStart] as number) >= 0x80 ? 1 : 0;
  const rLength = octets - rStart + rPad;
  const sLength = 2 * octets - sStart + sPad;
  const body = 2 + rLength + 2 + sLength;
  // At most 2 * (2 + 67) = 138 bytes (P-521), so a length takes one byte, after 0x81 from 128 on.
  const head = body < 0x80 ? 2 : 3;
  // From Buffer's shared pool, as Buffer.from takes small buffers (alloc would zero and own a fresh one):
  // every byte is written below.
  const der = Buffer.allocUnsafe(head + body);
  let at = 0;
  der[at++] = 0x30;
  if (head === 3) der[at++] = 0x81;
  der[at++] = body;
  der[at++] = 0x02;
  der[at++] = rLength;
  if (rPad === 1) der[at++] = 0;
  der.set(signature.subarray(rStart, octets), at);
  at += octets - rStart;
  der[at++] = 0x02;
  der[at++] = sLength;
  if (sPad === 1) der[at++] = 0;
  der.set(signature.subarray(sStart), at);
  return der;
}

/**
 * Whether `signature` is `algorithm`'s signature of `signingInput` under `key`, a key already held to fit the
 * algorithm (keyFitsAlgorithm). Throws only where node:crypto does; callers treat that as a bad signature.
 *
 * The KeyObject goes to node:crypto by itself wherever it can: given an options object instead (`{ key,
 * dsaEncoding }`), node:crypto (Node 24) tells whether that object is a key by catching two thrown errors,
 * and its own `ieee-p1363` conversion is slower than ecdsaSignatureToDer. Together about a third of an ES256
 * verification and nearly half of an RS256 one on the machine BENCHMARKS.md describes. Only PSS, whose
 * padding and salt length have no other way in, passes an options object.
 */
export function verifyJws(
  algorithm: Algorithm,
  key: KeyObject,
  signingInput: Buffer,
  signature: Buffer,
): boolean {
  if (algorithm.ecdsaOctets !== undefined) {
    const der = ecdsaSignatureToDer(signature, algorithm.ecdsaOctets);
    return der !== undefined && verify(algorithm.hash, signingInput, key, der);
  }
  if (algorithm.pss !== undefined) {
    return verify(algorithm.hash, signingInput, { key, ...algorithm.pss }, signature);
  }
  return verify(algorithm.hash, signingInput, key, signature);
}
