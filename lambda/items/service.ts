// The items service: owner-scoped create, list, get and delete on DynamoDB. Knows nothing of HTTP.
import { createHash } from 'node:crypto';
import { TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { IdempotencyKeyInUseError, IdempotencyKeyReusedError } from './errors';
import { createItemIdGenerator } from './item-id';
import type { ItemIdGenerator } from './item-id';
import { ITEM_PREFIX, idempotencyKey, itemKey, ownerPartition, type Owner } from './keys';
import { decodePageToken, encodePageToken } from './page-token';
import { callStorage } from './storage-errors';
import { ITEMS_TABLE_SCHEMA } from './table-schema';

export interface Item {
  readonly id: string;
  readonly name: string;
  /** The owner's `sub`. */
  readonly owner: string;
  /** The owner's issuer (`iss`): with `owner`, who the item belongs to. */
  readonly ownerIssuer: string;
  /** ISO 8601, UTC, millisecond precision. */
  readonly createdAt: string;
}

export interface NewItem {
  /** Already validated and trimmed. */
  readonly name: string;
}

export interface ItemPage {
  readonly items: readonly Item[];
  /** Present only when more items follow. */
  readonly nextToken?: string;
}

export interface CreateResult {
  readonly item: Item;
  /** True when an earlier request with the same Idempotency-Key created the item. */
  readonly replayed: boolean;
}

/** Every method acts inside one owner's partition: an owner is an issuer and a subject (keys.ts). */
export interface ItemsService {
  list(owner: Owner, page: { readonly limit: number; readonly nextToken?: string }): Promise<ItemPage>;
  create(owner: Owner, input: NewItem, options?: { readonly idempotencyKey?: string }): Promise<CreateResult>;
  /** undefined when the owner has no item with this id (whether or not someone else does). */
  get(owner: Owner, id: string): Promise<Item | undefined>;
  /** false when the owner has no item with this id. */
  remove(owner: Owner, id: string): Promise<boolean>;
}

export interface ItemsServiceOptions {
  readonly client: DynamoDBDocumentClient;
  readonly tableName: string;
  /** @default Date.now */
  readonly now?: () => number;
  /** @default a monotonic ULID-style generator */
  readonly newId?: ItemIdGenerator;
  /**
   * How long a retried POST with the same Idempotency-Key returns the first result.
   * @default 86400 (24 hours)
   */
  readonly idempotencyTtlSeconds?: number;
  /**
   * The issuer whose callers keep the partition items had before owners were issuer-qualified, `OWNER#<sub>`
   * (LEGACY_OWNER_ISSUER): set it to the one issuer a deployment trusted then, so its items stay reachable.
   * @default - every owner's partition is issuer-qualified
   */
  readonly legacyOwnerIssuer?: string;
}

export const DEFAULT_IDEMPOTENCY_TTL_SECONDS = 24 * 60 * 60;

const TTL = ITEMS_TABLE_SCHEMA.timeToLiveAttribute;

/** What an idempotency record remembers: the request's fingerprint and the response it produced. */
interface IdempotencyRecord {
  readonly requestHash: string;
  readonly item: Item;
  readonly expiresAt: number;
}

/** The item a record holds. Its owner is the partition's, which older records did not store an issuer for. */
function toItem(record: Record<string, unknown> | undefined, owner: Owner): Item | undefined {
  if (record?.kind !== 'item') return undefined;
  return {
    id: String(record.id),
    name: String(record.name),
    owner: owner.sub,
    ownerIssuer: owner.issuer,
    createdAt: String(record.createdAt),
  };
}

function requestHash(input: NewItem): string {
  return createHash('sha256')
    .update(JSON.stringify({ name: input.name }))
    .digest('base64url');
}

export function createItemsService(options: ItemsServiceOptions): ItemsService {
  const { client, tableName } = options;
  const now = options.now ?? Date.now;
  const newId = options.newId ?? createItemIdGenerator();
  const ttlSeconds = options.idempotencyTtlSeconds ?? DEFAULT_IDEMPOTENCY_TTL_SECONDS;
  const partitionOf = (owner: Owner): string => ownerPartition(owner, options.legacyOwnerIssuer);

  function newItem(owner: Owner, input: NewItem): Item {
    const { id, time } = newId(now());
    return {
      id,
      name: input.name,
      owner: owner.sub,
      ownerIssuer: owner.issuer,
      createdAt: new Date(time).toISOString(),
    };
  }

  function itemRecord(owner: Owner, item: Item): Record<string, unknown> {
    return { ...itemKey(partitionOf(owner), item.id), kind: 'item', ...item };
  }

  async function readIdempotencyRecord(owner: Owner, key: string): Promise<IdempotencyRecord | undefined> {
    const { Item: record } = await callStorage(() =>
      client.send(
        new GetCommand({
          TableName: tableName,
          Key: idempotencyKey(partitionOf(owner), key),
          ConsistentRead: true,
        }),
      ),
    );
    // TTL deletion lags by up to days, so an expired record may still be there; it no longer counts.
    if (record === undefined || Number(record[TTL]) <= Math.floor(now() / 1000)) return undefined;
    const item = toItem({ kind: 'item', ...(record.item as Record<string, unknown>) }, owner);
    if (item === undefined) return undefined;
    return { requestHash: String(record.requestHash), item, expiresAt: Number(record[TTL]) };
  }

  async function createIdempotent(owner: Owner, input: NewItem, key: string): Promise<CreateResult> {
    const hash = requestHash(input);
    const item = newItem(owner, input);
    const nowSeconds = Math.floor(now() / 1000);
    try {
      // Item and record commit together or not at all: no item without its record, and no duplicate item.
      await callStorage(() =>
        client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tableName,
                  Item: itemRecord(owner, item),
                  ConditionExpression: 'attribute_not_exists(pk)',
                },
              },
              {
                Put: {
                  TableName: tableName,
                  Item: {
                    ...idempotencyKey(partitionOf(owner), key),
                    kind: 'idempotency',
                    requestHash: hash,
                    item: { id: item.id, name: item.name, createdAt: item.createdAt },
                    [TTL]: nowSeconds + ttlSeconds,
                  },
                  ConditionExpression: 'attribute_not_exists(pk) OR #ttl <= :now',
                  ExpressionAttributeNames: { '#ttl': TTL },
                  ExpressionAttributeValues: { ':now': nowSeconds },
                },
              },
            ],
          }),
        ),
      );
      return { item, replayed: false };
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const reason = error.CancellationReasons?.[1]?.Code;
      if (reason === 'TransactionConflict') throw new IdempotencyKeyInUseError({ cause: error });
      if (reason !== 'ConditionalCheckFailed') throw error;
      const first = await readIdempotencyRecord(owner, key);
      // Gone between our write and this read (expired just now): the caller may simply retry.
      if (first === undefined) throw new IdempotencyKeyInUseError({ cause: error });
      if (first.requestHash !== hash) throw new IdempotencyKeyReusedError();
      return { item: first.item, replayed: true };
    }
  }

  return {
    async list(owner, page) {
      const after = page.nextToken === undefined ? undefined : decodePageToken(page.nextToken);
      const partition = partitionOf(owner);
      const { Items = [] } = await callStorage(() =>
        client.send(
          new QueryCommand({
            TableName: tableName,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :item)',
            ExpressionAttributeValues: { ':pk': partition, ':item': ITEM_PREFIX },
            ...(after === undefined ? {} : { ExclusiveStartKey: itemKey(partition, after) }),
            // Ids sort by time, so descending sort-key order is newest first.
            ScanIndexForward: false,
            // One extra item tells whether another page exists, so the last page never carries a token.
            Limit: page.limit + 1,
            ConsistentRead: true,
          }),
        ),
      );
      const items = Items.slice(0, page.limit)
        .map((record) => toItem(record, owner))
        .filter((item): item is Item => item !== undefined);
      const last = items[items.length - 1];
      return Items.length > page.limit && last !== undefined
        ? { items, nextToken: encodePageToken(last.id) }
        : { items };
    },

    async create(owner, input, createOptions = {}) {
      if (createOptions.idempotencyKey !== undefined) {
        return createIdempotent(owner, input, createOptions.idempotencyKey);
      }
      const item = newItem(owner, input);
      await callStorage(() =>
        client.send(
          new PutCommand({
            TableName: tableName,
            Item: itemRecord(owner, item),
            // Never overwrite: an id collision must fail loudly, not replace someone's item.
            ConditionExpression: 'attribute_not_exists(pk)',
          }),
        ),
      );
      return { item, replayed: false };
    },

    async get(owner, id) {
      const { Item: record } = await callStorage(() =>
        client.send(
          new GetCommand({
            TableName: tableName,
            Key: itemKey(partitionOf(owner), id),
            ConsistentRead: true,
          }),
        ),
      );
      return toItem(record, owner);
    },

    async remove(owner, id) {
      try {
        await callStorage(() =>
          client.send(
            new DeleteCommand({
              TableName: tableName,
              Key: itemKey(partitionOf(owner), id),
              ConditionExpression: 'attribute_exists(pk)',
            }),
          ),
        );
        return true;
      } catch (error) {
        if (error instanceof Error && error.name === 'ConditionalCheckFailedException') return false;
        throw error;
      }
    },
  };
}
