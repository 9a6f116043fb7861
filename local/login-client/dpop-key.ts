// The DPoP key `npm run login -- --dpop` binds its token to (RFC 9449): an ES256 key pair kept as a private
// JWK file next to the stack file (mode 0600), so that `npm run call` can sign proofs with it later.
import { webcrypto } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { LocalStackError } from '../errors';

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;

/** `.local-stack.json` → `.local-stack.dpop-key.json`, in the same (gitignored) place. */
export function dpopKeyPath(stackFile: string): string {
  return stackFile.endsWith('.json')
    ? `${stackFile.slice(0, -5)}.dpop-key.json`
    : `${stackFile}.dpop-key.json`;
}

/** A fresh key pair; extractable only so its private JWK can be written to the key file. */
export async function generateDpopKey(): Promise<webcrypto.CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
}

export async function writeDpopKeyFile(path: string, keyPair: webcrypto.CryptoKeyPair): Promise<void> {
  const jwk = await webcrypto.subtle.exportKey('jwk', keyPair.privateKey);
  // The file holds a private key: readable by its owner only, like an SSH key.
  writeFileSync(path, JSON.stringify({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y, d: jwk.d }) + '\n', {
    mode: 0o600,
  });
}

/** The key pair from the key file; the private key is imported non-extractable. */
export async function readDpopKeyFile(path: string): Promise<webcrypto.CryptoKeyPair> {
  let jwk: webcrypto.JsonWebKey;
  try {
    jwk = JSON.parse(readFileSync(path, 'utf8')) as webcrypto.JsonWebKey;
  } catch (cause) {
    throw new LocalStackError('LOGIN_FAILED', `no DPoP key at ${path}; run npm run login -- --dpop first`, {
      cause,
    });
  }
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || typeof jwk.d !== 'string') {
    throw new LocalStackError('LOGIN_FAILED', `${path} is not a private P-256 JWK`);
  }
  const { d: _d, ...publicJwk } = jwk;
  return {
    privateKey: await webcrypto.subtle.importKey('jwk', jwk, ALGORITHM, false, ['sign']),
    publicKey: await webcrypto.subtle.importKey('jwk', publicJwk, ALGORITHM, true, ['verify']),
  };
}
