// Owners across issuers, against the shared DynamoDB Local: the same `sub` from two issuers is two people, and
// items stored before owners were issuer-qualified (`OWNER#<sub>`) stay reachable for LEGACY_OWNER_ISSUER's
// callers only.
import './local-aws-env';
import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { handler as createHandler } from '../../lambda/items/create';
import { handler as deleteHandler } from '../../lambda/items/delete';
import { handler as getHandler } from '../../lambda/items/get';
import { handler as listHandler } from '../../lambda/items/list';
import { createItemsService, parseConfig } from '../../lambda/items';
import { createDocumentClient } from '../../lambda/shared/dynamodb';
import { setLogSink } from 'bearer-gate/authorizer';
import { apiEvent, createEvent, jsonBody, problemBody, type Caller } from './events';

let restoreSink: () => void;
beforeAll(() => {
  restoreSink = setLogSink(() => undefined);
});
afterAll(() => restoreSink());

const ENTRA = 'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0';
const AUTH0 = 'https://example.eu.auth0.com/';
const ALL = ['items:read', 'items:write', 'items:delete'];

interface ItemBody {
  readonly id: string;
  readonly owner: string;
  readonly ownerIssuer: string;
}

test('the same sub from two issuers is two owners: neither sees, lists nor deletes the other’s items', async () => {
  const sub = `shared-${randomUUID()}`;
  const fromEntra: Caller = { sub, scopes: ALL, issuer: ENTRA };
  const fromAuth0: Caller = { sub, scopes: ALL, issuer: AUTH0 };
  const created = await createHandler(createEvent(fromEntra, { name: 'Entra’s item' }));
  expect(created.statusCode).toBe(201);
  const item = jsonBody(created) as ItemBody;
  expect(item).toMatchObject({ owner: sub, ownerIssuer: ENTRA });

  const read = await getHandler(
    apiEvent({ method: 'GET', resource: '/items/{id}', id: item.id, caller: fromAuth0 }),
  );
  expect(read.statusCode).toBe(404);
  expect(problemBody(read).code).toBe('ITEM_NOT_FOUND');
  const listed = await listHandler(apiEvent({ method: 'GET', resource: '/items', caller: fromAuth0 }));
  expect(jsonBody(listed)).toEqual({ items: [] });
  const deleted = await deleteHandler(
    apiEvent({ method: 'DELETE', resource: '/items/{id}', id: item.id, caller: fromAuth0 }),
  );
  expect(deleted.statusCode).toBe(404);

  const own = await getHandler(
    apiEvent({ method: 'GET', resource: '/items/{id}', id: item.id, caller: fromEntra }),
  );
  expect(jsonBody(own)).toEqual(item);
});

test.each<[string, Record<string, unknown> | null]>([
  ['no issuer', { principalId: 'u', sub: 'u', scope: 'items:read' }],
  ['an empty issuer', { principalId: 'u', sub: 'u', scope: 'items:read', issuer: ' ' }],
  [
    'an issuer with "#" (no real issuer has a fragment)',
    { sub: 'u', scope: 'items:read', issuer: 'https://a#b' },
  ],
  ['an issuer over 512 bytes', { sub: 'u', scope: 'items:read', issuer: `https://${'a'.repeat(505)}` }],
])('a context with %s is 401: the owner cannot be named', async (_name, authorizer) => {
  const event = apiEvent({ method: 'GET', resource: '/items', caller: { sub: 'u', scopes: ['items:read'] } });
  const result = await listHandler({ ...event, requestContext: { ...event.requestContext, authorizer } });
  expect(result.statusCode).toBe(401);
  expect(problemBody(result)).toMatchObject({
    code: 'UNAUTHENTICATED',
    detail: 'The authorizer context names no usable issuer.',
  });
});

describe('items stored before owners were issuer-qualified', () => {
  const tableName = process.env.ITEMS_TABLE as string;
  const client = createDocumentClient({ endpoint: process.env.DYNAMODB_ENDPOINT });
  const sub = `legacy-${randomUUID()}`;
  const id = '01ARZ3NDEKTSV4RRFFQ69G5FAV';

  beforeAll(async () => {
    // Written as the earlier version wrote it: partition OWNER#<sub>, no ownerIssuer attribute.
    await client.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          pk: `OWNER#${sub}`,
          sk: `ITEM#${id}`,
          kind: 'item',
          id,
          name: 'from before',
          owner: sub,
          createdAt: '2026-01-01T00:00:00.000Z',
        },
      }),
    );
  });
  afterAll(() => client.destroy());

  const service = (env: Record<string, string>) => {
    const config = parseConfig({ ITEMS_TABLE: tableName, ...env });
    return createItemsService({
      client,
      tableName,
      ...(config.legacyOwnerIssuer === undefined ? {} : { legacyOwnerIssuer: config.legacyOwnerIssuer }),
    });
  };

  test('with LEGACY_OWNER_ISSUER they stay where they are, for that issuer’s callers', async () => {
    const legacy = service({ LEGACY_OWNER_ISSUER: ENTRA });
    const owner = { issuer: ENTRA, sub };
    expect(await legacy.get(owner, id)).toEqual({
      id,
      name: 'from before',
      owner: sub,
      ownerIssuer: ENTRA,
      createdAt: '2026-01-01T00:00:00.000Z',
    });
    // New items of that issuer's callers go to the same partition, so the list has both.
    const { item } = await legacy.create(owner, { name: 'after' });
    expect((await legacy.list(owner, { limit: 10 })).items.map((i) => i.id)).toEqual([item.id, id]);
  });

  test('another issuer’s caller with the same sub never reaches them', async () => {
    const legacy = service({ LEGACY_OWNER_ISSUER: ENTRA });
    expect(await legacy.get({ issuer: AUTH0, sub }, id)).toBeUndefined();
    expect(await legacy.remove({ issuer: AUTH0, sub }, id)).toBe(false);
    expect((await legacy.list({ issuer: AUTH0, sub }, { limit: 10 })).items).toEqual([]);
  });

  test('without LEGACY_OWNER_ISSUER they are out of reach (kept, not exposed) until migrated', async () => {
    const qualified = service({});
    expect(await qualified.get({ issuer: ENTRA, sub }, id)).toBeUndefined();
    expect((await qualified.list({ issuer: ENTRA, sub }, { limit: 10 })).items).toEqual([]);
  });

  test('LEGACY_OWNER_ISSUER with "#" is refused at cold start', () => {
    expect(() => parseConfig({ ITEMS_TABLE: tableName, LEGACY_OWNER_ISSUER: 'https://a#b' })).toThrow(
      expect.objectContaining({
        name: 'ItemsConfigError',
        message:
          'LEGACY_OWNER_ISSUER must be the exact iss of the issuer trusted before owners were qualified; an issuer never contains "#"; got "https://a#b"',
      }),
    );
  });
});
