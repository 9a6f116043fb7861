// DPoP proofs for tests (RFC 9449 §4.2), made independently of the authorizer's code: the thumbprint and the
// token hash are computed here from the RFCs' text, so they serve as the oracle for the code under test.
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { b64url, issuedSignatures, signInput, type TestKey } from './keys';

/** RFC 7638 §3: SHA-256 over the required members, in lexicographic order, with no whitespace. */
export function thumbprint(jwk: Record<string, string>): string {
  const required =
    jwk.kty === 'RSA' ? ['e', 'kty', 'n'] : jwk.kty === 'EC' ? ['crv', 'kty', 'x', 'y'] : ['crv', 'kty', 'x'];
  const json = `{${required.map((name) => `"${name}":"${jwk[name]}"`).join(',')}}`;
  return createHash('sha256').update(json, 'utf8').digest('base64url');
}

/** RFC 9449 §4.2: base64url(SHA-256(ASCII(access token))). */
export function ath(token: string): string {
  return createHash('sha256').update(token, 'ascii').digest('base64url');
}

/** The public JWK a client puts in its proof header: only the key's own members. */
export function publicJwk(key: TestKey): Record<string, string> {
  const { kid: _kid, alg: _alg, use: _use, ...jwk } = key.jwk;
  return jwk;
}

export interface ProofOptions {
  readonly htm: string;
  readonly htu: string;
  /** The access token to hash into `ath`; undefined leaves `ath` out. */
  readonly token: string | undefined;
  readonly iat?: number;
  readonly jti?: string;
  /** Header members to add or override (undefined removes one). */
  readonly header?: Record<string, unknown>;
  readonly claims?: Record<string, unknown>;
  /** Sign with this key instead (the header still names `key`'s jwk). */
  readonly signWith?: TestKey;
  /** Sign with HMAC-SHA256 under this secret instead of the key. */
  readonly hmacSecret?: string;
  /** An empty signature (for alg none). */
  readonly unsigned?: boolean;
}

export function makeProof(key: TestKey, options: ProofOptions): string {
  const header: Record<string, unknown> = { typ: 'dpop+jwt', alg: key.alg, jwk: publicJwk(key) };
  for (const [name, value] of Object.entries(options.header ?? {})) {
    if (value === undefined) delete header[name];
    else header[name] = value;
  }
  const payload: Record<string, unknown> = {
    jti: options.jti ?? randomUUID(),
    htm: options.htm,
    htu: options.htu,
    iat: options.iat ?? Math.floor(Date.now() / 1000),
    ...(options.token === undefined ? {} : { ath: ath(options.token) }),
  };
  for (const [name, value] of Object.entries(options.claims ?? {})) {
    if (value === undefined) delete payload[name];
    else payload[name] = value;
  }
  const input = `${b64url(header)}.${b64url(payload)}`;
  if (options.unsigned === true) return `${input}.`;
  const signature =
    options.hmacSecret !== undefined
      ? createHmac('sha256', options.hmacSecret).update(input).digest('base64url')
      : signInput(options.signWith ?? key, input);
  issuedSignatures().add(signature);
  return `${input}.${signature}`;
}
