// Wires the DPoP server nonces' key store: the replay table DPOP_REPLAY_TABLE names, whose AWS SDK import is
// lazy (dynamodb-table.ts), each period's key cached in this instance. Only the revocable bundle imports this
// module.
import type { DpopConfig } from './dpop-config';
import { cachedNonceKeyStore, keyPeriodOf, nonceWindow, type NonceKeyStore } from './dpop-nonce';
import { nonceKeyLoaderWith } from './dpop-nonce-dynamodb';
import { lazyTableOperation } from './dynamodb-table';

/** The key store for DPOP_NONCES, or undefined when nonces are off. */
export function createNonceKeyStore(config: DpopConfig): NonceKeyStore | undefined {
  const table = config.replayTable;
  // parseDpopConfig refuses DPOP_NONCES without DPOP_REPLAY_TABLE.
  if (config.nonces === null || table === null) return undefined;
  const loader = lazyTableOperation(table, nonceKeyLoaderWith);
  const store = cachedNonceKeyStore(async (period, nowSeconds) => (await loader())(period, nowSeconds));
  // Read at init, alongside the JWKS fetch, so the first DPoP request finds today's key on hand; a failure
  // here is not kept (the first request that needs the key reads it again, and fails closed if it must).
  const now = Math.floor(Date.now() / 1000);
  void Promise.resolve(store.key(keyPeriodOf(nonceWindow(now)), now)).catch(() => undefined);
  return store;
}
