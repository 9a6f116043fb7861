// The DPoP replay table on AWS's DynamoDB Local: two authorizer instances share it, so a proof accepted by
// one is refused by the other; the default per-instance memory does not catch that (what the README says).
// An entry past its expiry that DynamoDB's TTL has not yet deleted does not block, and an unreachable table
// fails closed as a 5xx, never as an accepted proof.
import '../items/local-aws-env';
import { randomUUID } from 'node:crypto';
import { CreateTableCommand, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { createRevocationTableInput } from '../../lambda/contract';
import { createAuthorizer, createReplayStore } from '../../lambda/authorizer';
import { proofKey } from '../../lambda/authorizer/dpop-replay';
import { localClient } from '../setup/dynamodb-local';
import { claims, createKey, signToken } from '../support/keys';
import { makeProof, thumbprint } from '../support/dpop-proof';
import { API_ARN, lastDecision, startHarness, type Harness } from './harness';

const TABLE = `dpop-replay-${randomUUID().slice(0, 8)}`;
const endpoint = process.env.DYNAMODB_ENDPOINT as string;
const HOST = 'api.example.com';
const UNAUTHORIZED = /^Unauthorized$/;
const client = createKey('ES256');
let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  // The replay table has the revocation table's schema: one string key, TTL on expiresAt.
  await localClient(endpoint).send(new CreateTableCommand(createRevocationTableInput(TABLE)));
});
afterAll(() => h.close());
beforeEach(() => {
  h.logs.length = 0;
});

function event(token: string, proof: string): Record<string, unknown> {
  return {
    type: 'REQUEST',
    methodArn: `${API_ARN}/GET/items`,
    resource: '/items',
    path: '/items',
    httpMethod: 'GET',
    headers: { Authorization: `DPoP ${token}`, DPoP: proof },
    multiValueHeaders: { Authorization: [`DPoP ${token}`], DPoP: [proof] },
    requestContext: { httpMethod: 'GET', resourcePath: '/items', path: '/v1/items', domainName: HOST },
  };
}

function boundRequest(jti = randomUUID()) {
  const token = signToken(h.keys.rsa, claims({ cnf: { jkt: thumbprint(client.jwk) } }));
  const proof = makeProof(client, { htm: 'GET', htu: `https://${HOST}/v1/items`, token, jti });
  return event(token, proof);
}

/** As revocable-handler.ts wires it. */
const shared = (overrides: Record<string, string> = {}) => {
  const config = h.config({ DPOP_REPLAY_TABLE: TABLE, DYNAMODB_ENDPOINT: endpoint, ...overrides });
  return createAuthorizer(config, { dpopReplay: createReplayStore(config.dpop) });
};

test('with the table, a proof accepted by one instance is refused by another', async () => {
  const [first, second] = [shared(), shared()];
  const request = boundRequest();
  await expect(first.authorize(request)).resolves.toMatchObject({ principalId: 'user-1' });
  await expect(second.authorize(request)).rejects.toThrow(UNAUTHORIZED);
  expect(lastDecision(h.logs)).toMatchObject({ decision: 'unauthorized', reason: 'DPOP_REPLAYED' });
});

test('the entry is the proof key and thumbprint, kept until the proof is stale (TTL attribute)', async () => {
  const jti = randomUUID();
  const before = Math.floor(Date.now() / 1000);
  await shared().authorize(boundRequest(jti));
  const { Item } = await localClient(endpoint).send(
    new GetItemCommand({ TableName: TABLE, Key: { pk: { S: proofKey(thumbprint(client.jwk), jti) } } }),
  );
  const expiresAt = Number(Item?.expiresAt?.N);
  // iat (now) + 60 s maximum age + 1.
  expect(expiresAt).toBeGreaterThanOrEqual(before + 61);
  expect(expiresAt).toBeLessThanOrEqual(Math.floor(Date.now() / 1000) + 61);
});

test('without the table, each instance remembers only its own proofs', async () => {
  const [first, second] = [h.authorizer(), h.authorizer()];
  const request = boundRequest();
  await expect(first.authorize(request)).resolves.toMatchObject({ principalId: 'user-1' });
  await expect(second.authorize(request)).resolves.toMatchObject({ principalId: 'user-1' });
  await expect(first.authorize(request)).rejects.toThrow(UNAUTHORIZED);
  expect(lastDecision(h.logs)).toMatchObject({ reason: 'DPOP_REPLAYED' });
});

test('an expired entry TTL has not deleted yet does not block the key', async () => {
  const jti = randomUUID();
  await localClient(endpoint).send(
    new PutItemCommand({
      TableName: TABLE,
      Item: { pk: { S: proofKey(thumbprint(client.jwk), jti) }, expiresAt: { N: '1000' } },
    }),
  );
  await expect(shared().authorize(boundRequest(jti))).resolves.toMatchObject({ principalId: 'user-1' });
});

test('an unreachable table fails closed: not Unauthorized (a 503), with DPOP_REPLAY_UNAVAILABLE', async () => {
  const a = shared({ DYNAMODB_ENDPOINT: 'http://127.0.0.1:9' });
  await expect(a.authorize(boundRequest())).rejects.toThrow('DPoP replay table could not be written');
  expect(lastDecision(h.logs)).toMatchObject({ decision: 'error', reason: 'DPOP_REPLAY_UNAVAILABLE' });
});

test('a bearer request never touches the table: it is allowed while the table is unreachable', async () => {
  const token = signToken(h.keys.rsa, claims());
  const request = event(token, 'unused');
  (request.headers as Record<string, string>).Authorization = `Bearer ${token}`;
  (request.multiValueHeaders as Record<string, string[]>).Authorization = [`Bearer ${token}`];
  const a = shared({ DYNAMODB_ENDPOINT: 'http://127.0.0.1:9' });
  await expect(a.authorize(request)).resolves.toMatchObject({ principalId: 'user-1' });
});

test('a replay table the bundle cannot reach refuses to start (it would fall back to memory silently)', () => {
  expect(() => h.authorizer({ DPOP_REPLAY_TABLE: TABLE })).toThrow(
    'DPOP_REPLAY_TABLE: is set, but this bundle has no replay table store: deploy lambda/authorizer/revocable-handler.ts',
  );
});

test('the table name reaches the config with the shared endpoint', () => {
  expect(h.config({ DPOP_REPLAY_TABLE: TABLE, DYNAMODB_ENDPOINT: endpoint }).dpop.replayTable).toEqual({
    tableName: TABLE,
    endpoint,
  });
});
