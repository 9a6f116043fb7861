// Remembers accepted DPoP proofs until they are stale, so none is accepted twice (RFC 9449 §11.1): in this
// instance's memory by default, or in a DynamoDB table shared by every instance (DPOP_REPLAY_TABLE).
import { ReplayStoreUnavailableError, TokenRejectedError } from './errors';

/** Records a proof once; throws TokenRejectedError('DPOP_REPLAYED') if it was recorded before. */
export interface ReplayStore {
  /** `key` names the proof (its key's thumbprint and its jti); it is remembered until `expiresAt` (epoch s). */
  record(key: string, expiresAt: number, nowSeconds: number): Promise<void> | void;
}

/** The store's key of a proof: the thumbprint holds no `#`, so the pair is unambiguous. */
export function proofKey(jkt: string, jti: string): string {
  return `dpop#${jkt}#${jti}`;
}

function replayed(): TokenRejectedError {
  return new TokenRejectedError('DPOP_REPLAYED', 'this proof (jti) was already used');
}

/**
 * This instance's memory. A Lambda instance serves one request at a time, so this catches a replay to the
 * same instance only; a replay that reaches another instance is accepted. At most `maxEntries` live proofs:
 * past that (after dropping stale ones) proofs are refused as unrecordable rather than forgotten.
 */
export class MemoryReplayStore implements ReplayStore {
  private readonly seen = new Map<string, number>();
  constructor(private readonly maxEntries = 100_000) {}

  get size(): number {
    return this.seen.size;
  }

  record(key: string, expiresAt: number, nowSeconds: number): void {
    const until = this.seen.get(key);
    if (until !== undefined && until >= nowSeconds) throw replayed();
    if (this.seen.size >= this.maxEntries) {
      for (const [k, t] of this.seen) if (t < nowSeconds) this.seen.delete(k);
      if (this.seen.size >= this.maxEntries) {
        throw new ReplayStoreUnavailableError(`more than ${this.maxEntries} live DPoP proofs in memory`);
      }
    }
    this.seen.set(key, expiresAt);
  }
}

/** The one call the shared store makes: a put that fails (resolves false) when a live entry exists. */
export type ConditionalPut = (key: string, expiresAt: number, nowSeconds: number) => Promise<boolean>;

/** The table-backed store; `put` is loaded lazily (the AWS SDK is external to the bundle). */
export function createTableReplayStore(put: () => Promise<ConditionalPut>): ReplayStore {
  return {
    async record(key, expiresAt, nowSeconds) {
      let written: boolean;
      try {
        written = await (await put())(key, expiresAt, nowSeconds);
      } catch (cause) {
        throw new ReplayStoreUnavailableError('DPoP replay table could not be written', { cause });
      }
      if (!written) throw replayed();
    },
  };
}
