import type { Clock } from '../../clock/clock.ts';
import { SteadError } from '../../errors/stead-error.ts';
import type { AttemptOutcome, DatabaseQueueRepository, JobRow } from '../database-queue.repository.ts';
import { backoffDelay, stallLimitMessage } from '../queue-options.ts';
import {
  DelayJobError,
  JobAbortedError,
  RateLimitJobError,
  UnrecoverableJobError,
  type BackoffOptions,
  type JobAbortReason,
  type JobContext,
  type JobHandler,
  type JobHandlers,
  type JobName,
  type JobQueueFailure,
} from '../queue.port.ts';
import type { BatchedWrites } from './batched-writes.ts';
import { startHeartbeat } from './lease.ts';

const abortMessages: Record<JobAbortReason, string> = {
  cancelled: 'The job was cancelled',
  'lease-lost': 'The worker lost the job’s lease (it stalled and another worker took the job over)',
  timeout: 'The attempt timed out',
  closing: 'The worker is shutting down; the job will run again',
};

/** One attempt running in this process, under the lease token its claim gave it. */
export interface RunningJob {
  readonly id: string;
  readonly leaseToken: string;
  readonly signal: AbortSignal;
  /** Why the signal fired, once it has. */
  readonly reason: JobAbortReason | undefined;
  abort(reason: JobAbortReason): void;
}

export const createRunningJob = (id: string, leaseToken: string): RunningJob => {
  const controller = new AbortController();
  let reason: JobAbortReason | undefined;
  return {
    id,
    leaseToken,
    signal: controller.signal,
    get reason() {
      return reason;
    },
    abort(why) {
      if (controller.signal.aborted) return;
      reason = why;
      controller.abort(new JobAbortedError(why, abortMessages[why]));
    },
  };
};

export type AttemptErrorReason = 'heartbeat_failed' | 'queue_failure_hook_failed';

export interface AttemptRunnerOptions {
  queue: string;
  handlers: JobHandlers;
  onQueueFailure: ((failure: JobQueueFailure) => Promise<void>) | undefined;
  repository: DatabaseQueueRepository;
  writes: BatchedWrites;
  clock: Clock;
  leaseMs: number;
  heartbeatMs: number;
  random: () => number;
  /** Local workers of `queue` look again after `afterMs` (a retry or delay comes due). */
  wakeQueue(afterMs: number): void;
  onError(error: unknown, reason: AttemptErrorReason, jobId: string): void;
}

/** Runs claimed jobs of one queue to the end of their attempt and writes how it ended, under the attempt's lease. */
export interface AttemptRunner {
  run(row: JobRow, job: RunningJob): Promise<void>;
}

const iso = (milliseconds: number): string => new Date(milliseconds).toISOString();

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

type Settled = { ok: true; value: unknown } | { ok: false; error: unknown };

export const createAttemptRunner = (options: AttemptRunnerOptions): AttemptRunner => {
  const { queue, repository, writes, clock } = options;

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
      options.wakeQueue(delayMs);
    } else if (error instanceof UnrecoverableJobError || row.attempts >= row.maxAttempts) {
      outcome = { state: 'failed', error: messageOf(error), now };
    } else {
      const delayMs = backoffDelay(JSON.parse(row.backoff) as Required<BackoffOptions>, row.attempts, options.random);
      outcome = { state: 'delayed', runAt: iso(nowMs + delayMs), error: messageOf(error), uncount: false, now };
      options.wakeQueue(delayMs);
    }
    await writes.write((scoped) => scoped.endAttempt(row.id, job.leaseToken, outcome));
  };

  /** Fails a job the queue gives up on (no handler, too many stalls), telling the worker's owner first. */
  const failByQueue = async (row: JobRow, job: RunningJob, error: string): Promise<void> => {
    if (options.onQueueFailure) {
      const failure = { id: row.id, name: row.name, payload: JSON.parse(row.payload) as unknown, attempt: row.attempts, stalls: row.stalls, error };
      await options.onQueueFailure(failure).catch((hookError: unknown) => options.onError(hookError, 'queue_failure_hook_failed', row.id));
    }
    await writes.write((scoped) => scoped.endAttempt(row.id, job.leaseToken, { state: 'failed', error, now: clock.now().toISOString() }));
  };

  const contextOf = (row: JobRow, job: RunningJob): JobContext => ({
    id: row.id,
    name: row.name,
    payload: JSON.parse(row.payload) as unknown,
    attempt: row.attempts,
    stalls: row.stalls,
    idempotencyKey: row.idempotencyKey ?? row.id,
    signal: job.signal,
    progress: async (percent, message) => {
      if (!Number.isFinite(percent)) throw new SteadError('validation_failed', 'Job progress must be a number from 0 to 100');
      const value = JSON.stringify({ percent: Math.min(100, Math.max(0, percent)), message: message ?? null });
      const now = clock.now().toISOString();
      await writes.write((scoped) => scoped.setProgress(row.id, job.leaseToken, value, now));
    },
  });

  /** Runs the handler under heartbeat and timeout; undefined when the signal fired first. */
  const settle = async (row: JobRow, job: RunningJob, handler: JobHandler): Promise<Settled | undefined> => {
    const stopHeartbeat = startHeartbeat({
      repository,
      clock,
      leaseMs: options.leaseMs,
      heartbeatMs: options.heartbeatMs,
      jobId: row.id,
      leaseToken: job.leaseToken,
      onLost: () => job.abort('lease-lost'),
      onError: (error) => options.onError(error, 'heartbeat_failed', row.id),
    });
    const timeout = row.timeoutMs === null ? undefined : setTimeout(() => job.abort('timeout'), row.timeoutMs);
    const aborted = new Promise<undefined>((resolve) => job.signal.addEventListener('abort', () => resolve(undefined), { once: true }));
    const context = contextOf(row, job);
    try {
      // Racing the abort: a handler that ignores its signal must not hold up cancellation, timeout or shutdown.
      return await Promise.race([
        Promise.resolve()
          .then(() => handler(context))
          .then(
            (value): Settled => ({ ok: true, value }),
            (error: unknown): Settled => ({ ok: false, error }),
          ),
        aborted,
      ]);
    } finally {
      stopHeartbeat();
      clearTimeout(timeout);
    }
  };

  const run = async (row: JobRow, job: RunningJob): Promise<void> => {
    const handler = options.handlers[row.name as JobName] as JobHandler | undefined;
    if (row.stalls > row.maxStalls) return failByQueue(row, job, stallLimitMessage(row.stalls, row.maxStalls));
    if (!handler) return failByQueue(row, job, `No handler for job "${row.name}" in queue "${queue}"`);
    const settled = await settle(row, job, handler);
    if (!settled) {
      if (job.reason === 'timeout') await endFailedAttempt(row, job, new Error(`The attempt timed out after ${row.timeoutMs} ms`));
      else if (job.reason === 'closing') {
        const now = clock.now().toISOString();
        await writes.write((scoped) => scoped.release(row.id, job.leaseToken, now));
      }
      // Cancelled or lease lost: the record is no longer ours to write.
      return;
    }
    if (!settled.ok) return endFailedAttempt(row, job, settled.error);
    let result: string;
    try {
      result = JSON.stringify(settled.value === undefined ? null : settled.value) ?? 'null';
    } catch (error) {
      return endFailedAttempt(row, job, new UnrecoverableJobError(`The job's result is not JSON-serialisable: ${messageOf(error)}`));
    }
    const now = clock.now().toISOString();
    await writes.write((scoped) => scoped.complete(row.id, job.leaseToken, result, now));
  };

  return { run };
};
