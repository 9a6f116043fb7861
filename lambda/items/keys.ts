// How items and idempotency records map onto the table's keys (see table-schema.ts for the why).
export const ITEM_PREFIX = 'ITEM#';
const OWNER_PREFIX = 'OWNER#';
const IDEMPOTENCY_PREFIX = 'IDEMPOTENCY#';

export interface TableKey {
  readonly pk: string;
  readonly sk: string;
}

export function ownerPartition(owner: string): string {
  return OWNER_PREFIX + owner;
}

export function itemKey(owner: string, id: string): TableKey {
  return { pk: ownerPartition(owner), sk: ITEM_PREFIX + id };
}

/** Idempotency keys live in the caller's partition, so one user's key can never replay another's request. */
export function idempotencyKey(owner: string, key: string): TableKey {
  return { pk: ownerPartition(owner), sk: IDEMPOTENCY_PREFIX + key };
}
