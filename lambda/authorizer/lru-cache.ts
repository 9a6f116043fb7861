// A map of at most a fixed number of entries that forgets the least recently used first: for what the
// authorizer derives from inputs clients choose, so that no stream of new inputs can grow its memory.

export class LruCache<K, V> {
  // A Map iterates in insertion order; a hit is moved to the end, so the first key is the least recent.
  private readonly entries = new Map<K, V>();
  /** The most recent key: a hit on it needs no move. */
  private newest: K | undefined;

  constructor(readonly maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new RangeError(`maxEntries must be a whole number of at least 1; got ${maxEntries}`);
    }
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: K): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined && key !== this.newest) {
      this.entries.delete(key);
      this.entries.set(key, value);
      this.newest = key;
    }
    return value;
  }

  set(key: K, value: V): void {
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) {
      this.entries.delete(this.entries.keys().next().value as K);
    }
    this.entries.set(key, value);
    this.newest = key;
  }
}
