// Extracts the one token from an `Authorization: Bearer <token>` value (RFC 6750 §2.1).
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
  // 'Bearer ' plus the token; UTF-16 length is a lower bound on bytes, so this check never under-counts ASCII.
  if (header.length > maxTokenBytes + 16) {
    throw new TokenRejectedError('TOKEN_TOO_LARGE', `Authorization value longer than ${maxTokenBytes} bytes`);
  }
  const match = BEARER.exec(header.trim());
  if (!match) {
    throw new TokenRejectedError('MALFORMED_HEADER', 'expected "Bearer <token>" with exactly one token');
  }
  const token = match[1] as string;
  if (token.length > maxTokenBytes) {
    throw new TokenRejectedError('TOKEN_TOO_LARGE', `token longer than ${maxTokenBytes} bytes`);
  }
  return token;
}
