// The floor of a cold start: the least any TOKEN authorizer must do, as a handler module that
// cold-start-child.mjs loads exactly as it loads our bundle. At import it GETs the JWKS once with node:https,
// trusting Node's roots and the PEM file TRUSTED_CA_FILE names the cheapest way, as the authorizer does (the
// certificate added to Node's default context); on the first event it imports the token's key and verifies
// one RS256 signature. No config, claims, policy or logging: what our bundle costs beyond this is our own.
import { readFileSync } from 'node:fs';
import { Agent, get } from 'node:https';
import { createSecureContext } from 'node:tls';
import { createPublicKey, verify } from 'node:crypto';

const secureContext = createSecureContext();
secureContext.context.addCACert(readFileSync(process.env.TRUSTED_CA_FILE, 'utf8'));

const jwks = new Promise((resolve, reject) => {
  get(process.env.JWKS_URI, { agent: new Agent({ secureContext }) }, (response) => {
    const chunks = [];
    response.on('data', (chunk) => chunks.push(chunk));
    response.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
  }).on('error', reject);
});

export async function handler(event) {
  const [headerB64, payloadB64, signatureB64] = event.authorizationToken.slice('Bearer '.length).split('.');
  const { kid } = JSON.parse(Buffer.from(headerB64, 'base64url').toString('utf8'));
  const jwk = (await jwks).keys.find((key) => key.kid === kid);
  const valid = verify(
    'sha256',
    Buffer.from(`${headerB64}.${payloadB64}`),
    createPublicKey({ key: jwk, format: 'jwk' }),
    Buffer.from(signatureB64, 'base64url'),
  );
  return { policyDocument: { Statement: [{ Effect: valid ? 'Allow' : 'Deny' }] } };
}
