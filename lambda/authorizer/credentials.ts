// Reads the Authorization value as one of the two schemes this authorizer knows: `Bearer <token>` (RFC 6750
// §2.1) or `DPoP <token>` (RFC 9449 §7.1), whose token must be DPoP-bound and come with a proof.
import { DPOP_SCHEME } from '../contract/sender-constraint';
import { parseBearer, schemeToken } from './bearer';

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
  return { scheme: DPOP_SCHEME, token: schemeToken(header, DPOP, DPOP_SCHEME, maxTokenBytes) };
}
