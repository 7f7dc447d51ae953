import { createIds, systemClock, type Clock, type Ids } from '../clock/clock.ts';
import type { DatabaseHandle } from '../database/database.port.ts';
import { SteadError } from '../errors/stead-error.ts';
import { createAttemptRunner, type RunningJob } from './database-queue/attempt.ts';
import { createBatchedWrites } from './database-queue/batched-writes.ts';
import { newJobRow, toRecord } from './database-queue/records.ts';
import { startWorkerLoop, type WorkerLoop } from './database-queue/worker-loop.ts';
import { createDatabaseQueueRepository, queueTablesOf } from './database-queue.repository.ts';
import { resolveEnqueueOptions } from './queue-options.ts';
import type { EnqueueOptions, JobHandlers, JobName, JobPayloads, JobQueue, JobRecord, Worker, WorkerOptions } from './queue.port.ts';

/** Where the adapter reports what it swallowed so that workers keep running (pass the logger in app.ts). */
export type DatabaseQueueErrorHandler = (
  error: unknown,
  context: { reason: 'claim_failed' | 'heartbeat_failed' | 'attempt_end_failed' | 'progress_failed' | 'queue_failure_hook_failed'; queue: string; jobId?: string },
) => void;

export interface DatabaseQueueOptions {
  database: DatabaseHandle;
  /** Times of leases, runs and records. Default `systemClock`. Timers (poll, heartbeat, timeout) use real time. */
  clock?: Clock;
  /** Job ids. Default `createIds(clock)`. */
  ids?: Ids;
  /**
   * How long a claimed job stays leased without a heartbeat; a dead worker's jobs run again after this (on SQLite
   * at once when this process starts working their queue). Default 6,000 ms.
   */
  leaseMs?: number;
  /** How often a running job's lease is renewed, and its cancellation noticed across processes. Default `leaseMs / 3`. `Infinity` disables renewal (tests simulating a hung worker). */
  heartbeatMs?: number;
  /** How often idle workers look for ready jobs and stalled ones; enqueues in this process wake them at once. Default 200 ms. */
  pollMs?: number;
  /** Source of backoff jitter, 0 ≤ x < 1. Default `Math.random`. */
  random?: () => number;
  /** Default: ignore. */
  onError?: DatabaseQueueErrorHandler;
}

const closedError = (): SteadError => new SteadError('service_unavailable', 'The job queue is closed');

const checkWorkerOptions = ({ concurrency = 1, rateLimit }: WorkerOptions): void => {
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new SteadError('validation_failed', 'Worker concurrency must be an integer of at least 1');
  if (rateLimit && !(Number.isInteger(rateLimit.max) && rateLimit.max >= 1 && rateLimit.durationMs > 0)) {
    throw new SteadError('validation_failed', 'Worker rate limit needs an integer max of at least 1 and a positive durationMs');
  }
};

/**
 * The embedded job queue: jobs live in the application database (SQLite on a single node; PostgreSQL works too
 * and is then shared by several processes). A worker claims jobs in a transaction that gives each a random lease
 * token and an expiry; heartbeats extend the lease while the handler runs, and every later write names the
 * token, so once a lease expired and another worker took the job, the old holder's result is ignored.
 * The parts: `database-queue/worker-loop.ts` (claiming and draining), `attempt.ts` (one attempt and how it
 * ends), `lease.ts` (tokens and heartbeat), `batched-writes.ts` (group commit), `records.ts` (rows ⇄ records).
 */
export const createDatabaseQueue = (options: DatabaseQueueOptions): JobQueue => {
  const { database } = options;
  const clock = options.clock ?? systemClock;
  const ids = options.ids ?? createIds(clock);
  const leaseMs = options.leaseMs ?? 6_000;
  const heartbeatMs = options.heartbeatMs ?? leaseMs / 3;
  const pollMs = options.pollMs ?? 200;
  const random = options.random ?? Math.random;
  const onError: DatabaseQueueErrorHandler = options.onError ?? (() => {});
  const repository = createDatabaseQueueRepository(queueTablesOf(database.db), database.sqlDialect);
  const writes = createBatchedWrites(database);

  /** Local workers by queue, for wake-ups after an enqueue in this process. */
  const workersByQueue = new Map<string, Set<WorkerLoop>>();
  /** Running attempts by job id (a stalled and a recovered attempt of one job may both be here), for local cancel. */
  const runningById = new Map<string, Set<RunningJob>>();
  const loops = new Set<WorkerLoop>();
  let closed = false;
  let closing: Promise<void> | undefined;

  const wakeQueue = (queue: string, afterMs = 0): void => {
    for (const loop of workersByQueue.get(queue) ?? []) loop.wake(afterMs);
  };

  const track = (job: RunningJob): (() => void) => {
    let siblings = runningById.get(job.id);
    if (!siblings) runningById.set(job.id, (siblings = new Set()));
    siblings.add(job);
    return () => {
      siblings.delete(job);
      if (siblings.size === 0 && runningById.get(job.id) === siblings) runningById.delete(job.id);
    };
  };

  const work = (queue: string, handlers: JobHandlers, workerOptions: WorkerOptions = {}): Worker => {
    if (closed) throw closedError();
    checkWorkerOptions(workerOptions);
    const runner = createAttemptRunner({
      queue,
      handlers,
      onQueueFailure: workerOptions.onQueueFailure,
      repository,
      writes,
      clock,
      leaseMs,
      heartbeatMs,
      random,
      wakeQueue: (afterMs) => wakeQueue(queue, afterMs),
      onError: (error, reason, jobId) => onError(error, { reason, queue, jobId }),
    });
    const loop = startWorkerLoop({
      queue,
      concurrency: workerOptions.concurrency ?? 1,
      rateLimit: workerOptions.rateLimit,
      crossProcess: database.sqlDialect.crossProcess,
      repository,
      runner,
      clock,
      leaseMs,
      pollMs,
      track,
      onError: (error, reason, jobId) => onError(error, jobId === undefined ? { reason, queue } : { reason, queue, jobId }),
    });
    let queueWorkers = workersByQueue.get(queue);
    if (!queueWorkers) workersByQueue.set(queue, (queueWorkers = new Set()));
    queueWorkers.add(loop);
    loops.add(loop);
    let closingWorker: Promise<void> | undefined;
    const close = (graceMs?: number): Promise<void> => {
      closingWorker ??= (async () => {
        queueWorkers.delete(loop);
        if (queueWorkers.size === 0 && workersByQueue.get(queue) === queueWorkers) workersByQueue.delete(queue);
        await loop.close(graceMs);
        loops.delete(loop);
      })();
      return closingWorker;
    };
    return { close };
  };

  return {
    capabilities: { crossProcess: database.sqlDialect.crossProcess, transactional: true },

    async enqueue<N extends JobName>(name: N, payload: JobPayloads[N], enqueueOptions?: EnqueueOptions): Promise<JobRecord<JobPayloads[N]>> {
      if (closed) throw closedError();
      const resolved = resolveEnqueueOptions(name, enqueueOptions);
      const nowMs = clock.now().getTime();
      const row = newJobRow({ id: ids.next(), name, payload, options: resolved, nowMs });
      const transaction = enqueueOptions?.transaction;
      // In the caller's transaction the job commits (or not) with the caller's writes; the batch has its own.
      const stored = transaction ? await createDatabaseQueueRepository(queueTablesOf(transaction), database.sqlDialect).insert(row) : await writes.insert(row);
      // A job written in an open transaction is not visible yet: local workers look again shortly (SQLite's single
      // connection runs their claim after the commit anyway), and the poll catches it on PostgreSQL.
      if (stored.id === row.id) wakeQueue(resolved.queue, transaction ? Math.max(resolved.delayMs, pollMs / 4) : resolved.delayMs);
      return toRecord(stored, new Date(nowMs).toISOString()) as JobRecord<JobPayloads[N]>;
    },

    async get(id) {
      const row = await repository.get(id);
      return row && toRecord(row, clock.now().toISOString());
    },

    async cancel(id) {
      const cancelled = await repository.cancel(id, clock.now().toISOString());
      // Workers in other processes notice at their next heartbeat.
      if (cancelled) for (const job of runningById.get(id) ?? []) job.abort('cancelled');
      return cancelled;
    },

    async retry(id) {
      const revived = await repository.retry(id, clock.now().toISOString());
      if (revived) {
        const row = await repository.get(id);
        if (row) wakeQueue(row.queue);
      }
      return revived;
    },

    work,

    close() {
      closing ??= (async () => {
        closed = true;
        await Promise.all([...loops].map((loop) => loop.close()));
      })();
      return closing;
    },
  };
};
