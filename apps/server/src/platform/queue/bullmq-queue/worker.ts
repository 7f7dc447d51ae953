import { DelayedError, UnrecoverableError, WaitingError, Worker as BullWorker, type Queue } from 'bullmq';
import { stallLimitMessage } from '../queue-options.ts';
import {
  DelayJobError,
  JobAbortedError,
  RateLimitJobError,
  UnrecoverableJobError,
  type JobContext,
  type JobHandler,
  type JobHandlers,
  type Worker,
  type WorkerOptions,
} from '../queue.port.ts';
import type { BullmqCancellations, RunningAttempt } from './cancellations.ts';
import type { BullmqConnection, BullmqQueueErrorHandler } from './connection.ts';
import { attemptOf, checkQueueName, maxStallsOf, type StoredData, type StoredJob } from './stored-job.ts';

/** Default `Worker.close` grace period (the port's). */
const defaultGraceMs = 10_000;

export interface BullmqWorkerOptions {
  connection: BullmqConnection;
  cancellations: BullmqCancellations;
  queue: string;
  handlers: JobHandlers;
  workerOptions: WorkerOptions;
  leaseMs: number;
  renewLeases: boolean;
  onError: BullmqQueueErrorHandler;
}

/**
 * Turns what a handler threw (or why its signal fired) into what BullMQ acts on. DelayJobError and shutdown
 * move the job themselves and throw BullMQ's marker errors, which make BullMQ leave the job where it is.
 */
const translateFailure = async (error: unknown, job: StoredJob, token: string, signal: AbortSignal, queue: Queue): Promise<Error> => {
  if (signal.aborted && signal.reason instanceof JobAbortedError) {
    const reason = signal.reason;
    if (reason.reason === 'cancelled') return new UnrecoverableError('cancelled');
    if (reason.reason === 'closing') {
      // Back to waiting at once, so another worker takes it without waiting for the lease or spending an attempt.
      await job.moveToWait(token);
      return new WaitingError();
    }
    return reason;
  }
  if (error instanceof UnrecoverableJobError) return new UnrecoverableError(error.message);
  if (error instanceof DelayJobError) {
    await job.moveToDelayed(Date.now() + error.delayMs, token);
    return new DelayedError();
  }
  if (error instanceof RateLimitJobError) {
    // Sets the queue's limiter key for every worker; the job goes back to waiting without counting an attempt.
    await queue.rateLimit(error.delayMs);
    return BullWorker.RateLimitError();
  }
  return error instanceof Error ? error : new Error(String(error));
};

/** Why the queue gives up on a job before its handler runs: too many stalls, or no handler. */
const givenUpBecause = (job: StoredJob, queue: string, handler: JobHandler | undefined): string | undefined => {
  const maxStalls = maxStallsOf(job.data);
  if (job.stalledCounter > maxStalls) return stallLimitMessage(job.stalledCounter, maxStalls);
  return handler ? undefined : `No handler for job "${job.name}" in queue "${queue}"`;
};

/** A promise that rejects with the signal's reason once it fires (settling the job while a handler ignores it). */
const rejectionOnAbort = (signal: AbortSignal): Promise<never> => {
  const aborted = new Promise<never>((_resolve, reject) => {
    const fire = (): void => reject(signal.reason);
    if (signal.aborted) fire();
    else signal.addEventListener('abort', fire, { once: true });
  });
  aborted.catch(() => {});
  return aborted;
};

/** One BullMQ worker of one port queue: leases renewed at a third, stalled checks at most every second. */
export const startBullmqWorker = (options: BullmqWorkerOptions): Worker => {
  const { connection, cancellations, queue: queueName, workerOptions, leaseMs, onError } = options;
  checkQueueName(queueName);
  cancellations.listen();
  const queue = connection.queueFor(queueName);
  const running = new Map<string, RunningAttempt>();
  const unregister = cancellations.register(running);
  const handlerOf = (name: string): JobHandler | undefined => (options.handlers as Record<string, JobHandler | undefined>)[name];

  const settle = async (job: StoredJob, token: string, handler: JobHandler, controller: AbortController): Promise<unknown> => {
    const id = job.id!;
    const context: JobContext = {
      id,
      name: job.name,
      payload: job.data.payload,
      attempt: attemptOf(job),
      stalls: job.stalledCounter,
      idempotencyKey: job.data.idempotencyKey ?? id,
      signal: controller.signal,
      progress: async (percent, message) => {
        await job.updateProgress({ percent: Math.min(100, Math.max(0, percent)), message: message ?? null });
      },
    };
    let result: unknown;
    try {
      // A handler that ignores its signal keeps running, but its job is settled now: the worker slot frees up
      // and a timed-out or cancelled job does not wait for it.
      result = await Promise.race([handler(context), rejectionOnAbort(controller.signal)]);
    } catch (error) {
      throw await translateFailure(error, job, token, controller.signal, queue);
    }
    // Cancelled while returning: the port promised `cancelled`, so the result is not recorded as a completion.
    if (controller.signal.aborted) throw await translateFailure(undefined, job, token, controller.signal, queue);
    return result ?? null;
  };

  const processor = async (job: StoredJob, token?: string): Promise<unknown> => {
    const id = job.id!;
    const lockToken = token!;
    const controller = new AbortController();
    running.set(lockToken, { job, controller });
    const heardAt = cancellations.heardAt(id);
    if (heardAt !== undefined && (job.processedOn ?? 0) <= heardAt) controller.abort(new JobAbortedError('cancelled', 'The job was cancelled'));
    const timeoutMs = job.data.timeoutMs;
    const timer = timeoutMs === null ? undefined : setTimeout(() => controller.abort(new JobAbortedError('timeout', `The job timed out after ${timeoutMs} ms`)), timeoutMs);
    try {
      const handler = handlerOf(job.name);
      const givenUp = givenUpBecause(job, queueName, handler);
      if (givenUp !== undefined || !handler) {
        const error = givenUp ?? 'No handler';
        const failure = { id, name: job.name, payload: job.data.payload, attempt: attemptOf(job), stalls: job.stalledCounter, error };
        await workerOptions.onQueueFailure?.(failure).catch((hookError: unknown) => onError(hookError, { reason: 'queue_failure_hook_failed', queue: queueName, jobId: id }));
        throw new UnrecoverableError(error);
      }
      return await settle(job, lockToken, handler, controller);
    } finally {
      clearTimeout(timer);
      running.delete(lockToken);
    }
  };

  const bullWorker = new BullWorker<StoredData, unknown, string>(queueName, processor, {
    connection: connection.workerConnection(),
    prefix: connection.prefix,
    concurrency: workerOptions.concurrency ?? 1,
    lockDuration: leaseMs,
    lockRenewTime: Math.max(1, Math.floor(leaseMs / 3)),
    // Frequent checks keep recovery near the lease (kill → resume ≤ lease + 1 s); each is one short script.
    stalledInterval: Math.max(100, Math.min(Math.floor(leaseMs / 2), 1_000)),
    // The processor enforces the job's own maxStalls (and tells onQueueFailure), so BullMQ's per-worker stall
    // limit must never decide first.
    maxStalledCount: 1_000_000_000,
    skipLockRenewal: !options.renewLeases,
    // BullMQ honours a manual rate limit (RateLimitJobError) only when a limiter max is set; an unreachable max
    // keeps queues without a configured limit unlimited.
    limiter: workerOptions.rateLimit
      ? { max: workerOptions.rateLimit.max, duration: workerOptions.rateLimit.durationMs }
      : { max: Number.MAX_SAFE_INTEGER, duration: 60_000 },
  });
  bullWorker.on('error', (error) => onError(error, { reason: 'worker_error', queue: queueName }));
  bullWorker.on('lockRenewalFailed', (jobIds) => {
    for (const jobId of jobIds) {
      for (const entry of running.values()) if (entry.job.id === jobId) entry.controller.abort(new JobAbortedError('lease-lost', 'The job lost its lease'));
      onError(new Error(`Lost the lease of job ${jobId}`), { reason: 'lease-lost', queue: queueName, jobId });
    }
  });

  let closing: Promise<void> | undefined;
  const close = (graceMs = defaultGraceMs): Promise<void> => {
    closing ??= (async () => {
      const done = bullWorker.close();
      const timer = setTimeout(() => {
        for (const entry of running.values()) entry.controller.abort(new JobAbortedError('closing', 'The worker is shutting down'));
      }, graceMs);
      try {
        await done;
      } finally {
        clearTimeout(timer);
        unregister();
      }
    })();
    return closing;
  };
  return { close };
};
