/** Options of `set`. */
export interface SetOptions {
  /**
   * Lifetime in milliseconds (fractions round up), counted from this write. Default: none — the key stays
   * until deleted, and a `set` without `ttlMs` also removes the TTL an earlier write gave the key.
   */
  ttlMs?: number;
}

/** Options of `setIfAbsent` and `increment`: a TTL is required, so a crashed lock holder or an abandoned counter cannot live forever. */
export interface ExpiringOptions {
  /** Lifetime in milliseconds; must be positive (fractions round up). */
  ttlMs: number;
}

/** One counter update of `incrementMany`. */
export interface IncrementEntry {
  key: string;
  /** Added to the counter; may be fractional or negative (reconciling an estimate after the fact). */
  by: number;
  /** Lifetime given to the counter when it has none (see `increment`). */
  ttlMs: number;
}

/** What an adapter can do beyond the contract. Callers branch on these rather than on the adapter. */
export interface KeyValueCapabilities {
  /**
   * Stores in different processes sharing the backend see the same keys, so counters and locks hold across
   * nodes. Memory: `false` (each process counts alone); Redis: `true`.
   */
  crossProcess: boolean;
}

/**
 * The key-value port: short-lived shared state for the model gateway's budgets (requests and tokens per
 * minute, spend per day and month — counted before a call and reconciled after), its response cache, and
 * simple locks. Keys are namespaced by the adapter (Redis: its `prefix` option, default `'stead:kv:'`), so
 * callers use plain keys such as `budget:rpm:<workspace>`.
 *
 * Guaranteed (and checked by `key-value.contract.ts`, which defines the port):
 * - `setIfAbsent` is exclusive: of any number of concurrent callers for an absent key, exactly one wins;
 * - `increment` is atomic per key: concurrent increments never lose an update, and each caller gets the value
 *   right after its own update; fractional amounts are summed in floating point (see below);
 * - a counter's TTL is fixed when the counter gets one (when it is created, or the first increment of a key
 *   written without a TTL) and later increments never extend it, so the key is a fixed window: it resets
 *   `ttlMs` after the first increment, however busy it is;
 * - a key is readable until its TTL has passed and never after (millisecond resolution);
 * - `incrementMany` applies every entry in order, each atomically, in one round trip to the backend;
 * - with `capabilities.crossProcess`, every store on the same backend and prefix sees the same keys.
 *
 * Deliberately not in the contract:
 * - persistence: the memory adapter loses everything on restart; on Redis it depends on the server's
 *   configuration (a restart without AOF resets budget windows). Nothing here may be the only record of money
 *   spent — the usage ledger in the database is;
 * - eviction: keys without a TTL stay until deleted and the memory adapter has no size cap, so cache entries
 *   always carry a TTL. On Redis a `maxmemory-policy` of `allkeys-*` may evict live counters (a budget resets);
 *   use `volatile-*` or `noeviction`;
 * - atomicity across keys: `incrementMany` is atomic per key, and a reader may see some of its entries
 *   applied and not others; when it rejects (a key holds a non-number), earlier entries may have been applied;
 * - exact decimals: amounts are binary floating point, so ten increments of 0.1 give 1 within about 1e-15
 *   (Redis sums in long double); compare limits with a tolerance, or count in integer units where exactness
 *   matters;
 * - lock ownership: `delete` is unconditional, so a holder that outlived its TTL can delete a successor's
 *   lock; keep the work well inside the TTL. There are no fencing tokens, renewals or waits;
 * - pub/sub, key listing or scanning, TTL inspection or refresh, compare-and-set;
 * - calendar windows: TTLs are durations on the backend's clock. A window aligned to the calendar (spend per
 *   day or month) names its period in the key (`budget:spend:<workspace>:2025-06`) and uses the TTL only to
 *   clean up.
 *
 * Arguments are checked before anything is written: a non-finite `by` or a `ttlMs` that is not positive
 * rejects with a `RangeError`; incrementing a key that holds a non-number rejects with a `TypeError`. A closed
 * store, or an unreachable backend, rejects with `SteadError` `service_unavailable`.
 */
export interface KeyValueStore {
  readonly capabilities: KeyValueCapabilities;
  /** The value, or `undefined` when the key is absent or expired. */
  get(key: string): Promise<string | undefined>;
  /** Writes the value, replacing any earlier value and TTL. */
  set(key: string, value: string, options?: SetOptions): Promise<void>;
  /** Writes the value only if the key is absent (or expired). Resolves `true` for the one caller that wrote it. */
  setIfAbsent(key: string, value: string, options: ExpiringOptions): Promise<boolean>;
  /** Removes the key. Resolves `true` when a live key was removed. */
  delete(key: string): Promise<boolean>;
  /**
   * Adds `by` to the number stored at `key` (an absent key counts as 0) and resolves to the new value. When
   * the key has no TTL (just created, or written by `set` without one), it gets `ttlMs`; an existing TTL is
   * never changed.
   */
  increment(key: string, by: number, options: ExpiringOptions): Promise<number>;
  /** `increment` for each entry, in order, in one round trip; resolves to the new values in entry order. */
  incrementMany(entries: readonly IncrementEntry[]): Promise<number[]>;
  /** Resolves when the backend answers; rejects otherwise (readiness checks). */
  ping(): Promise<void>;
  /** Releases timers and connections. Idempotent; every other method rejects afterwards. */
  close(): Promise<void>;
}
