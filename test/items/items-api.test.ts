// The items API end to end through the real handlers, against the shared DynamoDB Local from global setup.
import './local-aws-env';
import { handler as createHandler } from '../../lambda/items/create';
import { handler as deleteHandler } from '../../lambda/items/delete';
import { handler as getHandler } from '../../lambda/items/get';
import { handler as listHandler } from '../../lambda/items/list';
import { setLogSink } from 'bearer-gate/authorizer';
import type { Caller } from './events';
import { DEFAULT_ISSUER, apiEvent, createEvent, jsonBody, newCaller, problemBody } from './events';

// Keep the handlers' JSON log lines out of the test output.
let restoreSink: () => void;
beforeAll(() => {
  restoreSink = setLogSink(() => undefined);
});
afterAll(() => restoreSink());

interface ItemBody {
  id: string;
  name: string;
  owner: string;
  ownerIssuer: string;
  createdAt: string;
}
interface PageBody {
  items: ItemBody[];
  nextToken?: string;
}

async function create(caller: Caller, name: string, headers: Record<string, string> = {}) {
  const result = await createHandler(createEvent(caller, { name }, headers));
  expect(result.statusCode).toBe(201);
  return { result, item: jsonBody(result) as ItemBody };
}

async function list(caller: Caller, query: Record<string, string> = {}): Promise<PageBody> {
  const result = await listHandler(apiEvent({ method: 'GET', resource: '/items', caller, query }));
  expect(result.statusCode).toBe(200);
  return jsonBody(result) as PageBody;
}

const getItem = (caller: Caller, id: string) =>
  getHandler(apiEvent({ method: 'GET', resource: '/items/{id}', id, caller }));
const deleteItem = (caller: Caller, id: string) =>
  deleteHandler(apiEvent({ method: 'DELETE', resource: '/items/{id}', id, caller }));

describe('create, read, list and delete', () => {
  test('an item goes through its whole life', async () => {
    const alice = newCaller();
    const before = Date.now();
    const { result, item } = await create(alice, '  Buy milk  ');

    expect(item).toEqual({
      id: item.id,
      name: 'Buy milk',
      owner: alice.sub,
      ownerIssuer: DEFAULT_ISSUER,
      createdAt: item.createdAt,
    });
    expect(item.id).toMatch(/^[0-7][0-9A-HJKMNP-TV-Z]{25}$/);
    expect(Date.parse(item.createdAt)).toBeGreaterThanOrEqual(before);
    expect(result.headers?.Location).toBe(`/test/items/${item.id}`);
    expect(result.headers?.['Idempotent-Replayed']).toBeUndefined();

    const got = await getItem(alice, item.id);
    expect(got.statusCode).toBe(200);
    expect(jsonBody(got)).toEqual(item);

    expect(await list(alice)).toEqual({ items: [item] });

    const deleted = await deleteItem(alice, item.id);
    expect(deleted).toEqual({ statusCode: 204, headers: { 'Cache-Control': 'no-store' }, body: '' });

    const gone = await getItem(alice, item.id);
    expect(gone.statusCode).toBe(404);
    expect(problemBody(gone)).toMatchObject({ code: 'ITEM_NOT_FOUND', title: 'Not found' });
    expect(await list(alice)).toEqual({ items: [] });

    const again = await deleteItem(alice, item.id);
    expect(again.statusCode).toBe(404);
    expect(problemBody(again).code).toBe('ITEM_NOT_FOUND');
  });

  test('a well-formed id that was never issued is 404', async () => {
    const result = await getItem(newCaller(), '01ARZ3NDEKTSV4RRFFQ69G5FAV');
    expect(result.statusCode).toBe(404);
    expect(problemBody(result)).toEqual({
      type: 'tag:bearer-gate,2026:problem:item-not-found',
      title: 'Not found',
      status: 404,
      detail: 'No item with this id exists.',
      code: 'ITEM_NOT_FOUND',
    });
  });

  test('a name of exactly 200 characters (emoji count as one) is accepted', async () => {
    const name = '😀'.repeat(200);
    const { item } = await create(newCaller(), name);
    expect(item.name).toBe(name);
  });
});

describe('pagination', () => {
  test('pages walk every item once, newest first, and the last page has no token', async () => {
    const bob = newCaller();
    const created: ItemBody[] = [];
    for (let i = 0; i < 7; i += 1) created.push((await create(bob, `item ${i}`)).item);
    const newestFirst = [...created].reverse();

    const first = await list(bob, { limit: '3' });
    expect(first.items).toEqual(newestFirst.slice(0, 3));
    expect(typeof first.nextToken).toBe('string');

    const second = await list(bob, { limit: '3', nextToken: first.nextToken ?? '' });
    expect(second.items).toEqual(newestFirst.slice(3, 6));

    const third = await list(bob, { limit: '3', nextToken: second.nextToken ?? '' });
    expect(third).toEqual({ items: newestFirst.slice(6) });
  });

  test('a page that ends exactly at the last item carries no token', async () => {
    const carol = newCaller();
    for (let i = 0; i < 4; i += 1) await create(carol, `item ${i}`);
    const first = await list(carol, { limit: '2' });
    const second = await list(carol, { limit: '2', nextToken: first.nextToken ?? '' });
    expect(second.items).toHaveLength(2);
    expect(second.nextToken).toBeUndefined();
  });

  test('the default page size is 20 and 100 is allowed', async () => {
    const dave = newCaller();
    for (let i = 0; i < 21; i += 1) await create(dave, `item ${i}`);
    const page = await list(dave);
    expect(page.items).toHaveLength(20);
    expect(page.nextToken).toBeDefined();
    expect((await list(dave, { limit: '100' })).items).toHaveLength(21);
  });
});

describe('isolation between owners', () => {
  test("user A can neither see, list nor delete user B's items", async () => {
    const a = newCaller();
    const b = newCaller();
    const { item: bItem } = await create(b, "B's secret");

    const read = await getItem(a, bItem.id);
    expect(read.statusCode).toBe(404);
    expect(problemBody(read).code).toBe('ITEM_NOT_FOUND');
    // Exactly the body of an id that never existed: existence does not leak.
    const missing = await getItem(a, '01ARZ3NDEKTSV4RRFFQ69G5FAV');
    expect(read.body).toBe(missing.body);

    const del = await deleteItem(a, bItem.id);
    expect(del.statusCode).toBe(404);
    expect(problemBody(del).code).toBe('ITEM_NOT_FOUND');

    expect(await list(a)).toEqual({ items: [] });
    // Still there for its owner.
    expect(jsonBody(await getItem(b, bItem.id))).toEqual(bItem);
  });

  test("B's nextToken used by A pages through A's own items only", async () => {
    const a = newCaller();
    const b = newCaller();
    for (let i = 0; i < 3; i += 1) await create(b, `b ${i}`);
    const aItems = [];
    for (let i = 0; i < 2; i += 1) aItems.push((await create(a, `a ${i}`)).item);
    const bPage = await list(b, { limit: '1' });
    // The token only says "after this id"; the partition always comes from the caller.
    const page = await list(a, { nextToken: bPage.nextToken ?? '' });
    expect(page.items.every((item) => item.owner === a.sub)).toBe(true);
  });

  test('the same Idempotency-Key from two users creates two items', async () => {
    const a = newCaller();
    const b = newCaller();
    const { item: first } = await create(a, 'same', { 'Idempotency-Key': 'shared-key' });
    const { item: second } = await create(b, 'same', { 'Idempotency-Key': 'shared-key' });
    expect(second.id).not.toBe(first.id);
    expect(second.owner).toBe(b.sub);
  });
});

describe('idempotent retries', () => {
  test('a retried POST with the same key returns the first result and creates nothing new', async () => {
    const erin = newCaller();
    const key = 'retry-7c0f3a';
    const { result: firstResult, item: first } = await create(erin, 'Pay rent', { 'Idempotency-Key': key });
    const { result: retryResult, item: retry } = await create(erin, ' Pay rent ', { 'idempotency-key': key });

    expect(retry).toEqual(first);
    expect(retryResult.headers?.Location).toBe(firstResult.headers?.Location);
    expect(retryResult.headers?.['Idempotent-Replayed']).toBe('true');
    expect(await list(erin)).toEqual({ items: [first] });
  });

  test('the replay stands even after the item was deleted', async () => {
    const frank = newCaller();
    const { item } = await create(frank, 'short-lived', { 'Idempotency-Key': 'k1' });
    expect((await deleteItem(frank, item.id)).statusCode).toBe(204);
    const { item: replay } = await create(frank, 'short-lived', { 'Idempotency-Key': 'k1' });
    expect(replay).toEqual(item);
    expect(await list(frank)).toEqual({ items: [] });
  });

  test('the same key with a different body is 422 and changes nothing', async () => {
    const gina = newCaller();
    const { item } = await create(gina, 'original', { 'Idempotency-Key': 'k2' });
    const result = await createHandler(createEvent(gina, { name: 'different' }, { 'Idempotency-Key': 'k2' }));
    expect(result.statusCode).toBe(422);
    expect(problemBody(result)).toEqual({
      type: 'tag:bearer-gate,2026:problem:idempotency-key-reused',
      title: 'Idempotency key reused',
      status: 422,
      detail: 'This Idempotency-Key was already used with a different request body.',
      code: 'IDEMPOTENCY_KEY_REUSED',
      field: 'Idempotency-Key',
    });
    expect(await list(gina)).toEqual({ items: [item] });
  });

  test('concurrent requests with one key create exactly one item', async () => {
    const hal = newCaller();
    const results = await Promise.all(
      Array.from({ length: 5 }, () =>
        createHandler(createEvent(hal, { name: 'race' }, { 'Idempotency-Key': 'k3' })),
      ),
    );
    const page = await list(hal);
    expect(page.items).toHaveLength(1);
    const [only] = page.items;
    for (const result of results) {
      // A request that lost the race either replays the winner or is told to retry (409); never a second item.
      if (result.statusCode === 201) expect(jsonBody(result)).toEqual(only);
      else expect([result.statusCode, problemBody(result).code]).toEqual([409, 'IDEMPOTENCY_KEY_IN_USE']);
    }
    expect(results.some((r) => r.statusCode === 201)).toBe(true);
  });

  test('without a key, two identical POSTs are two items', async () => {
    const ivy = newCaller();
    await create(ivy, 'twice');
    await create(ivy, 'twice');
    expect((await list(ivy)).items).toHaveLength(2);
  });
});
