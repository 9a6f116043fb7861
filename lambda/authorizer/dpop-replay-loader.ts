// Wires the DPoP replay store: the DynamoDB table DPOP_REPLAY_TABLE names, whose AWS SDK import is lazy
// (dynamodb-table.ts), or this instance's memory. Only the revocable bundle imports this module.
import type { DpopConfig } from './dpop-config';
import { MemoryReplayStore, createTableReplayStore, type ReplayStore } from './dpop-replay';
import { conditionalPutWith } from './dpop-replay-dynamodb';
import { lazyTableOperation } from './dynamodb-table';

/** The store DPOP_REPLAY_TABLE names, or this instance's memory. */
export function createReplayStore(config: DpopConfig): ReplayStore {
  const table = config.replayTable;
  if (table === null) return new MemoryReplayStore();
  return createTableReplayStore(lazyTableOperation(table, conditionalPutWith));
}
