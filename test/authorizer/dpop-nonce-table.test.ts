// DPoP server nonces with their key in the replay table, on AWS's DynamoDB Local: the key item (first writer
// wins when instances create it at once, its shape and expiry, an unreadable or unreachable item fails closed),
// and the authorizer's decisions (a proof without a nonce or with a bad one is a Deny carrying the challenge
// and a fresh nonce; one instance's nonce is good at another; every decision says what its 403 says).
import '../items/local-aws-env';
import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateTableCommand, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import * as sdk from '@aws-sdk/client-dynamodb';
import type { APIGatewayAuthorizerResult } from 'aws-lambda';
import { createRevocationTableInput } from '../../lambda/contract';
import {
  createAuthorizer,
  createNonceKeyStore,
  createReplayStore,
  ConfigError,
} from '../../lambda/authorizer';
import { keyPeriodOf, mintNonce, nonceWindow, type NonceKeyStore } from '../../lambda/authorizer/dpop-nonce';
import {
  nonceKeyExpiresAt,
  nonceKeyItemKey,
  nonceKeyLoaderWith,
} from '../../lambda/authorizer/dpop-nonce-dynamodb';
import { MemoryReplayStore, proofKey } from '../../lambda/authorizer/dpop-replay';
import { localClient } from '../setup/dynamodb-local';
import { claims, createKey, signToken } from '../support/keys';
import { makeProof, thumbprint } from '../support/dpop-proof';
import { API_ARN, lastDecision, startHarness, type Harness } from './harness';

const TABLE = `dpop-nonce-${randomUUID().slice(0, 8)}`;
const endpoint = process.env.DYNAMODB_ENDPOINT as string;
const HOST = 'api.example.com';
const ALGS = 'ES256 ES384 ES512 EdDSA PS256 PS384 PS512 RS256 RS384 RS512';
const USE_NONCE = `DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof", algs="${ALGS}"`;
const client = createKey('ES256');
let h: Harness;
let db: DynamoDBClient;

beforeAll(async () => {
  h = await startHarness();
  db = localClient(endpoint);
  await db.send(new CreateTableCommand(createRevocationTableInput(TABLE)));
});
afterAll(async () => {
  db.destroy();
  await h.close();
});
beforeEach(() => {
  h.logs.length = 0;
});

const now = (): number => Math.floor(Date.now() / 1000);

/** The key item of a period, as the table holds it. */
async function keyItem(period: number): Promise<Record<string, unknown> | undefined> {
  const { Item } = await db.send(
    new GetItemCommand({
      TableName: TABLE,
      Key: { pk: { S: nonceKeyItemKey(period) } },
      ConsistentRead: true,
    }),
  );
  return Item;
}

describe('the key item', () => {
  test('ten instances creating one period at once all get the one key that was written', async () => {
    // A period no other test uses, so the race starts from an empty item.
    const period = 900_000 + Math.floor(Math.random() * 1000);
    const clients = Array.from({ length: 10 }, () => localClient(endpoint));
    try {
      const keys = await Promise.all(clients.map((c) => nonceKeyLoaderWith(c, sdk, TABLE)(period, now())));
      const item = (await keyItem(period)) as { nonceKey: { B: Uint8Array }; expiresAt: { N: string } };
      const written = Buffer.from(item.nonceKey.B);
      expect(written.length).toBe(32);
      expect(keys.map((k) => k.toString('hex'))).toEqual(Array(10).fill(written.toString('hex')));
      // Two periods after its own began: every nonce it signed is stale by then.
      expect(item.expiresAt.N).toBe(String((period + 2) * 86_400));
      expect(nonceKeyExpiresAt(period)).toBe((period + 2) * 86_400);
    } finally {
      for (const c of clients) c.destroy();
    }
  });

  test('an item past its expiry that TTL has not deleted yet is replaced with a new key', async () => {
    const period = keyPeriodOf(nonceWindow(now())) + 50_000;
    await db.send(
      new PutItemCommand({
        TableName: TABLE,
        Item: {
          pk: { S: nonceKeyItemKey(period) },
          expiresAt: { N: '1000' },
          nonceKey: { B: Buffer.alloc(32, 7) },
        },
      }),
    );
    const key = await nonceKeyLoaderWith(db, sdk, TABLE)(period, now());
    expect(key.equals(Buffer.alloc(32, 7))).toBe(false);
    const item = (await keyItem(period)) as { nonceKey: { B: Uint8Array }; expiresAt: { N: string } };
    expect(Buffer.from(item.nonceKey.B).equals(key)).toBe(true);
    expect(item.expiresAt.N).toBe(String(nonceKeyExpiresAt(period)));
  });

  test.each<[string, Record<string, unknown>]>([
    ['no key attribute', { expiresAt: { N: '99999999999' } }],
    ['a 16-byte key', { expiresAt: { N: '99999999999' }, nonceKey: { B: Buffer.alloc(16) } }],
    ['the key as a string', { expiresAt: { N: '99999999999' }, nonceKey: { S: 'secret' } }],
    ['no expiry', { nonceKey: { B: Buffer.alloc(32) } }],
  ])('an unusable item (%s) fails closed: NonceKeyUnavailableError', async (_name, attributes) => {
    const period = 800_000 + Math.floor(Math.random() * 10_000);
    await db.send(
      new PutItemCommand({
        TableName: TABLE,
        Item: { pk: { S: nonceKeyItemKey(period) }, ...attributes } as never,
      }),
    );
    await expect(nonceKeyLoaderWith(db, sdk, TABLE)(period, now())).rejects.toMatchObject({
      name: 'NonceKeyUnavailableError',
      code: 'DPOP_NONCE_KEY_UNAVAILABLE',
      message: `the DPoP nonce key item ${nonceKeyItemKey(period)} is not a 32-byte key with an expiry`,
    });
  });
});

function event(authorization: string, proof: string | undefined, path = '/items'): Record<string, unknown> {
  const headers: Record<string, string> = { Authorization: authorization };
  const multi: Record<string, string[]> = { Authorization: [authorization] };
  if (proof !== undefined) {
    headers.DPoP = proof;
    multi.DPoP = [proof];
  }
  const resourcePath = path === '/items' ? '/items' : '/items/{id}';
  return {
    type: 'REQUEST',
    methodArn: `${API_ARN}/GET${path}`,
    resource: resourcePath,
    path,
    httpMethod: 'GET',
    headers,
    multiValueHeaders: multi,
    requestContext: { httpMethod: 'GET', resourcePath, path: `/v1${path}`, domainName: HOST },
  };
}

const boundToken = (extra: Record<string, unknown> = {}) =>
  signToken(h.keys.rsa, claims({ cnf: { jkt: thumbprint(client.jwk) }, ...extra }));
const proofWith = (token: string, nonce: unknown, path = '/items', jti = randomUUID()) =>
  makeProof(client, {
    htm: 'GET',
    htu: `https://${HOST}/v1${path}`,
    token,
    jti,
    ...(nonce === undefined ? {} : { claims: { nonce } }),
  });

/** As revocable-handler.ts wires it: the replay store and the nonce key store on one table. */
function instance(overrides: Record<string, string> = {}) {
  const config = h.config({
    DPOP_REPLAY_TABLE: TABLE,
    DYNAMODB_ENDPOINT: endpoint,
    DPOP_NONCES: 'true',
    RESOURCE_METADATA_URL: 'https://api.example.com/.well-known/oauth-protected-resource',
    ...overrides,
  });
  return createAuthorizer(config, {
    dpopReplay: createReplayStore(config.dpop),
    dpopNonceKeys: createNonceKeyStore(config.dpop),
  });
}

const METADATA = 'resource_metadata="https://api.example.com/.well-known/oauth-protected-resource"';
const challengeOf = (scope: string) =>
  `Bearer error="insufficient_scope"${scope}, ${METADATA}, DPoP error="insufficient_scope"${scope}, algs="${ALGS}", ${METADATA}`;

function denyAll(policy: APIGatewayAuthorizerResult): void {
  expect(policy.policyDocument.Statement).toEqual([
    { Effect: 'Deny', Action: 'execute-api:Invoke', Resource: `${API_ARN}/*` },
  ]);
}

describe('decisions with nonces on', () => {
  test('no nonce: a Deny carrying the challenge and the current nonce; with it, the retry is allowed', async () => {
    const a = instance();
    const token = boundToken();
    const first = await a.authorize(event(`DPoP ${token}`, proofWith(token, undefined)));
    denyAll(first);
    expect(first.context).toEqual({
      sub: 'user-1',
      wwwAuthenticate: USE_NONCE,
      dpopNonce: expect.stringMatching(/^[A-Za-z0-9_-]{54}$/),
    });
    expect(lastDecision(h.logs)).toMatchObject({
      decision: 'deny',
      reason: 'DPOP_NONCE_REQUIRED',
      sub: 'user-1',
    });

    const nonce = first.context?.dpopNonce as string;
    const second = await a.authorize(event(`DPoP ${token}`, proofWith(token, nonce)));
    expect(second.policyDocument.Statement[0]).toMatchObject({ Effect: 'Allow' });
    expect(second.context).toMatchObject({
      sub: 'user-1',
      dpopNonce: nonce,
      wwwAuthenticate: challengeOf(''),
    });
    expect(lastDecision(h.logs)).toMatchObject({ decision: 'allow', reason: 'ALLOWED' });
  });

  test('the nonce is the HMAC of its window under the key stored for its period', async () => {
    const a = instance();
    const token = boundToken();
    const denied = await a.authorize(event(`DPoP ${token}`, proofWith(token, undefined)));
    const at = now();
    const item = (await keyItem(keyPeriodOf(nonceWindow(at)))) as { nonceKey: { B: Uint8Array } };
    const key = Buffer.from(item.nonceKey.B);
    expect([mintNonce(key, nonceWindow(at)), mintNonce(key, nonceWindow(at) - 1)]).toContain(
      denied.context?.dpopNonce,
    );
  });

  test('one instance hands out a nonce, another accepts it: the key is shared through the table', async () => {
    const [first, second] = [instance(), instance()];
    const token = boundToken();
    const challenge = await first.authorize(event(`DPoP ${token}`, proofWith(token, undefined)));
    const nonce = challenge.context?.dpopNonce as string;
    const allowed = await second.authorize(event(`DPoP ${token}`, proofWith(token, nonce)));
    expect(allowed.policyDocument.Statement[0]).toMatchObject({ Effect: 'Allow' });
  });

  test.each<[string, () => unknown]>([
    ['a forged nonce (another key)', () => mintNonce(Buffer.alloc(32, 1), nonceWindow(now()))],
    ['a stale nonce (two windows back)', () => mintNonce(Buffer.alloc(32, 1), nonceWindow(now()) - 2)],
    ['a malformed nonce', () => 'not-a-nonce'],
    ['a nonce that is a number', () => 12345],
  ])('%s: the challenge again, with a fresh nonce (DPOP_NONCE_INVALID)', async (_name, nonce) => {
    const a = instance();
    const token = boundToken();
    const policy = await a.authorize(event(`DPoP ${token}`, proofWith(token, nonce())));
    denyAll(policy);
    expect(policy.context).toEqual({
      sub: 'user-1',
      wwwAuthenticate: USE_NONCE,
      dpopNonce: expect.stringMatching(/^[A-Za-z0-9_-]{54}$/),
    });
    expect(policy.context?.dpopNonce).not.toBe(nonce());
    expect(lastDecision(h.logs)).toMatchObject({ decision: 'deny', reason: 'DPOP_NONCE_INVALID' });
  });

  test('a challenged proof is not recorded; an accepted one is, and its replay is refused', async () => {
    const a = instance();
    const token = boundToken();
    const jti = randomUUID();
    await a.authorize(event(`DPoP ${token}`, proofWith(token, undefined, '/items', jti)));
    const recorded = await db.send(
      new GetItemCommand({ TableName: TABLE, Key: { pk: { S: proofKey(thumbprint(client.jwk), jti) } } }),
    );
    expect(recorded.Item).toBeUndefined();
    const nonce = (await a.authorize(event(`DPoP ${token}`, proofWith(token, undefined)))).context?.dpopNonce;
    const good = event(`DPoP ${token}`, proofWith(token, nonce));
    await expect(a.authorize(good)).resolves.toMatchObject({ principalId: 'user-1' });
    await expect(a.authorize(good)).rejects.toThrow(/^Unauthorized$/);
    expect(lastDecision(h.logs)).toMatchObject({ decision: 'unauthorized', reason: 'DPOP_REPLAYED' });
  });

  test('a bad proof is still a 401, never a nonce challenge: the nonce is checked only on a good proof', async () => {
    const a = instance();
    const token = boundToken();
    const wrongUrl = makeProof(client, { htm: 'GET', htu: `https://${HOST}/v1/other`, token });
    await expect(a.authorize(event(`DPoP ${token}`, wrongUrl))).rejects.toThrow(/^Unauthorized$/);
    expect(lastDecision(h.logs)).toMatchObject({ decision: 'unauthorized', reason: 'DPOP_WRONG_URL' });
  });

  test("a token without the route's scopes: the Deny's context names them (RFC 6750 §3) and a nonce", async () => {
    const a = instance();
    const token = boundToken({ scope: 'items:write' });
    const nonce = (await a.authorize(event(`DPoP ${token}`, proofWith(token, undefined)))).context?.dpopNonce;
    const policy = await a.authorize(event(`DPoP ${token}`, proofWith(token, nonce)));
    denyAll(policy);
    expect(policy.context).toMatchObject({
      wwwAuthenticate: challengeOf(', scope="items:read"'),
      dpopNonce: nonce,
    });
    expect(lastDecision(h.logs)).toMatchObject({ decision: 'deny', reason: 'INSUFFICIENT_SCOPE' });
  });

  test('every issuer requiring DPoP: the challenges offer DPoP alone', async () => {
    const a = instance({ DPOP_REQUIRED_ISSUERS: '*' });
    const token = boundToken({ scope: 'items:write' });
    const nonce = (await a.authorize(event(`DPoP ${token}`, proofWith(token, undefined)))).context?.dpopNonce;
    const policy = await a.authorize(event(`DPoP ${token}`, proofWith(token, nonce)));
    expect(policy.context?.wwwAuthenticate).toBe(
      `DPoP error="insufficient_scope", scope="items:read", algs="${ALGS}", ${METADATA}`,
    );
  });

  test('a bearer token: its policy says what its 403 says, carries no nonce, and never reads the key', async () => {
    const a = instance({ DYNAMODB_ENDPOINT: 'http://127.0.0.1:9' });
    const token = signToken(h.keys.rsa, claims({ scope: 'items:write' }));
    const policy = await a.authorize(event(`Bearer ${token}`, undefined));
    denyAll(policy);
    expect(policy.context).toMatchObject({ wwwAuthenticate: challengeOf(', scope="items:read"') });
    expect(policy.context).not.toHaveProperty('dpopNonce');
  });

  test('a key that cannot be read fails closed: not Unauthorized (a 503), with DPOP_NONCE_KEY_UNAVAILABLE', async () => {
    const a = instance({ DYNAMODB_ENDPOINT: 'http://127.0.0.1:9' });
    const token = boundToken();
    await expect(a.authorize(event(`DPoP ${token}`, proofWith(token, undefined)))).rejects.toThrow(
      'the DPoP nonce key could not be read',
    );
    expect(lastDecision(h.logs)).toMatchObject({ decision: 'error', reason: 'DPOP_NONCE_KEY_UNAVAILABLE' });
  });

  test("an unusable key item for today's period fails closed as well", async () => {
    const table = `dpop-nonce-bad-${randomUUID().slice(0, 8)}`;
    await db.send(new CreateTableCommand(createRevocationTableInput(table)));
    const period = keyPeriodOf(nonceWindow(now()));
    for (const p of [period, period + 1]) {
      await db.send(
        new PutItemCommand({
          TableName: table,
          Item: {
            pk: { S: nonceKeyItemKey(p) },
            expiresAt: { N: String(nonceKeyExpiresAt(p)) },
            nonceKey: { S: 'x' },
          },
        }),
      );
    }
    const a = instance({ DPOP_REPLAY_TABLE: table });
    const token = boundToken();
    await expect(a.authorize(event(`DPoP ${token}`, proofWith(token, undefined)))).rejects.toThrow(
      /^the DPoP nonce key item dpop-nonce-key#\d+ is not a 32-byte key with an expiry$/,
    );
    expect(lastDecision(h.logs)).toMatchObject({ decision: 'error', reason: 'DPOP_NONCE_KEY_UNAVAILABLE' });
  });
});

describe('a key store that answers only asynchronously (every read a first one)', () => {
  // The store's own contract with a table-less key: what the authorizer does while a key is being read.
  const key = Buffer.alloc(32, 3);
  const slowKeys: NonceKeyStore = { key: async () => key };
  const slow = () => {
    const config = h.config({ DPOP_REPLAY_TABLE: TABLE, DPOP_NONCES: 'true' });
    return createAuthorizer(config, { dpopReplay: new MemoryReplayStore(), dpopNonceKeys: slowKeys });
  };

  test('the challenge, the retry and the next nonce are the same as with a key on hand', async () => {
    const a = slow();
    const token = boundToken();
    const challenge = await a.authorize(event(`DPoP ${token}`, proofWith(token, undefined)));
    const nonce = challenge.context?.dpopNonce as string;
    expect([mintNonce(key, nonceWindow(now())), mintNonce(key, nonceWindow(now()) - 1)]).toContain(nonce);
    const allowed = await slow().authorize(event(`DPoP ${token}`, proofWith(token, nonce)));
    expect(allowed.policyDocument.Statement[0]).toMatchObject({ Effect: 'Allow' });
    expect([mintNonce(key, nonceWindow(now())), mintNonce(key, nonceWindow(now()) - 1)]).toContain(
      allowed.context?.dpopNonce,
    );
  });
});

describe('configuration', () => {
  test.each<[Record<string, string>, string]>([
    [
      { DPOP_NONCES: 'true' },
      'DPOP_NONCES: is true, but DPOP_REPLAY_TABLE is not set: the nonce key is shared through the replay table',
    ],
    [{ DPOP_NONCES: 'yes', DPOP_REPLAY_TABLE: TABLE }, 'DPOP_NONCES: must be "true" or "false"; got "yes"'],
    [
      { DPOP_NONCES: 'true', DPOP_REPLAY_TABLE: TABLE, RESOURCE_METADATA_URL: 'https://a.example/"x' },
      'RESOURCE_METADATA_URL: must be an http(s) URL without spaces, quotes or backslashes; got "https://a.example/"x"',
    ],
  ])('%j is refused: %s', (overrides, message) => {
    expect(() => h.config(overrides)).toThrow(ConfigError);
    expect(() => h.config(overrides)).toThrow(message);
  });

  test('nonces on a bundle without the key store refuse to start (they would be skipped silently)', () => {
    const config = h.config({ DPOP_NONCES: 'true', DPOP_REPLAY_TABLE: TABLE, DYNAMODB_ENDPOINT: endpoint });
    expect(() => createAuthorizer(config, { dpopReplay: createReplayStore(config.dpop) })).toThrow(
      'DPOP_NONCES: is true, but this bundle has no nonce key store: deploy lambda/authorizer/revocable-handler.ts',
    );
  });

  test('the settings reach the config; off by default', () => {
    expect(h.config({ DPOP_NONCES: 'true', DPOP_REPLAY_TABLE: TABLE }).dpop.nonces).toEqual({
      dpopOnly: false,
      resourceMetadataUrl: undefined,
    });
    expect(h.config({ DPOP_REPLAY_TABLE: TABLE }).dpop.nonces).toBeNull();
    expect(createNonceKeyStore(h.config({ DPOP_REPLAY_TABLE: TABLE }).dpop)).toBeUndefined();
  });
});
