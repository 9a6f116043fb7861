// The revocation and DPoP replay tables' one client factory (dynamodb-table.ts): the operation built once, on
// a client for the endpoint DYNAMODB_ENDPOINT names with bounded attempts, and a failed load retried on the
// next request rather than cached. The real SDK module and client; nothing is sent, so no table is needed.
import { lazyTableOperation, type TableOperation } from '../../lambda/authorizer/dynamodb-table';

const TABLE = { tableName: 'revocations', endpoint: 'http://127.0.0.1:8000' };

test('the client reaches the endpoint with two attempts; the operation is built once', async () => {
  const built: string[] = [];
  const operation: TableOperation<Promise<{ endpoint: string; attempts: number }>> = async (
    client,
    sdk,
    name,
  ) => {
    built.push(name);
    expect(client).toBeInstanceOf(sdk.DynamoDBClient);
    const config = (client as InstanceType<typeof sdk.DynamoDBClient>).config;
    const url = await config.endpoint?.();
    return {
      endpoint: `${url?.protocol}//${url?.hostname}:${url?.port}`,
      attempts: await config.maxAttempts(),
    };
  };
  const loaded = lazyTableOperation(TABLE, operation);
  const first = await loaded();
  expect(await first).toEqual({ endpoint: 'http://127.0.0.1:8000', attempts: 2 });
  expect(await loaded()).toBe(first);
  expect(built).toEqual(['revocations']);
});

test('a failed load is retried on the next request, then kept', async () => {
  let calls = 0;
  const loaded = lazyTableOperation(TABLE, () => {
    calls += 1;
    if (calls === 1) throw new Error('client construction failed');
    return 'operation';
  });
  await expect(loaded()).rejects.toThrow('client construction failed');
  expect(await loaded()).toBe('operation');
  expect(await loaded()).toBe('operation');
  expect(calls).toBe(2);
});
