import { SteadError } from '../errors/stead-error.ts';
import type { BackoffOptions, EnqueueOptions } from './queue.port.ts';

/** `EnqueueOptions` with every default filled in, as adapters store them. */
export interface ResolvedEnqueueOptions {
  queue: string;
  priority: number;
  delayMs: number;
  maxAttempts: number;
  maxStalls: number;
  backoff: Required<BackoffOptions>;
  timeoutMs: number | null;
  idempotencyKey: string | null;
}

const invalid = (field: string, message: string): SteadError =>
  new SteadError('validation_failed', `Invalid job option ${field}: ${message}`, { details: { field } });

const integerIn = (field: string, value: number, min: number, max: number): number => {
  if (!Number.isInteger(value) || value < min || value > max) throw invalid(field, `must be an integer from ${min} to ${max}`);
  return value;
};

const nonNegative = (field: string, value: number): number => {
  if (!Number.isFinite(value) || value < 0) throw invalid(field, 'must be a finite number of milliseconds, zero or more');
  return value;
};

// About 24 days: the largest delay a Node timer (and a PostgreSQL integer) holds.
const maxDurationMs = 2_147_483_647;

/**
 * Fills the port's defaults and rejects options no adapter can honour, so every adapter refuses the same
 * input with the same `validation_failed` error and stores the same values.
 */
export const resolveEnqueueOptions = (name: string, options: EnqueueOptions = {}): ResolvedEnqueueOptions => {
  const queue = options.queue ?? name;
  if (queue.length === 0) throw invalid('queue', 'must not be empty');
  const backoff: Required<BackoffOptions> = {
    type: options.backoff?.type ?? 'exponential',
    delayMs: nonNegative('backoff.delayMs', options.backoff?.delayMs ?? 1_000),
    jitter: options.backoff?.jitter ?? 0.2,
  };
  if (backoff.type !== 'exponential' && backoff.type !== 'fixed') throw invalid('backoff.type', 'must be exponential or fixed');
  if (!(backoff.jitter >= 0 && backoff.jitter <= 1)) throw invalid('backoff.jitter', 'must be from 0 to 1');
  const timeoutMs = options.timeoutMs === undefined ? null : integerIn('timeoutMs', options.timeoutMs, 1, maxDurationMs);
  if (options.idempotencyKey !== undefined && options.idempotencyKey.length === 0) throw invalid('idempotencyKey', 'must not be empty');
  return {
    queue,
    priority: integerIn('priority', options.priority ?? 0, -100, 100),
    delayMs: Math.min(nonNegative('delayMs', options.delayMs ?? 0), maxDurationMs),
    maxAttempts: integerIn('maxAttempts', options.maxAttempts ?? 3, 1, 1_000_000),
    maxStalls: integerIn('maxStalls', options.maxStalls ?? 5, 0, 1_000_000),
    backoff,
    timeoutMs,
    idempotencyKey: options.idempotencyKey ?? null,
  };
};

/** The error of a job the queue fails because its attempts were cut off by lost leases too often. */
export const stallLimitMessage = (stalls: number, maxStalls: number): string =>
  `The job's attempts were cut off by a lost lease ${stalls} times (its worker was killed or stalled); maxStalls is ${maxStalls}`;

/**
 * The wait before attempt `failedAttempt + 1`: `delayMs` (fixed) or `delayMs * 2^(failedAttempt-1)`
 * (exponential), minus up to `jitter` of it at random, so retries of many jobs that failed together spread out
 * instead of hitting a recovering service at the same instant. Never longer than the nominal delay.
 */
export const backoffDelay = (backoff: Required<BackoffOptions>, failedAttempt: number, random: () => number = Math.random): number => {
  const nominal = backoff.type === 'fixed' ? backoff.delayMs : backoff.delayMs * 2 ** Math.max(0, failedAttempt - 1);
  return Math.min(Math.round(nominal * (1 - backoff.jitter * random())), maxDurationMs);
};
