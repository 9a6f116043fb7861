// The items service's error family. The handlers map each code to an HTTP problem.

export type ItemsErrorCode =
  | 'INVALID_CONFIG'
  | 'INVALID_NEXT_TOKEN'
  | 'IDEMPOTENCY_KEY_REUSED'
  | 'IDEMPOTENCY_KEY_IN_USE'
  | 'STORAGE_UNAVAILABLE';

export abstract class ItemsError extends Error {
  abstract readonly code: ItemsErrorCode;
}

/** An environment variable is missing or malformed; thrown at cold start. */
export class ItemsConfigError extends ItemsError {
  readonly code = 'INVALID_CONFIG';
  constructor(message: string) {
    super(message);
    this.name = 'ItemsConfigError';
  }
}

/** A nextToken that this service did not issue (garbage, truncated or forged). */
export class InvalidNextTokenError extends ItemsError {
  readonly code = 'INVALID_NEXT_TOKEN';
  constructor(options?: ErrorOptions) {
    super('nextToken is not a token this API issued', options);
    this.name = 'InvalidNextTokenError';
  }
}

/** The Idempotency-Key was already used by this owner for a request with a different body. */
export class IdempotencyKeyReusedError extends ItemsError {
  readonly code = 'IDEMPOTENCY_KEY_REUSED';
  constructor() {
    super('the Idempotency-Key was already used with a different request body');
    this.name = 'IdempotencyKeyReusedError';
  }
}

/** Another request with the same Idempotency-Key is being written right now. */
export class IdempotencyKeyInUseError extends ItemsError {
  readonly code = 'IDEMPOTENCY_KEY_IN_USE';
  constructor(options?: ErrorOptions) {
    super('a request with the same Idempotency-Key is in progress', options);
    this.name = 'IdempotencyKeyInUseError';
  }
}

/** DynamoDB could not be reached, or throttled us. Nothing was written (or, for a timeout, it is unknown). */
export class StorageUnavailableError extends ItemsError {
  readonly code = 'STORAGE_UNAVAILABLE';
  constructor(options?: ErrorOptions) {
    super('the item store is unavailable', options);
    this.name = 'StorageUnavailableError';
  }
}
