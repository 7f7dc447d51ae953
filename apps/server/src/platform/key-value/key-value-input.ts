import { SteadError } from '../errors/stead-error.ts';
import type { IncrementEntry } from './key-value.port.ts';

/**
 * A TTL as both adapters apply it: whole milliseconds, rounded up so a fraction never becomes 0 (Redis
 * rejects `PX 0`, and "expires now" is never what a caller meant).
 */
export const checkTtl = (ttlMs: number): number => {
  if (!Number.isFinite(ttlMs) || ttlMs <= 0) throw new RangeError(`Key-value store: ttlMs must be a positive number of milliseconds, got ${ttlMs}`);
  return Math.ceil(ttlMs);
};

export const checkAmount = (by: number): number => {
  if (!Number.isFinite(by)) throw new RangeError(`Key-value store: increment amount must be a finite number, got ${by}`);
  return by;
};

/** Every entry is checked before any is applied, so a bad argument never leaves a batch half-written. */
export const checkEntries = (entries: readonly IncrementEntry[]): IncrementEntry[] =>
  entries.map((entry) => ({ key: entry.key, by: checkAmount(entry.by), ttlMs: checkTtl(entry.ttlMs) }));

// The key is named, never the value: values may be cached model output.
export const notANumberError = (key: string): TypeError => new TypeError(`Key-value store: key "${key}" does not hold a number`);

export const closedError = (): SteadError => new SteadError('service_unavailable', 'The key-value store is closed');
