// DPoP over real HTTP: the local gateway (REQUEST authorizer, cache off, as the construct deploys dpop) in
// front of the project's real authorizer, JWKS over real HTTPS, real keys, real proofs. Each attack a thief
// holding a bound token (or a proof) could try is answered 401 with the contract's DPoP challenge, and the
// RFC 9728 metadata document is served without a token, exactly as RFC 9728 §2 and §3 write it. With server
// nonces on, every way around the nonce gets its challenge again.
import '../items/local-aws-env';
import { randomUUID } from 'node:crypto';
import { CreateTableCommand, GetItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import {
  createAuthorizer,
  createLogger,
  createNonceKeyStore,
  createReplayStore,
} from 'bearer-gate/authorizer';
import { createRevocationTableInput, gatewayResponse, gatewayResponseBody } from 'bearer-gate/contract';
import { keyPeriodOf, mintNonce, nonceWindow } from '../../lambda/authorizer/dpop-nonce';
import { nonceKeyItemKey } from '../../lambda/authorizer/dpop-nonce-dynamodb';
import { localClient } from '../setup/dynamodb-local';
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

// Server nonces (RFC 9449 §8) through the same gateway, with the key in a replay table on DynamoDB Local: a
// good proof without the nonce is a 403 whose headers carry the challenge and the nonce (API Gateway answers
// an authorizer's Deny only with ACCESS_DENIED, see the README); every way of getting around the nonce gets
// the challenge again, and a bad proof stays a 401 whatever nonce it carries.
describe('server nonces', () => {
  const TABLE = `dpop-attacks-${randomUUID().slice(0, 8)}`;
  const endpoint = process.env.DYNAMODB_ENDPOINT as string;
  const USE_NONCE =
    'DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof", ' +
    `algs="${ALGS}"`;
  let nonceGateway: Gateway;
  let api: string;
  let db: DynamoDBClient;

  beforeAll(async () => {
    db = localClient(endpoint);
    await db.send(new CreateTableCommand(createRevocationTableInput(TABLE)));
    const routes = JSON.stringify([{ method: 'GET', path: '/items', scopes: ['items:read'] }]);
    const config = h.config({
      ROUTES: routes,
      DPOP_REPLAY_TABLE: TABLE,
      DYNAMODB_ENDPOINT: endpoint,
      DPOP_NONCES: 'true',
    });
    const authorizer = createAuthorizer(config, {
      jwksFailureBackoffMs: 0,
      dpopReplay: createReplayStore(config.dpop),
      dpopNonceKeys: createNonceKeyStore(config.dpop),
    });
    nonceGateway = createGateway({
      routes: [
        {
          id: 'List',
          method: 'GET',
          path: '/items',
          handler: (async () => ({ statusCode: 200, body: '{}' })) as never,
        },
      ],
      authorizer: (event) => authorizer.authorize(event),
      authorizerType: 'REQUEST',
      cacheTtlSeconds: 0,
      responses: toGatewayResponseSet(appGatewayResponses('*', { dpop: true, dpopNonces: true })),
      logger: createLogger('local-gateway', 'silent'),
    });
    api = await nonceGateway.listen(0);
  });
  afterAll(async () => {
    await nonceGateway.close();
    db.destroy();
  });

  const send = (authorization: string, proof: string): Promise<Response> =>
    fetch(`${api}/items`, { headers: { Authorization: authorization, DPoP: proof } });
  const proofWith = (token: string, nonce: unknown, key: TestKey = client, jti?: string) =>
    makeProof(key, {
      htm: 'GET',
      htu: `${api}/items`,
      token,
      ...(jti === undefined ? {} : { jti }),
      ...(nonce === undefined ? {} : { claims: { nonce } }),
    });

  /** The 403 that asks for the nonce: exact challenge, a nonce header browsers may read, the contract's body. */
  async function expectNonceChallenge(res: Response): Promise<string> {
    const contract = gatewayResponse(
      'ACCESS_DENIED',
      appGatewayResponses('*', { dpop: true, dpopNonces: true }),
    );
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toBe(USE_NONCE);
    expect(res.headers.get('access-control-expose-headers')).toContain('DPoP-Nonce');
    expect(await res.text()).toBe(gatewayResponseBody(contract));
    const nonce = res.headers.get('dpop-nonce');
    expect(nonce).toMatch(/^[A-Za-z0-9_-]{54}$/);
    return nonce as string;
  }

  async function nonceFor(token: string): Promise<string> {
    return expectNonceChallenge(await send(`DPoP ${token}`, proofWith(token, undefined)));
  }

  /** Today's key, read from the table as an attacker with read access to it could. */
  async function tableKey(): Promise<Buffer> {
    const now = Math.floor(Date.now() / 1000);
    const { Item } = await db.send(
      new GetItemCommand({
        TableName: TABLE,
        Key: { pk: { S: nonceKeyItemKey(keyPeriodOf(nonceWindow(now))) } },
        ConsistentRead: true,
      }),
    );
    return Buffer.from(Item?.nonceKey?.B as Uint8Array);
  }

  test('a good proof without a nonce: 403 with the challenge and a nonce; with it, 200', async () => {
    const token = bound();
    const nonce = await nonceFor(token);
    const res = await send(`DPoP ${token}`, proofWith(token, nonce));
    expect(res.status).toBe(200);
  });

  test.each<[string, () => Promise<unknown>]>([
    [
      'a nonce of another server (another key)',
      async () => mintNonce(Buffer.alloc(32, 9), nonceWindow(Date.now() / 1000)),
    ],
    [
      'a nonce two windows old (the right key)',
      async () => mintNonce(await tableKey(), nonceWindow(Date.now() / 1000) - 2),
    ],
    [
      'a nonce of a window to come (the right key)',
      async () => mintNonce(await tableKey(), nonceWindow(Date.now() / 1000) + 1),
    ],
    [
      'a handed-out nonce with one character changed',
      async () => {
        const nonce = await nonceFor(bound());
        return nonce.slice(0, 20) + (nonce[20] === 'A' ? 'B' : 'A') + nonce.slice(21);
      },
    ],
    ['a nonce that is a number', async () => 1],
    ['a nonce that is an array of a good one', async () => [await nonceFor(bound())]],
    ['an empty nonce', async () => ''],
  ])('%s: 403 with the challenge again', async (_name, nonce) => {
    const token = bound();
    await expectNonceChallenge(await send(`DPoP ${token}`, proofWith(token, await nonce())));
  });

  test('a good nonce does not save a bad proof: another key, or a replay, is a 401', async () => {
    const token = bound();
    const nonce = await nonceFor(token);
    await expectDpopChallengeAt(await send(`DPoP ${token}`, proofWith(token, nonce, other)));
    const proof = proofWith(token, nonce);
    expect((await send(`DPoP ${token}`, proof)).status).toBe(200);
    await expectDpopChallengeAt(await send(`DPoP ${token}`, proof));
  });

  test('a proof that fails a check gets a 401, never a nonce: the challenge answers good proofs only', async () => {
    const token = bound();
    const wrongMethod = makeProof(client, { htm: 'POST', htu: `${api}/items`, token });
    const res = await send(`DPoP ${token}`, wrongMethod);
    expect(res.status).toBe(401);
    expect(res.headers.get('dpop-nonce')).toBeNull();
  });

  test("a bearer token without the route's scope: 403 naming the scope, and no nonce", async () => {
    const token = signToken(h.keys.rsa, claims({ scope: 'items:write' }));
    const res = await fetch(`${api}/items`, { headers: { Authorization: `Bearer ${token}` } });
    expect(res.status).toBe(403);
    expect(res.headers.get('www-authenticate')).toBe(
      `Bearer error="insufficient_scope", scope="items:read", DPoP error="insufficient_scope", scope="items:read", algs="${ALGS}"`,
    );
    expect(res.headers.get('dpop-nonce')).toBeNull();
  });

  /** A 401 with the DPoP challenge of this gateway (no resource_metadata: it serves none). */
  async function expectDpopChallengeAt(res: Response): Promise<void> {
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(
      `Bearer error="invalid_token", DPoP error="invalid_token", algs="${ALGS}"`,
    );
    await res.text();
  }
});
