// How items and idempotency records map onto the table's keys (see table-schema.ts for the why).
export const ITEM_PREFIX = 'ITEM#';
/** Before owners were issuer-qualified: `OWNER#<sub>`. Still read and written for LEGACY_OWNER_ISSUER only. */
const LEGACY_OWNER_PREFIX = 'OWNER#';
const ISSUER_PREFIX = 'ISSUER#';
const IDEMPOTENCY_PREFIX = 'IDEMPOTENCY#';

export interface TableKey {
  readonly pk: string;
  readonly sk: string;
}

/** Who owns an item: a subject is unique only within its issuer, so both are the owner. */
export interface Owner {
  readonly issuer: string;
  readonly sub: string;
}

/**
 * The owner's partition: `ISSUER#<issuer>#OWNER#<sub>`. An issuer never contains `#` (lambda/http/identity.ts
 * refuses one), so the first `#` after the issuer ends it and no two owners share a partition. The legacy
 * form `OWNER#<sub>` starts differently, so it can never equal a qualified one either; it is used for the
 * callers of `legacyIssuer` alone, whose items were stored before owners were qualified.
 */
export function ownerPartition(owner: Owner, legacyIssuer?: string): string {
  return owner.issuer === legacyIssuer
    ? LEGACY_OWNER_PREFIX + owner.sub
    : `${ISSUER_PREFIX}${owner.issuer}#${LEGACY_OWNER_PREFIX}${owner.sub}`;
}

export function itemKey(partition: string, id: string): TableKey {
  return { pk: partition, sk: ITEM_PREFIX + id };
}

/** Idempotency keys live in the caller's partition, so one user's key can never replay another's request. */
export function idempotencyKey(partition: string, key: string): TableKey {
  return { pk: partition, sk: IDEMPOTENCY_PREFIX + key };
}
