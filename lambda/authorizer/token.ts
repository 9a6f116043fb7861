// Decodes a compact JWS strictly, before any key lookup: shape, algorithm, header parameters and claim types.
import type { JwtHeader, JwtPayload } from 'aws-jwt-verify/jwt-model';
import { TokenRejectedError } from './errors';
import { isAcceptedAlgorithm } from './algorithms';
import { noteExactNumbers } from './json-number';

/**
 * Header parameters that point at key material the token chooses for itself. We never use them to find
 * a key, and a token that carries them is refused outright (RFC 8725 §3.10). `crit` is refused because
 * we understand no extensions (RFC 7515 §4.1.11).
 */
const FORBIDDEN_HEADERS = ['jku', 'x5u', 'jwk', 'x5c', 'crit'] as const;

const SEGMENTS = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/;
const KID = /^[\x20-\x7e]{1,256}$/;
const MAX_DEPTH = 16;

export interface DecodedToken {
  readonly header: JwtHeader;
  readonly payload: JwtPayload;
  readonly headerB64: string;
  readonly payloadB64: string;
  /** The signature's bytes, decoded once. */
  readonly signature: Buffer;
}

function malformed(message: string): TokenRejectedError {
  return new TokenRejectedError('MALFORMED_TOKEN', message);
}

export function decodeSegment(segment: string, what: string): Record<string, unknown> {
  if (segment.length % 4 === 1) throw malformed(`${what} is not valid base64url`);
  const text = Buffer.from(segment, 'base64url').toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw malformed(`${what} is not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw malformed(`${what} is not a JSON object`);
  }
  // Fast path: if re-serializing reproduces the text exactly, there can be no duplicate keys, the value
  // nests exactly as deeply as the text (walking the value is cheaper than scanning the text again), and
  // every number is spelled as its double is, so no number needs its text kept (json-number.ts).
  if (JSON.stringify(value) !== text) {
    assertPlainJson(text, what);
    noteExactNumbers(value, text);
  } else if (nestedDeeperThan(value, MAX_DEPTH)) throw malformed(`${what} is nested too deeply`);
  if (Object.prototype.hasOwnProperty.call(value, '__proto__'))
    throw malformed(`${what} has a __proto__ member`);
  return value as Record<string, unknown>;
}

/** Whether objects and arrays nest more than `levels` deep in `value` (itself one level). */
function nestedDeeperThan(value: object, levels: number): boolean {
  if (levels === 0) return true;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (typeof item === 'object' && item !== null && nestedDeeperThan(item, levels - 1)) return true;
    }
  } else {
    for (const key in value) {
      const item: unknown = (value as Record<string, unknown>)[key];
      if (typeof item === 'object' && item !== null && nestedDeeperThan(item, levels - 1)) return true;
    }
  }
  return false;
}

/**
 * Rejects duplicate member names (RFC 7515 §4: a JOSE header must not have them, and parsers disagree on
 * which one wins) and excessive nesting. Runs only on text already accepted by JSON.parse.
 */
function assertPlainJson(text: string, what: string): void {
  const stack: Array<Set<string> | null> = [];
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      let j = i + 1;
      while (text.charCodeAt(j) !== 0x22) j += text.charCodeAt(j) === 0x5c /* \ */ ? 2 : 1;
      const top = stack[stack.length - 1];
      if (expectKey && top) {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (top.has(key)) throw malformed(`${what} has duplicate member "${key.slice(0, 40)}"`);
        top.add(key);
        expectKey = false;
      }
      i = j;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      stack.push(c === 0x7b ? new Set() : null);
      if (stack.length > MAX_DEPTH) throw malformed(`${what} is nested too deeply`);
      expectKey = c === 0x7b;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
    } else if (c === 0x2c /* , */) {
      expectKey = stack[stack.length - 1] !== null && stack.length > 0;
    }
  }
}

/**
 * The latest second a JavaScript Date can hold (ECMA-262 time values: at most 8.64e15 ms from the epoch). A time claim beyond it
 * names no instant, and turning it into a Date (as aws-jwt-verify does for its error messages) throws.
 */
export const MAX_NUMERIC_DATE = 8_640_000_000_000;

/** RFC 7519's NumericDate, as we accept it: whole seconds from the epoch to the last a Date can hold. */
function isNumericDate(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= MAX_NUMERIC_DATE;
}

function isStringOrStrings(value: unknown): boolean {
  return typeof value === 'string' || (Array.isArray(value) && value.every((v) => typeof v === 'string'));
}

function assertClaimTypes(payload: Record<string, unknown>): void {
  // auth_time (OIDC Core §2) is read by no check here, but CONTEXT_CLAIMS may hand it to integrations.
  for (const name of ['exp', 'nbf', 'iat', 'auth_time'] as const) {
    if (payload[name] !== undefined && !isNumericDate(payload[name])) {
      throw new TokenRejectedError(
        'INVALID_CLAIM',
        `${name} must be a whole number of seconds from 0 to ${MAX_NUMERIC_DATE}`,
      );
    }
  }
  for (const name of ['iss', 'sub', 'jti', 'client_id', 'azp', 'cid', 'token_use'] as const) {
    if (payload[name] !== undefined && typeof payload[name] !== 'string') {
      throw new TokenRejectedError('INVALID_CLAIM', `${name} must be a string`);
    }
  }
  for (const name of ['aud', 'scope', 'scp'] as const) {
    if (payload[name] !== undefined && !isStringOrStrings(payload[name])) {
      throw new TokenRejectedError('INVALID_CLAIM', `${name} must be a string or an array of strings`);
    }
  }
}

/** Splits and decodes the token. Throws TokenRejectedError with the precise reason. Verifies nothing. */
export function decodeToken(token: string): DecodedToken {
  const parts = SEGMENTS.exec(token);
  if (!parts) throw malformed('not three base64url segments');
  const [, headerB64, payloadB64, signatureB64] = parts as unknown as [string, string, string, string];
  // Only the canonical spelling (spare bits zero, RFC 4648 §3.5): otherwise one signed token would have up
  // to 16 spellings that all verify, each a new key for API Gateway's result cache and for anything that
  // remembers tokens by their text.
  const signature = Buffer.from(signatureB64, 'base64url');
  if (signature.toString('base64url') !== signatureB64)
    throw malformed('signature is not canonical base64url');

  const header = decodeSegment(headerB64, 'header');
  const alg = header.alg;
  if (!isAcceptedAlgorithm(alg)) {
    throw new TokenRejectedError(
      'UNSUPPORTED_ALGORITHM',
      `alg ${JSON.stringify(alg)?.slice(0, 20)} is not accepted`,
    );
  }
  for (const name of FORBIDDEN_HEADERS) {
    if (header[name] !== undefined) {
      throw new TokenRejectedError('FORBIDDEN_HEADER', `header parameter "${name}" is not accepted`);
    }
  }
  if (header.kid === undefined) throw new TokenRejectedError('MISSING_KID', 'header has no kid');
  if (typeof header.kid !== 'string' || !KID.test(header.kid)) {
    throw new TokenRejectedError('MALFORMED_TOKEN', 'kid must be 1 to 256 printable characters');
  }
  if (header.typ !== undefined && typeof header.typ !== 'string') {
    throw new TokenRejectedError('MALFORMED_TOKEN', 'typ must be a string');
  }

  const payload = decodeSegment(payloadB64, 'payload');
  assertClaimTypes(payload);
  return { header: header as JwtHeader, payload: payload as JwtPayload, headerB64, payloadB64, signature };
}
