/**
 * Client-side caching of API responses.
 */

interface Entry<V> {
  value: V;
  expiresAt: number;
}

/**
 * A cache whose entries expire `ttlMs` after they were set. Expired entries
 * are removed lazily on read, and `prune()` sweeps the rest. Unlike the
 * server's LRU cache it has no size bound: the page only ever holds a few
 * hundred items.
 */
export class TTLCache<K, V> {
  private entries = new Map<K, Entry<V>>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Returns the value for `key`, or undefined if it is absent or expired. */
  get(key: K): V | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return e.value;
  }

  /** Stores `value` under `key` for the cache's time to live. */
  set(key: K, value: V): void {
    this.entries.set(key, { value, expiresAt: this.now() + this.ttlMs });
  }

  /** Removes every expired entry and returns how many were removed. */
  prune(): number {
    const t = this.now();
    let removed = 0;
    for (const [k, e] of this.entries) {
      if (e.expiresAt <= t) {
        this.entries.delete(k);
        removed++;
      }
    }
    return removed;
  }

  /**
   * Returns the cached value or computes it with `load`, caching the
   * result. Concurrent misses for one key still call `load` once each.
   */
  async getOrLoad(key: K, load: () => Promise<V>): Promise<V> {
    const hit = this.get(key);
    if (hit !== undefined) return hit;
    const value = await load();
    this.set(key, value);
    return value;
  }
}
