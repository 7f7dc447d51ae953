import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { createIds, systemClock, type Clock, type Ids } from '../clock/clock.ts';
import type { DatabaseHandle } from '../database/database.port.ts';
import { SteadError } from '../errors/stead-error.ts';
import { createDatabaseQueueRepository, type AttemptOutcome, type JobRow } from './database-queue.repository.ts';
import { backoffDelay, resolveEnqueueOptions, stallLimitMessage } from './queue-options.ts';
import type { QueueTables } from './queue.tables.ts';
import {
  DelayJobError,
  JobAbortedError,
  type JobAbortReason,
  RateLimitJobError,
  UnrecoverableJobError,
  type BackoffOptions,
  type EnqueueOptions,
  type JobContext,
  type JobHandler,
  type JobHandlers,
  type JobName,
  type JobPayloads,
  type JobQueue,
  type JobRecord,
  type JobState,
  type QueueTransaction,
  type Worker,
  type WorkerOptions,
} from './queue.port.ts';

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
  /** How often idle workers look for ready jobs; enqueues in this process wake them at once. Default 200 ms. */
  pollMs?: number;
  /** Source of backoff jitter, 0 ≤ x < 1. Default `Math.random`. */
  random?: () => number;
  /** Default: ignore. */
  onError?: DatabaseQueueErrorHandler;
}

/**
 * Starts every lease token this process hands out, so a SQLite worker starting up can tell a dead process's
 * active jobs (another prefix) from the ones running here.
 */
const processLeasePrefix = `${randomUUID()}:`;

/** Default `Worker.close` grace period. */
const defaultGraceMs = 10_000;

type AbortReason = JobAbortReason;

const abortMessages: Record<AbortReason, string> = {
  cancelled: 'The job was cancelled',
  'lease-lost': 'The worker lost the job’s lease (it stalled and another worker took the job over)',
  timeout: 'The attempt timed out',
  closing: 'The worker is shutting down; the job will run again',
};

interface RunningJob {
  id: string;
  leaseToken: string;
  controller: AbortController;
  reason: AbortReason | undefined;
  abort(reason: AbortReason): void;
  done: Promise<void>;
}

const iso = (milliseconds: number): string => new Date(milliseconds).toISOString();

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

const parseJson = (text: string | null): unknown => (text === null ? null : JSON.parse(text));

const sleep = (milliseconds: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, milliseconds));

/**
 * The application database (or a transaction of it) seen through the queue's own tables. Kysely's types are
 * invariant in the table map, so narrowing needs a cast; every database this queue runs on holds these tables.
 */
const queueTablesOf = (db: QueueTransaction | { readonly isTransaction: boolean }): Kysely<QueueTables> => db as unknown as Kysely<QueueTables>;

const closedError = (): SteadError => new SteadError('service_unavailable', 'The job queue is closed');

/**
 * Group commit: calls made while a flush runs (or in the same tick) are written together by the next flush, one
 * transaction for many jobs. On SQLite with `synchronous=FULL` that is one fsync instead of one per job, and it
 * keeps at most one write of this kind waiting for the connection (Kysely's SQLite mutex wakes every waiter on
 * each release, so thousands of waiting queries cost quadratic time). A failed batch is retried item by item,
 * so one bad item fails alone.
 */
const createBatcher = <T, R>(flush: (items: T[]) => Promise<R[]>, maxBatch = 500): ((item: T) => Promise<R>) => {
  let pending: { item: T; resolve: (result: R) => void; reject: (error: unknown) => void }[] = [];
  let flushing = false;
  const settle = async (batch: typeof pending): Promise<void> => {
    try {
      const results = await flush(batch.map((entry) => entry.item));
      batch.forEach((entry, index) => entry.resolve(results[index]!));
    } catch (error) {
      if (batch.length === 1) batch[0]!.reject(error);
      else for (const entry of batch) await settle([entry]);
    }
  };
  const drain = async (): Promise<void> => {
    while (pending.length > 0) {
      const batch = pending.slice(0, maxBatch);
      pending = pending.slice(batch.length);
      await settle(batch);
    }
    flushing = false;
  };
  return (item) =>
    new Promise<R>((resolve, reject) => {
      pending.push({ item, resolve, reject });
      if (flushing) return;
      flushing = true;
      queueMicrotask(() => void drain());
    });
};

/**
 * The embedded job queue: jobs live in the application database (SQLite on a single node; PostgreSQL works too
 * and is then shared by several processes). A worker claims jobs in a transaction that gives each a random lease
 * token and an expiry; heartbeats extend the lease while the handler runs, and every later write names the
 * token, so once a lease expired and another worker took the job, the old holder's result is ignored.
 *
 * Idle workers poll every `pollMs`; an enqueue in this process wakes the queue's local workers at once, and a
 * finished job makes its worker claim the next one straight away, so throughput is bounded by the database,
 * not by the poll interval.
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
  const repository = createDatabaseQueueRepository(queueTablesOf(database.db), database.dialect);
  type Repository = typeof repository;
  const insertJobs = createBatcher((rows: Parameters<Repository['insertMany']>[0]) =>
    database.db.transaction().execute((trx) => createDatabaseQueueRepository(queueTablesOf(trx), database.dialect).insertMany(rows)),
  );
  /** Writes that end or report on an attempt (complete, fail, release, progress), batched into one transaction. */
  const write = createBatcher((operations: ((repository: Repository) => Promise<unknown>)[]) =>
    database.db.transaction().execute(async (trx) => {
      const scoped = createDatabaseQueueRepository(queueTablesOf(trx), database.dialect);
      const results: unknown[] = [];
      for (const operation of operations) results.push(await operation(scoped));
      return results;
    }),
  );
  const batched = <T>(operation: (repository: Repository) => Promise<T>): Promise<T> => write(operation) as Promise<T>;

  /** Local workers by queue, for wake-ups after an enqueue in this process. */
  const workersByQueue = new Map<string, Set<{ wake(afterMs?: number): void }>>();
  /** Running attempts by job id (a stalled and a recovered attempt of one job may both be here), for local cancel. */
  const runningById = new Map<string, Set<RunningJob>>();
  const workerClosers = new Set<(graceMs?: number) => Promise<void>>();
  let closed = false;
  let closing: Promise<void> | undefined;

  const wakeQueue = (queue: string, afterMs = 0): void => {
    for (const worker of workersByQueue.get(queue) ?? []) worker.wake(afterMs);
  };

  const toRecord = (row: JobRow, now: string): JobRecord => ({
    id: row.id,
    queue: row.queue,
    name: row.name,
    payload: JSON.parse(row.payload) as unknown,
    // A delayed job whose time has come is simply waiting for a worker.
    state: (row.state === 'delayed' && row.runAt <= now ? 'waiting' : row.state) as JobState,
    priority: row.priority,
    attempts: row.attempts,
    maxAttempts: row.maxAttempts,
    stalls: row.stalls,
    maxStalls: row.maxStalls,
    idempotencyKey: row.idempotencyKey,
    createdAt: row.createdAt,
    runAt: row.runAt,
    startedAt: row.startedAt,
    finishedAt: row.finishedAt,
    progress: parseJson(row.progress) as JobRecord['progress'],
    result: parseJson(row.result),
    error: row.error,
  });

  const work = (queue: string, handlers: JobHandlers, workerOptions: WorkerOptions = {}): Worker => {
    if (closed) throw closedError();
    const concurrency = workerOptions.concurrency ?? 1;
    if (!Number.isInteger(concurrency) || concurrency < 1) throw new SteadError('validation_failed', 'Worker concurrency must be an integer of at least 1');
    const { rateLimit } = workerOptions;
    if (rateLimit && !(Number.isInteger(rateLimit.max) && rateLimit.max >= 1 && rateLimit.durationMs > 0)) {
      throw new SteadError('validation_failed', 'Worker rate limit needs an integer max of at least 1 and a positive durationMs');
    }

    const active = new Set<RunningJob>();
    const wakeTimers = new Set<NodeJS.Timeout>();
    const idle = new Set<() => void>();
    let stopping = false;
    let pumping: Promise<void> | undefined;
    let pumpAgain = false;
    let lastStalledCheck = Number.NEGATIVE_INFINITY;
    // One process works a SQLite file: at start, active jobs leased by another process are a dead one's.
    let takeOverForeign = database.dialect === 'sqlite';
    const prepared = repository.ensureQueue(queue, clock.now().toISOString());

    /** Claims jobs while slots are free; wake-ups that arrive meanwhile make it look once more. */
    const pump = (): void => {
      if (stopping) return;
      if (pumping) {
        pumpAgain = true;
        return;
      }
      pumping = (async () => {
        try {
          await prepared;
          do {
            pumpAgain = false;
            while (!stopping && active.size < concurrency) {
              const wanted = concurrency - active.size;
              const now = clock.now().getTime();
              const leaseToken = `${processLeasePrefix}${randomUUID()}`;
              // Looking for stalled jobs once per poll interval is enough: they wait out a whole lease anyway.
              const recoverStalled = performance.now() - lastStalledCheck >= pollMs;
              if (recoverStalled) lastStalledCheck = performance.now();
              const rows = await repository.claim({
                queue,
                now: iso(now),
                limit: wanted,
                leaseToken,
                leaseExpiresAt: iso(now + leaseMs),
                rateLimit: rateLimit && { max: rateLimit.max, windowStart: iso(now - rateLimit.durationMs) },
                recoverStalled,
                takeOverExcept: takeOverForeign ? processLeasePrefix : undefined,
              });
              for (const row of rows) {
                // Claimed while close() began: hand the job straight back rather than start it.
                if (stopping) await repository.release(row.id, leaseToken, clock.now().toISOString());
                else start(row, leaseToken);
              }
              if (rows.length < wanted) break;
            }
          } while (pumpAgain && !stopping);
          takeOverForeign = false;
        } catch (error) {
          onError(error, { reason: 'claim_failed', queue });
        } finally {
          pumping = undefined;
        }
      })();
    };

    const start = (row: JobRow, leaseToken: string): void => {
      const controller = new AbortController();
      const job: RunningJob = {
        id: row.id,
        leaseToken,
        controller,
        reason: undefined,
        abort(reason) {
          if (controller.signal.aborted) return;
          job.reason = reason;
          controller.abort(new JobAbortedError(reason, abortMessages[reason]));
        },
        done: Promise.resolve(),
      };
      active.add(job);
      let siblings = runningById.get(row.id);
      if (!siblings) runningById.set(row.id, (siblings = new Set()));
      siblings.add(job);
      job.done = execute(row, job)
        .catch((error: unknown) => onError(error, { reason: 'attempt_end_failed', queue, jobId: row.id }))
        .finally(() => {
          active.delete(job);
          siblings.delete(job);
          if (siblings.size === 0 && runningById.get(row.id) === siblings) runningById.delete(row.id);
          if (active.size === 0) for (const resolve of idle) resolve();
          pump();
        });
    };

    /** Ends an attempt that threw (or timed out): retry later, delay, or fail for good. */
    const endFailedAttempt = async (row: JobRow, job: RunningJob, error: unknown): Promise<void> => {
      const nowMs = clock.now().getTime();
      const now = iso(nowMs);
      let outcome: AttemptOutcome;
      if (error instanceof RateLimitJobError || error instanceof DelayJobError) {
        const delayMs = Math.max(0, error.delayMs);
        // Pause before the job goes back, so no worker starts the queue's next job inside the pause.
        if (error instanceof RateLimitJobError) await repository.pauseQueue(queue, iso(nowMs + delayMs), now);
        outcome = { state: 'delayed', runAt: iso(nowMs + delayMs), error: error.message, uncount: true, now };
        wakeQueue(queue, delayMs);
      } else if (error instanceof UnrecoverableJobError || row.attempts >= row.maxAttempts) {
        outcome = { state: 'failed', error: messageOf(error), now };
      } else {
        const delayMs = backoffDelay(JSON.parse(row.backoff) as Required<BackoffOptions>, row.attempts, random);
        outcome = { state: 'delayed', runAt: iso(nowMs + delayMs), error: messageOf(error), uncount: false, now };
        wakeQueue(queue, delayMs);
      }
      await batched((scoped) => scoped.endAttempt(row.id, job.leaseToken, outcome));
    };

    /** Fails a job the queue gives up on (no handler, too many stalls), telling the worker's owner first. */
    const failByQueue = async (row: JobRow, job: RunningJob, error: string): Promise<void> => {
      if (workerOptions.onQueueFailure) {
        const failure = { id: row.id, name: row.name, payload: JSON.parse(row.payload) as unknown, attempt: row.attempts, stalls: row.stalls, error };
        await workerOptions.onQueueFailure(failure).catch((hookError: unknown) => onError(hookError, { reason: 'queue_failure_hook_failed', queue, jobId: row.id }));
      }
      await batched((scoped) => scoped.endAttempt(row.id, job.leaseToken, { state: 'failed', error, now: clock.now().toISOString() }));
    };

    const execute = async (row: JobRow, job: RunningJob): Promise<void> => {
      const handler = handlers[row.name as JobName] as JobHandler | undefined;
      if (row.stalls > row.maxStalls) return failByQueue(row, job, stallLimitMessage(row.stalls, row.maxStalls));
      if (!handler) return failByQueue(row, job, `No handler for job "${row.name}" in queue "${queue}"`);
      const { signal } = job.controller;
      const heartbeat = Number.isFinite(heartbeatMs)
        ? setInterval(() => {
            const now = clock.now().getTime();
            repository.renewLease(row.id, job.leaseToken, iso(now + leaseMs), iso(now)).then(
              (held) => {
                // Cancelled, or taken over by another worker after a stall: stop working on it.
                if (!held) job.abort('lease-lost');
              },
              (error: unknown) => onError(error, { reason: 'heartbeat_failed', queue, jobId: row.id }),
            );
          }, heartbeatMs)
        : undefined;
      const timeout = row.timeoutMs === null ? undefined : setTimeout(() => job.abort('timeout'), row.timeoutMs);
      const aborted = new Promise<undefined>((resolve) => signal.addEventListener('abort', () => resolve(undefined), { once: true }));

      const context: JobContext = {
        id: row.id,
        name: row.name,
        payload: JSON.parse(row.payload) as unknown,
        attempt: row.attempts,
        stalls: row.stalls,
        idempotencyKey: row.idempotencyKey ?? row.id,
        signal,
        progress: async (percent, message) => {
          if (!Number.isFinite(percent)) throw new SteadError('validation_failed', 'Job progress must be a number from 0 to 100');
          const value = JSON.stringify({ percent: Math.min(100, Math.max(0, percent)), message: message ?? null });
          const now = clock.now().toISOString();
          await batched((scoped) => scoped.setProgress(row.id, job.leaseToken, value, now));
        },
      };

      type Settled = { ok: true; value: unknown } | { ok: false; error: unknown };
      let settled: Settled | undefined;
      try {
        // Racing the abort: a handler that ignores its signal must not hold up cancellation, timeout or shutdown.
        settled = await Promise.race([
          Promise.resolve()
            .then(() => handler(context))
            .then(
              (value): Settled => ({ ok: true, value }),
              (error: unknown): Settled => ({ ok: false, error }),
            ),
          aborted,
        ]);
      } finally {
        clearInterval(heartbeat);
        clearTimeout(timeout);
      }

      if (!settled) {
        if (job.reason === 'timeout') await endFailedAttempt(row, job, new Error(`The attempt timed out after ${row.timeoutMs} ms`));
        else if (job.reason === 'closing') {
          const now = clock.now().toISOString();
          await batched((scoped) => scoped.release(row.id, job.leaseToken, now));
        }
        // Cancelled or lease lost: the record is no longer ours to write.
        return;
      }
      if (!settled.ok) {
        await endFailedAttempt(row, job, settled.error);
        return;
      }
      let result: string;
      try {
        result = JSON.stringify(settled.value === undefined ? null : settled.value) ?? 'null';
      } catch (error) {
        await endFailedAttempt(row, job, new UnrecoverableJobError(`The job's result is not JSON-serialisable: ${messageOf(error)}`));
        return;
      }
      const now = clock.now().toISOString();
      await batched((scoped) => scoped.complete(row.id, job.leaseToken, result, now));
    };

    const wake = (afterMs = 0): void => {
      if (stopping) return;
      if (afterMs <= 0) {
        pump();
        return;
      }
      const timer = setTimeout(() => {
        wakeTimers.delete(timer);
        pump();
      }, afterMs + 1);
      timer.unref();
      wakeTimers.add(timer);
    };
    const poll = setInterval(pump, pollMs);
    const local = { wake };
    let queueWorkers = workersByQueue.get(queue);
    if (!queueWorkers) workersByQueue.set(queue, (queueWorkers = new Set()));
    queueWorkers.add(local);
    pump();

    let closingWorker: Promise<void> | undefined;
    const close = (graceMs = defaultGraceMs): Promise<void> => {
      closingWorker ??= (async () => {
        stopping = true;
        clearInterval(poll);
        for (const timer of wakeTimers) clearTimeout(timer);
        queueWorkers.delete(local);
        if (queueWorkers.size === 0 && workersByQueue.get(queue) === queueWorkers) workersByQueue.delete(queue);
        await pumping;
        if (active.size > 0) {
          let resolveIdle!: () => void;
          const drained = new Promise<void>((resolve) => (resolveIdle = resolve));
          idle.add(resolveIdle);
          await Promise.race([drained, sleep(graceMs)]);
          idle.delete(resolveIdle);
        }
        // Jobs still running after the grace period go back to the queue at once, uncounted.
        const remaining = [...active];
        for (const job of remaining) job.abort('closing');
        await Promise.all(remaining.map((job) => job.done));
        workerClosers.delete(close);
      })();
      return closingWorker;
    };
    workerClosers.add(close);
    return { close };
  };

  return {
    capabilities: { crossProcess: database.dialect === 'postgres', transactional: true },

    async enqueue<N extends JobName>(name: N, payload: JobPayloads[N], enqueueOptions?: EnqueueOptions): Promise<JobRecord<JobPayloads[N]>> {
      if (closed) throw closedError();
      const resolved = resolveEnqueueOptions(name, enqueueOptions);
      let payloadText: string;
      try {
        payloadText = JSON.stringify(payload === undefined ? null : payload);
      } catch (error) {
        throw new SteadError('validation_failed', `Job "${name}": the payload is not JSON-serialisable`, { cause: error });
      }
      const nowMs = clock.now().getTime();
      const now = iso(nowMs);
      const id = ids.next();
      const row = {
        id,
        queue: resolved.queue,
        name,
        payload: payloadText,
        state: resolved.delayMs > 0 ? 'delayed' : 'waiting',
        priority: resolved.priority,
        runAt: iso(nowMs + resolved.delayMs),
        attempts: 0,
        maxAttempts: resolved.maxAttempts,
        stalls: 0,
        maxStalls: resolved.maxStalls,
        backoff: JSON.stringify(resolved.backoff),
        timeoutMs: resolved.timeoutMs,
        idempotencyKey: resolved.idempotencyKey,
        leaseToken: null,
        leaseExpiresAt: null,
        progress: null,
        result: null,
        error: null,
        createdAt: now,
        updatedAt: now,
        startedAt: null,
        finishedAt: null,
      };
      const transaction = enqueueOptions?.transaction;
      // In the caller's transaction the job commits (or not) with the caller's writes; the batch has its own.
      const stored = transaction
        ? await createDatabaseQueueRepository(queueTablesOf(transaction), database.dialect).insert(row)
        : await insertJobs(row);
      // A job written in an open transaction is not visible yet: local workers look again shortly (SQLite's single
      // connection runs their claim after the commit anyway), and the poll catches it on PostgreSQL.
      if (stored.id === id) wakeQueue(resolved.queue, transaction ? Math.max(resolved.delayMs, pollMs / 4) : resolved.delayMs);
      return toRecord(stored, now) as JobRecord<JobPayloads[N]>;
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
        await Promise.all([...workerClosers].map((closeWorker) => closeWorker()));
      })();
      return closing;
    },
  };
};
