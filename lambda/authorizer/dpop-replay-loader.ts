// Wires the DPoP replay store: the DynamoDB table DPOP_REPLAY_TABLE names, whose AWS SDK import is lazy (and
// external to the bundle), or this instance's memory. Only the revocable bundle imports this module.
import type { DpopConfig } from './dpop-config';
import {
  MemoryReplayStore,
  createTableReplayStore,
  type ConditionalPut,
  type ReplayStore,
} from './dpop-replay';
import { loadConditionalPut } from './dpop-replay-dynamodb';

/** The store DPOP_REPLAY_TABLE names, or this instance's memory. */
export function createReplayStore(config: DpopConfig): ReplayStore {
  const table = config.replayTable;
  if (table === null) return new MemoryReplayStore();
  let loading: Promise<ConditionalPut> | undefined;
  const put = (): Promise<ConditionalPut> => {
    // A failed import or client construction is retried on the next request rather than cached.
    loading ??= loadConditionalPut(table.tableName, table.endpoint).catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return loading;
  };
  void put().catch(() => undefined);
  return createTableReplayStore(put);
}
