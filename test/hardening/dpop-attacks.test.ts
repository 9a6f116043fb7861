// DPoP over real HTTP: the local gateway (REQUEST authorizer, cache off, as the construct deploys dpop) in
// front of the project's real authorizer, JWKS over real HTTPS, real keys, real proofs. Each attack a thief
// holding a bound token (or a proof) could try is answered 401 with the contract's DPoP challenge, and the
// RFC 9728 metadata document is served without a token, exactly as RFC 9728 §2 and §3 write it.
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { createAuthorizer, createLogger } from 'bearer-gate/authorizer';
import { gatewayResponse, gatewayResponseBody } from 'bearer-gate/contract';
import { appGatewayResponses, toGatewayResponseSet } from '../../local/construct-contract';
import { createGateway, type Gateway } from '../../local/gateway';
import { startHarness, ISSUER, type Harness } from '../authorizer/harness';
import { claims, createKey, signToken, type TestKey } from '../support/keys';
import { makeProof, publicJwk, thumbprint, type ProofOptions } from '../support/dpop-proof';

const ALGS = 'ES256 ES384 ES512 EdDSA PS256 PS384 PS512 RS256 RS384 RS512';
let h: Harness;
let gateway: Gateway;
let base: string;
let client: TestKey;

beforeAll(async () => {
  h = await startHarness();
  client = createKey('ES256');
  const routes = JSON.stringify([{ method: 'GET', path: '/items', scopes: ['items:read'] }]);
  const authorizer = createAuthorizer(h.config({ ROUTES: routes }), { jwksFailureBackoffMs: 0 });
  gateway = createGateway({
    routes: [
      {
        id: 'List',
        method: 'GET',
        path: '/items',
        handler: (async (event: APIGatewayProxyEvent) => ({
          statusCode: 200,
          body: JSON.stringify({ sub: event.requestContext.authorizer?.sub }),
        })) as never,
      },
    ],
    authorizer: (event) => authorizer.authorize(event),
    authorizerType: 'REQUEST',
    cacheTtlSeconds: 0,
    protectedResource: { authorizationServers: [ISSUER], scopes: ['items:read'], dpop: true },
    logger: createLogger('local-gateway', 'silent'),
  });
  base = await gateway.listen(0);
  // The 401 names the metadata URL, which is known once the gateway listens.
  gateway.useResponses(
    toGatewayResponseSet(
      appGatewayResponses('*', {
        dpop: true,
        resourceMetadataUrl: `${base}/.well-known/oauth-protected-resource`,
      }),
    ),
  );
});
afterAll(async () => {
  await gateway.close();
  await h.close();
});

const bound = (key: TestKey = client) =>
  signToken(h.keys.rsa, claims({ scope: 'items:read', cnf: { jkt: thumbprint(key.jwk) } }));
const proofFor = (token: string | undefined, options: Partial<ProofOptions> = {}, key: TestKey = client) =>
  makeProof(key, { htm: 'GET', htu: `${base}/items`, token, ...options });

function call(authorization: string, proofs: string[], method = 'GET'): Promise<Response> {
  const headers = new Headers({ Authorization: authorization });
  for (const proof of proofs) headers.append('DPoP', proof);
  return fetch(`${base}/items`, { method, headers });
}

async function expectDpopChallenge(res: Response): Promise<void> {
  const contract = gatewayResponse(
    'UNAUTHORIZED',
    appGatewayResponses('*', {
      dpop: true,
      resourceMetadataUrl: `${base}/.well-known/oauth-protected-resource`,
    }),
  );
  expect(res.status).toBe(401);
  expect(res.headers.get('www-authenticate')).toBe(
    `Bearer error="invalid_token", resource_metadata="${base}/.well-known/oauth-protected-resource", ` +
      `DPoP error="invalid_token", algs="${ALGS}", resource_metadata="${base}/.well-known/oauth-protected-resource"`,
  );
  expect(await res.text()).toBe(gatewayResponseBody(contract));
}

test('a bound token with a good proof reaches the route: 200', async () => {
  const token = bound();
  const res = await call(`DPoP ${token}`, [proofFor(token)]);
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ sub: 'user-1' });
});

test('the same proof twice: the second is 401 (the cache is off, so the replay reaches the authorizer)', async () => {
  const token = bound();
  const proof = proofFor(token);
  expect((await call(`DPoP ${token}`, [proof])).status).toBe(200);
  await expectDpopChallenge(await call(`DPoP ${token}`, [proof]));
});

const other = createKey('ES256');
test.each<[string, (token: string) => { auth?: string; proofs: string[] }]>([
  ['no proof', () => ({ proofs: [] })],
  ['the bound token as Bearer, with a good proof', (t) => ({ auth: `Bearer ${t}`, proofs: [proofFor(t)] })],
  ['a proof for POST', (t) => ({ proofs: [proofFor(t, { htm: 'POST' })] })],
  ['a proof for another URL', (t) => ({ proofs: [proofFor(t, { htu: `${base}/items/1` })] })],
  [
    'a proof for the https URL',
    (t) => ({ proofs: [proofFor(t, { htu: base.replace('http:', 'https:') + '/items' })] }),
  ],
  ['a proof from another key', (t) => ({ proofs: [proofFor(t, {}, other)] })],
  ['a proof 5 minutes old', (t) => ({ proofs: [proofFor(t, { iat: Math.floor(Date.now() / 1000) - 300 })] })],
  ['a proof without ath', () => ({ proofs: [proofFor(undefined)] })],
  ['a proof with alg none', (t) => ({ proofs: [proofFor(t, { header: { alg: 'none' } })] })],
  ['an HMAC proof', (t) => ({ proofs: [proofFor(t, { header: { alg: 'HS256' }, hmacSecret: 'secret' })] })],
  [
    'a proof whose jwk carries the private key',
    (t) => {
      const d = (client.privateKey.export({ format: 'jwk' }) as Record<string, string>).d;
      return { proofs: [proofFor(t, { header: { jwk: { ...publicJwk(client), d } } })] };
    },
  ],
  ['two proofs', (t) => ({ proofs: [proofFor(t), proofFor(t)] })],
])('%s: 401 with the DPoP challenge', async (_name, attack) => {
  const token = bound();
  const { auth, proofs } = attack(token);
  await expectDpopChallenge(await call(auth ?? `DPoP ${token}`, proofs));
});

test('a proof stolen with its token cannot be used for another token', async () => {
  const victim = bound();
  const stolenProof = proofFor(victim);
  const thief = bound(other);
  await expectDpopChallenge(await call(`DPoP ${thief}`, [stolenProof]));
});

test('plain bearer tokens still work on the same API', async () => {
  const token = signToken(h.keys.rsa, claims({ scope: 'items:read' }));
  expect((await call(`Bearer ${token}`, [])).status).toBe(200);
});

test('the RFC 9728 metadata is served without a token, at the well-known URL of the resource', async () => {
  const res = await fetch(`${base}/.well-known/oauth-protected-resource`);
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({
    resource: base,
    authorization_servers: [ISSUER],
    scopes_supported: ['items:read'],
    bearer_methods_supported: ['header'],
    dpop_signing_alg_values_supported: ALGS.split(' '),
  });
});
