// Public surface of the items service: the table schema (for CDK and local setup), config and service.
export { ITEMS_TABLE_SCHEMA, createItemsTableInput } from './table-schema';
export { parseConfig } from './config';
export type { ItemsConfig } from './config';
export { createDocumentClient } from '../shared/dynamodb';
export { DEFAULT_IDEMPOTENCY_TTL_SECONDS, createItemsService } from './service';
export type { CreateResult, Item, ItemPage, ItemsService, ItemsServiceOptions, NewItem } from './service';
export type { Owner } from './keys';
export {
  IdempotencyKeyInUseError,
  IdempotencyKeyReusedError,
  InvalidNextTokenError,
  ItemsConfigError,
  ItemsError,
  StorageUnavailableError,
} from './errors';
export type { ItemsErrorCode } from './errors';
