import { systemClock, type Clock } from '../clock/clock.ts';
import { checkAmount, checkEntries, checkTtl, closedError, notANumberError } from './key-value-input.ts';
import type { KeyValueStore } from './key-value.port.ts';

export interface MemoryKeyValueOptions {
  /** Decides when keys expire. Default `systemClock`; tests inject one they can advance. */
  clock?: Clock;
  /**
   * How often expired keys that nobody reads again are dropped, in milliseconds. Default 30,000. Reads never
   * depend on it (they check expiry themselves); it only keeps memory bounded by the live keys.
   */
  sweepIntervalMs?: number;
}

/** The memory adapter, plus what tests and metrics may inspect. */
export interface MemoryKeyValueStore extends KeyValueStore {
  /** Keys held, including expired ones the sweep has not dropped yet. */
  readonly size: number;
}

interface Entry {
  value: string;
  /** Epoch milliseconds after which the key is gone; `undefined` for no TTL. */
  expiresAt: number | undefined;
}

/** Numbers as Redis `INCRBYFLOAT` accepts them: the whole string, no surrounding space, finite. */
const parseNumber = (text: string): number | undefined => {
  if (text.length === 0 || text.trim() !== text) return undefined;
  const value = Number(text);
  return Number.isFinite(value) ? value : undefined;
};

/**
 * The single-node key-value store: a `Map` in this process. Every operation completes synchronously inside
 * its promise, so check-then-write sequences (`setIfAbsent`, `increment`) cannot interleave with another
 * caller — that is the whole of its atomicity. Expiry follows the injected clock, with Redis's rule: a key
 * lives while `now <= expiresAt`.
 */
export const createMemoryKeyValueStore = (options: MemoryKeyValueOptions = {}): MemoryKeyValueStore => {
  const clock = options.clock ?? systemClock;
  const sweepIntervalMs = options.sweepIntervalMs ?? 30_000;
  if (!Number.isFinite(sweepIntervalMs) || sweepIntervalMs <= 0) throw new RangeError(`Key-value store: sweepIntervalMs must be positive, got ${sweepIntervalMs}`);
  const entries = new Map<string, Entry>();
  let closed = false;

  const now = (): number => clock.now().getTime();
  const isExpired = (entry: Entry, at: number): boolean => entry.expiresAt !== undefined && at > entry.expiresAt;

  /** The live entry, dropping an expired one on the way (lazy expiry). */
  const live = (key: string, at: number): Entry | undefined => {
    const entry = entries.get(key);
    if (entry && isExpired(entry, at)) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };

  const sweep = (): void => {
    const at = now();
    // Deleting the current key while iterating a Map is safe: iteration continues with the next one.
    for (const [key, entry] of entries) if (isExpired(entry, at)) entries.delete(key);
  };
  const sweeper = setInterval(sweep, sweepIntervalMs);
  // The sweep is housekeeping: it must not keep a CLI command or a test process alive.
  sweeper.unref();

  const ensureOpen = (): void => {
    if (closed) throw closedError();
  };

  /** Applies one increment; the arguments are already checked. */
  const incrementNow = (key: string, by: number, ttlMs: number, at: number): number => {
    const entry = live(key, at);
    const current = entry ? parseNumber(entry.value) : 0;
    if (current === undefined) throw notANumberError(key);
    const next = current + by;
    if (!Number.isFinite(next)) throw new RangeError(`Key-value store: incrementing "${key}" would overflow`);
    // String(number) round-trips exactly, so a counter read back with `get` parses to the same number.
    entries.set(key, { value: String(next), expiresAt: entry?.expiresAt ?? at + ttlMs });
    return next;
  };

  return {
    capabilities: { crossProcess: false },

    get size() {
      return entries.size;
    },

    async get(key) {
      ensureOpen();
      return live(key, now())?.value;
    },

    async set(key, value, setOptions = {}) {
      ensureOpen();
      const ttlMs = setOptions.ttlMs === undefined ? undefined : checkTtl(setOptions.ttlMs);
      entries.set(key, { value, expiresAt: ttlMs === undefined ? undefined : now() + ttlMs });
    },

    async setIfAbsent(key, value, setOptions) {
      ensureOpen();
      const ttlMs = checkTtl(setOptions.ttlMs);
      const at = now();
      if (live(key, at)) return false;
      entries.set(key, { value, expiresAt: at + ttlMs });
      return true;
    },

    async delete(key) {
      ensureOpen();
      const existed = live(key, now()) !== undefined;
      entries.delete(key);
      return existed;
    },

    async increment(key, by, incrementOptions) {
      ensureOpen();
      const amount = checkAmount(by);
      const ttlMs = checkTtl(incrementOptions.ttlMs);
      return incrementNow(key, amount, ttlMs, now());
    },

    async incrementMany(batch) {
      ensureOpen();
      const checked = checkEntries(batch);
      // One clock reading for the batch, as one Redis script sees one time.
      const at = now();
      return checked.map((entry) => incrementNow(entry.key, entry.by, entry.ttlMs, at));
    },

    async ping() {
      ensureOpen();
    },

    async close() {
      if (closed) return;
      closed = true;
      clearInterval(sweeper);
      entries.clear();
    },
  };
};
