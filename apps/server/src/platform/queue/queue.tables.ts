/**
 * Tables of the embedded job queue (the database adapter). They belong to the queue: nothing outside
 * `platform/queue/` queries them; `database.types.ts` only composes them into the application's `Database`.
 */

/** A job of the embedded queue. JSON columns (`payload`, `backoff`, `progress`, `result`) hold serialised text. */
export interface JobTable {
  id: string;
  queue: string;
  name: string;
  payload: string;
  /** A `JobState`; `delayed` with a past `runAt` is ready to run. */
  state: string;
  priority: number;
  runAt: string;
  /** Counted attempts: an attempt cut off by a lost lease is counted in `stalls` instead. */
  attempts: number;
  maxAttempts: number;
  /** Attempts cut off by a lost lease (the worker died or stalled). */
  stalls: number;
  maxStalls: number;
  backoff: string;
  timeoutMs: number | null;
  idempotencyKey: string | null;
  /** Set while `active`: only the holder of this token may renew, complete or fail the job. */
  leaseToken: string | null;
  leaseExpiresAt: string | null;
  progress: string | null;
  result: string | null;
  error: string | null;
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

/** Per-queue state shared by every worker of the queue. */
export interface JobQueueTable {
  name: string;
  /** No job of the queue starts before this time (set by `RateLimitJobError`). */
  pausedUntil: string | null;
  updatedAt: string;
}

/** The queue's own tables, as its repository sees the database (a caller's transaction is one over a superset). */
export interface QueueTables {
  job: JobTable;
  jobQueue: JobQueueTable;
}
