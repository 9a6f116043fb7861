// Extracts the one token of an Authorization value in one scheme: `Bearer <token>` (RFC 6750 §2.1) or DPoP's.
import { TokenRejectedError } from './errors';

// b64token per RFC 6750, which is wider than a JWT; the JWT shape is checked later.
const BEARER = /^bearer +([A-Za-z0-9\-._~+/]+=*)$/i;

/**
 * Returns the token, or throws TokenRejectedError. The size is checked before any other parsing so an
 * oversized header costs nothing but a length read.
 */
export function parseBearer(header: unknown, maxTokenBytes: number): string {
  if (typeof header !== 'string' || header.trim() === '') {
    throw new TokenRejectedError('MISSING_TOKEN', 'no Authorization value');
  }
  return schemeToken(header, BEARER, 'Bearer', maxTokenBytes);
}

/**
 * The one token of `header`, which `pattern` (`<scheme> +<b64token>`, case-insensitive) must match once
 * trimmed; a too long value or token is refused first.
 */
export function schemeToken(header: string, pattern: RegExp, scheme: string, maxTokenBytes: number): string {
  // The scheme plus the token; UTF-16 length is a lower bound on bytes, so this check never under-counts ASCII.
  if (header.length > maxTokenBytes + 16) {
    throw new TokenRejectedError('TOKEN_TOO_LARGE', `Authorization value longer than ${maxTokenBytes} bytes`);
  }
  const match = pattern.exec(header.trim());
  if (!match) {
    throw new TokenRejectedError('MALFORMED_HEADER', `expected "${scheme} <token>" with exactly one token`);
  }
  const token = match[1] as string;
  if (token.length > maxTokenBytes) {
    throw new TokenRejectedError('TOKEN_TOO_LARGE', `token longer than ${maxTokenBytes} bytes`);
  }
  return token;
}
