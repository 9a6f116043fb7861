// API Gateway's authorizer result cache: keyed by the identity source (the whole Authorization header),
// so a cached policy also decides requests to other routes with the same token until the TTL runs out.

export interface ResultCacheOptions {
  /** 0 turns caching off, as `resultsCacheTtl: Duration.seconds(0)` does on AWS. */
  readonly ttlSeconds: number;
  /** Oldest entries are dropped beyond this, so a flood of distinct tokens cannot grow memory. @default 10000 */
  readonly maxEntries?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

export class ResultCache<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number }>();
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(options: ResultCacheOptions) {
    if (!Number.isInteger(options.ttlSeconds) || options.ttlSeconds < 0) {
      throw new RangeError(`ttlSeconds must be a whole number >= 0; got ${options.ttlSeconds}`);
    }
    this.ttlMs = options.ttlSeconds * 1000;
    this.maxEntries = options.maxEntries ?? 10_000;
    this.now = options.now ?? Date.now;
  }

  get enabled(): boolean {
    return this.ttlMs > 0;
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (this.now() >= entry.expiresAt) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: V): void {
    if (!this.enabled) return;
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: this.now() + this.ttlMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
  }

  clear(): void {
    this.entries.clear();
  }
}
