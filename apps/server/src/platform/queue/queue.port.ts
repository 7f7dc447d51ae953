/**
 * The JobQueue port: durable, at-least-once background work. Two adapters implement it — the embedded one in
 * the database (single node: SQLite, also usable on PostgreSQL) and BullMQ on Redis (cluster) — and one
 * contract suite (`queue.contract.ts`) defines the behaviour every adapter must pass unchanged.
 *
 * Guaranteed (checked by the contract):
 * - a job runs until it completes, fails for good, or is cancelled; a crashed worker's job runs again once its
 *   lease expires (at least once: handlers make side effects idempotent with `job.idempotencyKey`);
 * - an attempt cut off by a lost lease (killed or stalled worker) is a stall, not a counted attempt: it never uses
 *   up `maxAttempts`; stalls have their own ceiling (`maxStalls`), past which the queue fails the job itself and
 *   tells the worker's `onQueueFailure` first;
 * - a running handler whose heartbeat keeps renewing its lease is never taken over, however long it runs;
 * - completion and failure are accepted only from the holder of the job's current lease;
 * - priority (higher first), delay, bounded attempts with exponential backoff and jitter, per-job timeout,
 *   cancellation, idempotency keys (a second enqueue with the same key returns the first job), a dead-letter
 *   state (`failed`) that `retry` revives, per-queue concurrency and rate limits;
 * - handlers steer retries by throwing `UnrecoverableJobError`, `DelayJobError` or `RateLimitJobError`;
 * - with `capabilities.transactional`, `enqueue` takes the caller's database transaction and the job exists if and
 *   only if that transaction commits (without it, callers keep an outbox).
 *
 * Not in the contract: ordering between jobs of equal priority beyond "roughly first in, first out", exactly-once
 * execution, job dependencies (workflows build those on top), and keeping finished jobs forever (retention is
 * the caller's policy).
 */

/** Every job kind, declared once: features add `'kind.name': PayloadType` entries by declaration merging. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface JobPayloads {}

export type JobName = keyof JobPayloads & string;

export type JobState = 'waiting' | 'delayed' | 'active' | 'completed' | 'failed' | 'cancelled';

export interface BackoffOptions {
  /** Default `exponential`: `delayMs * 2^(attempt-1)`. */
  type?: 'exponential' | 'fixed';
  /** Base delay between attempts. Default 1,000 ms. */
  delayMs?: number;
  /** Fraction of the delay randomised away (0–1), so retries of many jobs do not align. Default 0.2. */
  jitter?: number;
}

export interface EnqueueOptions {
  /** Queue the job waits in; concurrency and rate limits are per queue. Default: the job name. */
  queue?: string;
  /** Higher runs first among ready jobs of a queue. Integer -100…100. Default 0. */
  priority?: number;
  /** Run no earlier than this many milliseconds from now. Default 0. */
  delayMs?: number;
  /** Attempts before the job moves to `failed` (dead letter). Default 3. */
  maxAttempts?: number;
  backoff?: BackoffOptions;
  /** An attempt running longer than this is aborted (its `signal` fires) and counts as failed. Default none. */
  timeoutMs?: number;
  /**
   * Attempts cut off by a lost lease (the worker was killed or stalled past its lease) the job survives; the next
   * one fails it with an error that says so. They never count against `maxAttempts`. Integer 0…1,000,000. Default 5.
   */
  maxStalls?: number;
  /** A second enqueue with the same key (in any state but `cancelled`) returns the first job instead. */
  idempotencyKey?: string;
  /**
   * The caller's open database transaction: the job is written inside it, so it exists if and only if the
   * transaction commits (a record and the job that carries it out are one atomic step). Only for queues with
   * `capabilities.transactional` — the database queue, given a Kysely `Transaction` of the same database it
   * stores jobs in. Other adapters reject it with `internal_error`; their callers keep an outbox.
   * The job's idempotency key resolves as usual (against committed jobs and this transaction's own).
   */
  transaction?: QueueTransaction;
}

/**
 * A caller's database transaction, typed structurally so the port names no table of any feature: every Kysely
 * `Transaction` satisfies it. The database queue runs its insert through it.
 */
export interface QueueTransaction {
  readonly isTransaction: true;
}

export interface JobRecord<TPayload = unknown> {
  id: string;
  queue: string;
  name: string;
  payload: TPayload;
  state: JobState;
  priority: number;
  /**
   * Counted attempts started so far (the running one included): not those ended by `DelayJobError`,
   * `RateLimitJobError`, a worker's `close`, or a lost lease (those are `stalls`).
   */
  attempts: number;
  maxAttempts: number;
  /** Attempts cut off by a lost lease: the worker was killed, or stalled longer than the lease. */
  stalls: number;
  maxStalls: number;
  idempotencyKey: string | null;
  /** ISO times. */
  createdAt: string;
  runAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  /** Percent 0–100 and a message, as last reported by the handler. */
  progress: { percent: number; message: string | null } | null;
  /** The handler's return value (JSON) once completed. */
  result: unknown;
  /** The last attempt's error message, if any. */
  error: string | null;
}

/** What a handler gets. */
export interface JobContext<TPayload = unknown> {
  id: string;
  name: string;
  payload: TPayload;
  /** The counted attempt this is, 1 for the first; an attempt resumed after a stall keeps the stalled one's number. */
  attempt: number;
  /** Attempts of this job cut off by a lost lease so far (0 unless a worker died or stalled running it). */
  stalls: number;
  /** Stable across attempts of this job: the key side effects should be deduplicated by. */
  idempotencyKey: string;
  /** Fires when the job is cancelled, times out, loses its lease, or the worker shuts down. */
  signal: AbortSignal;
  progress(percent: number, message?: string): Promise<void>;
}

export type JobHandler<TPayload = unknown> = (job: JobContext<TPayload>) => Promise<unknown>;

/** Handlers of one queue by job name; a job whose name has no handler fails for good. */
export type JobHandlers = { [N in JobName]?: JobHandler<JobPayloads[N]> };

export interface WorkerOptions {
  /** Jobs of this queue run at most this many at a time in this worker. Default 1. */
  concurrency?: number;
  /** At most `max` job starts per `durationMs` across all workers of the queue. Default unlimited. */
  rateLimit?: { max: number; durationMs: number };
  /**
   * Called when the queue fails a job of this queue without its handler deciding: it stalled more than
   * `maxStalls` times, or its name has no handler. Called before the job is marked failed (a crash in between
   * calls it again), so the owner of the work can record the end; its errors are reported and the job fails anyway.
   */
  onQueueFailure?: (failure: JobQueueFailure) => Promise<void>;
}

/** A job the queue itself fails, as `WorkerOptions.onQueueFailure` sees it. */
export interface JobQueueFailure {
  id: string;
  name: string;
  payload: unknown;
  attempt: number;
  stalls: number;
  error: string;
}

export interface Worker {
  /**
   * Stops taking jobs, waits up to `graceMs` (default 10,000 ms) for running ones, then aborts them: their signal
   * fires and they go back to the queue at once without the attempt counting (they run again elsewhere).
   */
  close(graceMs?: number): Promise<void>;
}

export interface JobQueueCapabilities {
  /** Several processes may work the same queue. */
  crossProcess: boolean;
  /** `enqueue` takes a caller's database transaction (`EnqueueOptions.transaction`). */
  transactional: boolean;
}

export interface JobQueue {
  readonly capabilities: JobQueueCapabilities;
  enqueue<N extends JobName>(name: N, payload: JobPayloads[N], options?: EnqueueOptions): Promise<JobRecord<JobPayloads[N]>>;
  get(id: string): Promise<JobRecord | undefined>;
  /** Waiting, delayed or active jobs become `cancelled` (an active one's signal fires). False if already finished. */
  cancel(id: string): Promise<boolean>;
  /**
   * A `failed` or `cancelled` job runs again with fresh attempts. False otherwise, also for a cancelled job whose
   * idempotency key another job has taken since.
   */
  retry(id: string): Promise<boolean>;
  /** Starts working one queue with handlers by job name. */
  work(queue: string, handlers: JobHandlers, options?: WorkerOptions): Worker;
  close(): Promise<void>;
}

/** Why a job's `signal` fired; handlers see it as `job.signal.reason` on every adapter. */
export type JobAbortReason = 'cancelled' | 'timeout' | 'lease-lost' | 'closing';

/**
 * The `signal.reason` of an aborted job. `closing` and `lease-lost` attempts do not end the job: it runs again
 * (elsewhere) without the attempt counting (`lease-lost` counts as a stall); `timeout` counts as a failed
 * attempt; `cancelled` ends it.
 */
export class JobAbortedError extends Error {
  override readonly name = 'AbortError';
  constructor(readonly reason: JobAbortReason, message: string) {
    super(message);
  }
}

/** The job fails for good: no further attempts. */
export class UnrecoverableJobError extends Error {
  override readonly name = 'UnrecoverableJobError';
}

/** Run this job again after `delayMs` without counting the attempt as a failure (waiting on something). */
export class DelayJobError extends Error {
  override readonly name = 'DelayJobError';
  constructor(readonly delayMs: number, message = `delayed ${delayMs} ms`) {
    super(message);
  }
}

/** The queue is rate limited by an outside service: this job and the queue pause for `delayMs`; no attempt is counted. */
export class RateLimitJobError extends Error {
  override readonly name = 'RateLimitJobError';
  constructor(readonly delayMs: number, message = `rate limited for ${delayMs} ms`) {
    super(message);
  }
}
