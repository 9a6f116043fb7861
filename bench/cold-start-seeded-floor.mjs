// The floor of a seeded cold start: the least any TOKEN authorizer with a JWKS seed must do, as a handler
// module that cold-start-child.mjs loads exactly as it loads our bundle. At import it reads the keys from the
// seed file (JWKS_SEED_FILE, the JWKS under JWKS_URI); on the first event it imports the token's key and
// verifies one RS256 signature. No network, config, claims, policy or logging: what our seeded bundle costs
// beyond this is our own.
import { readFileSync } from 'node:fs';
import { createPublicKey, verify } from 'node:crypto';

const jwks = JSON.parse(readFileSync(process.env.JWKS_SEED_FILE, 'utf8'))[process.env.JWKS_URI];

export async function handler(event) {
  const [headerB64, payloadB64, signatureB64] = event.authorizationToken.slice('Bearer '.length).split('.');
  const { kid } = JSON.parse(Buffer.from(headerB64, 'base64url').toString('utf8'));
  const jwk = jwks.keys.find((key) => key.kid === kid);
  const valid = verify(
    'sha256',
    Buffer.from(`${headerB64}.${payloadB64}`),
    createPublicKey({ key: jwk, format: 'jwk' }),
    Buffer.from(signatureB64, 'base64url'),
  );
  return { policyDocument: { Statement: [{ Effect: valid ? 'Allow' : 'Deny' }] } };
}
