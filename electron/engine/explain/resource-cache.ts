/**
 * A small LRU of loaded resources (datasets, recommenders, language models) for the explorer, whose
 * screens ask for the same project again and again. Each entry carries a stamp (file mtimes): a
 * stale entry is reloaded. Users lease an entry for the duration of a call, so an entry evicted
 * while in use is disposed (ORT sessions released) only after its last lease ends.
 */

interface Entry<V> {
  stamp: string;
  value: Promise<V>;
  leases: number;
  evicted: boolean;
  disposed: boolean;
}

export class ResourceCache<V> {
  /** Map order is recency order: the first key is the least recently used. */
  private readonly entries = new Map<string, Entry<V>>();

  constructor(
    private readonly capacity: number,
    private readonly dispose: (value: V) => Promise<void> = async () => {},
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be ≥ 1, got ${capacity}`);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Runs `fn` on the entry for `key` (loaded now when missing or when its stamp changed). */
  async use<R>(key: string, stamp: string, load: () => Promise<V>, fn: (value: V) => Promise<R> | R): Promise<R> {
    let e = this.entries.get(key);
    if (e && e.stamp !== stamp) {
      this.evict(key, e);
      e = undefined;
    }
    if (e) {
      this.entries.delete(key);
      this.entries.set(key, e);
    } else {
      const entry: Entry<V> = { stamp, value: load(), leases: 0, evicted: false, disposed: false };
      e = entry;
      this.entries.set(key, entry);
      // A failed load is not cached: the next call tries again (and reports its own error).
      entry.value.catch(() => {
        if (this.entries.get(key) === entry) this.entries.delete(key);
      });
      for (const [k, old] of this.entries) {
        if (this.entries.size <= this.capacity) break;
        if (old !== entry) this.evict(k, old);
      }
    }
    e.leases++;
    try {
      return await fn(await e.value);
    } finally {
      e.leases--;
      if (e.evicted && e.leases === 0) await this.disposeEntry(e);
    }
  }

  /** Drops the entries whose key passes `match` (all when omitted), disposing those not in use. */
  async release(match: (key: string) => boolean = () => true): Promise<void> {
    const dropped = [...this.entries].filter(([k]) => match(k));
    for (const [k] of dropped) this.entries.delete(k);
    await Promise.all(
      dropped.map(([, e]) => {
        e.evicted = true;
        return e.leases === 0 ? this.disposeEntry(e) : Promise.resolve();
      }),
    );
  }

  private evict(key: string, e: Entry<V>): void {
    this.entries.delete(key);
    e.evicted = true;
    // Nobody awaits an eviction; a failed release must not become an unhandled rejection.
    if (e.leases === 0) this.disposeEntry(e).catch(() => {});
  }

  private async disposeEntry(e: Entry<V>): Promise<void> {
    if (e.disposed) return;
    e.disposed = true;
    const value = await e.value.catch(() => null);
    if (value !== null) await this.dispose(value);
  }
}
