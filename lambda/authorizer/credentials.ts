// Reads the Authorization value as one of the two schemes this authorizer knows: `Bearer <token>` (RFC 6750
// §2.1) or `DPoP <token>` (RFC 9449 §7.1), whose token must be DPoP-bound and come with a proof.
import { DPOP_SCHEME } from '../contract/sender-constraint';
import { parseBearer } from './bearer';
import { TokenRejectedError } from './errors';

export type AuthScheme = 'Bearer' | typeof DPOP_SCHEME;

export interface Credentials {
  readonly scheme: AuthScheme;
  readonly token: string;
}

const DPOP = /^dpop +([A-Za-z0-9\-._~+/]+=*)$/i;

/** Throws TokenRejectedError as parseBearer does; a `DPoP` value is held to the same shape and size. */
export function parseCredentials(header: unknown, maxTokenBytes: number): Credentials {
  if (typeof header !== 'string' || !/^\s*dpop\s/i.test(header)) {
    return { scheme: 'Bearer', token: parseBearer(header, maxTokenBytes) };
  }
  if (header.length > maxTokenBytes + 16) {
    throw new TokenRejectedError('TOKEN_TOO_LARGE', `Authorization value longer than ${maxTokenBytes} bytes`);
  }
  const match = DPOP.exec(header.trim());
  if (!match) {
    throw new TokenRejectedError('MALFORMED_HEADER', 'expected "DPoP <token>" with exactly one token');
  }
  const token = match[1] as string;
  if (token.length > maxTokenBytes) {
    throw new TokenRejectedError('TOKEN_TOO_LARGE', `token longer than ${maxTokenBytes} bytes`);
  }
  return { scheme: DPOP_SCHEME, token };
}
