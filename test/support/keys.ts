// Real signing keys and real signed tokens for tests: RSA and EC key pairs, exported as JWKs with a kid.
import {
  constants,
  createSign,
  generateKeyPairSync,
  randomUUID,
  sign as edSign,
  type KeyObject,
} from 'node:crypto';

export type Alg = 'RS256' | 'RS384' | 'RS512' | 'PS256' | 'PS384' | 'PS512' | 'ES256' | 'ES384' | 'EdDSA';

export interface TestKey {
  readonly kid: string;
  readonly alg: Alg;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  /** The public JWK as an issuer would publish it. */
  readonly jwk: Record<string, string>;
}

const HASH: Record<Alg, string | null> = {
  RS256: 'sha256',
  RS384: 'sha384',
  RS512: 'sha512',
  PS256: 'sha256',
  PS384: 'sha384',
  PS512: 'sha512',
  ES256: 'sha256',
  ES384: 'sha384',
  EdDSA: null,
};

export function createKey(alg: Alg = 'RS256', kid: string = `${alg.toLowerCase()}-${randomUUID()}`): TestKey {
  const pair = /^[RP]S/.test(alg)
    ? generateKeyPairSync('rsa', { modulusLength: 2048 })
    : alg === 'EdDSA'
      ? generateKeyPairSync('ed25519')
      : generateKeyPairSync('ec', { namedCurve: alg === 'ES256' ? 'P-256' : 'P-384' });
  const jwk = pair.publicKey.export({ format: 'jwk' }) as Record<string, string>;
  return {
    kid,
    alg,
    privateKey: pair.privateKey,
    publicKey: pair.publicKey,
    jwk: { ...jwk, kid, alg, use: 'sig' },
  };
}

export function b64url(value: string | Buffer | object): string {
  const buf = Buffer.isBuffer(value)
    ? value
    : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value), 'utf8');
  return buf.toString('base64url');
}

/** Signs `headerB64.payloadB64` with the key, as the issuer would. */
export function signInput(key: TestKey, input: string): string {
  const hash = HASH[key.alg];
  if (hash === null) return edSign(null, Buffer.from(input), key.privateKey).toString('base64url');
  const signer = createSign(hash);
  signer.update(input);
  if (key.alg.startsWith('PS')) {
    // RFC 7518 §3.5: MGF1 with the same digest, a salt as long as the digest.
    const saltLength = { sha256: 32, sha384: 48, sha512: 64 }[hash] as number;
    return signer
      .sign({ key: key.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength })
      .toString('base64url');
  }
  return signer
    .sign(key.alg.startsWith('ES') ? { key: key.privateKey, dsaEncoding: 'ieee-p1363' } : key.privateKey)
    .toString('base64url');
}

export interface SignOptions {
  /** Extra or overriding header parameters; pass undefined to drop one (e.g. kid). */
  readonly header?: Record<string, unknown>;
  /** Raw JSON text for the header or payload, to craft what JSON.stringify cannot (duplicate keys). */
  readonly rawHeader?: string;
  readonly rawPayload?: string;
}

const ISSUED = Symbol.for('bearer-gate.test.issued-signatures');

/** Every signature this test file has produced; test/setup/log-guard.ts checks none of them reaches a log. */
export function issuedSignatures(): Set<string> {
  const holder = globalThis as unknown as Record<symbol, Set<string> | undefined>;
  return (holder[ISSUED] ??= new Set());
}

export function signToken(key: TestKey, payload: Record<string, unknown>, options: SignOptions = {}): string {
  const header = { alg: key.alg, kid: key.kid, typ: 'at+jwt', ...options.header };
  const input = `${b64url(options.rawHeader ?? header)}.${b64url(options.rawPayload ?? payload)}`;
  const signature = signInput(key, input);
  issuedSignatures().add(signature);
  return `${input}.${signature}`;
}

/** The payload a compact JWS carries, decoded without any check (what a client may read of its token). */
export function payloadOf<T = Record<string, unknown>>(token: string): T {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as T;
}

/** Standard claims for a token that the default test configuration accepts. */
export function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: 'https://issuer.test',
    aud: 'https://api.test',
    sub: 'user-1',
    client_id: 'client-1',
    scope: 'items:read items:write',
    iat: now - 10,
    exp: now + 300,
    jti: randomUUID(),
    ...overrides,
  };
}
