// Wires the DPoP server nonces' key store: the replay table DPOP_REPLAY_TABLE names, whose AWS SDK import is
// lazy (and external to the bundle), each period's key cached in this instance. Only the revocable bundle
// imports this module.
import type { DpopConfig } from './dpop-config';
import { cachedNonceKeyStore, keyPeriodOf, nonceWindow, type NonceKeyStore } from './dpop-nonce';
import { loadNonceKeyLoader } from './dpop-nonce-dynamodb';

/** The key store for DPOP_NONCES, or undefined when nonces are off. */
export function createNonceKeyStore(config: DpopConfig): NonceKeyStore | undefined {
  const table = config.replayTable;
  // parseDpopConfig refuses DPOP_NONCES without DPOP_REPLAY_TABLE.
  if (config.nonces === null || table === null) return undefined;
  let loading: ReturnType<typeof loadNonceKeyLoader> | undefined;
  const store = cachedNonceKeyStore(async (period, nowSeconds) => {
    // A failed import or client construction is retried on the next request rather than cached.
    loading ??= loadNonceKeyLoader(table.tableName, table.endpoint).catch((error: unknown) => {
      loading = undefined;
      throw error;
    });
    return (await loading)(period, nowSeconds);
  });
  // Read at init, alongside the JWKS fetch, so the first DPoP request finds today's key on hand; a failure
  // here is not kept (the first request that needs the key reads it again, and fails closed if it must).
  const now = Math.floor(Date.now() / 1000);
  void Promise.resolve(store.key(keyPeriodOf(nonceWindow(now)), now)).catch(() => undefined);
  return store;
}
