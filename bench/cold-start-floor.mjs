// The floor of a cold start: the least any authorizer must do in a fresh process. It loads node:https, fetches
// the JWKS once over TLS, imports the token's key and verifies one RS256 signature. No config, no claims, no
// policy, no logging: what is left between this and our bundle is our cost.
import { get } from 'node:https';
import { createPublicKey, verify } from 'node:crypto';

const [jwksUri, token] = process.argv.slice(2);
const [headerB64, payloadB64, signatureB64] = token.split('.');
const { kid } = JSON.parse(Buffer.from(headerB64, 'base64url').toString('utf8'));

get(jwksUri, (response) => {
  const chunks = [];
  response.on('data', (chunk) => chunks.push(chunk));
  response.on('end', () => {
    const jwk = JSON.parse(Buffer.concat(chunks).toString('utf8')).keys.find((k) => k.kid === kid);
    const valid = verify(
      'sha256',
      Buffer.from(`${headerB64}.${payloadB64}`),
      createPublicKey({ key: jwk, format: 'jwk' }),
      Buffer.from(signatureB64, 'base64url'),
    );
    process.exit(valid ? 0 : 3);
  });
}).on('error', () => process.exit(4));
