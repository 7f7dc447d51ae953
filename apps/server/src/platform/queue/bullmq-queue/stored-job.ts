import type { Job, JobsOptions } from 'bullmq';
import { SteadError } from '../../errors/stead-error.ts';
import type { BackoffOptions, JobRecord, JobState } from '../queue.port.ts';

/** What a BullMQ job's `data` holds: the payload plus the port fields BullMQ has no place for. */
export interface StoredData {
  payload: unknown;
  queue: string;
  priority: number;
  maxAttempts: number;
  /** Absent on jobs enqueued before stalls were counted apart; read with `maxStallsOf`. */
  maxStalls?: number;
  idempotencyKey: string | null;
  backoff: Required<BackoffOptions>;
  timeoutMs: number | null;
  createdAt: string;
  runAt: string;
}

/** A cancelled job: the marker `get` checks first, and enough to enqueue it again on `retry` after it was removed. */
export interface CancelledEntry {
  name: string;
  data: StoredData;
  finishedAt: string;
  /** The BullMQ record as it was when cancelled (BullMQ removes waiting jobs). */
  snapshot: Pick<JobRecord, 'attempts' | 'startedAt' | 'progress' | 'error'> & { stalls?: number };
}

export type StoredJob = Job<StoredData, unknown, string>;

export const unavailable = (action: string, cause: unknown): SteadError =>
  new SteadError('service_unavailable', `Job queue (Redis): ${action} failed`, { cause });

export const closedError = (): SteadError => new SteadError('service_unavailable', 'Job queue (Redis): the queue is closed');

/**
 * BullMQ runs un-prioritised jobs (0) before every prioritised one and 1 first; the port runs higher first with
 * a default of 0. Giving every job a BullMQ priority keeps the port's order total: 100 → 1, 0 → 101, -100 → 201.
 */
const toBullPriority = (priority: number): number => 101 - priority;

/**
 * The counted attempt a run is (1 first). BullMQ's attemptsMade counts finished attempts and leaves out
 * DelayJobError, RateLimitJobError and shutdown (as the port wants), and stalls, which BullMQ counts apart in
 * `stalledCounter` (the port's `stalls`).
 */
export const attemptOf = (job: Job): number => job.attemptsMade + 1;

export const maxStallsOf = (data: StoredData): number => data.maxStalls ?? 5;

export const iso = (ms: number | undefined | null): string | null => (ms ? new Date(ms).toISOString() : null);

export const mapState = (state: string): JobState | undefined => {
  switch (state) {
    case 'waiting':
    case 'prioritized':
    case 'waiting-children':
      return 'waiting';
    case 'delayed':
    case 'active':
    case 'completed':
    case 'failed':
      return state;
    default:
      return undefined;
  }
};

export const readProgress = (progress: unknown): JobRecord['progress'] => {
  if (typeof progress !== 'object' || progress === null || !('percent' in progress)) return null;
  const { percent, message } = progress as { percent: unknown; message?: unknown };
  return typeof percent === 'number' ? { percent, message: typeof message === 'string' ? message : null } : null;
};

/** BullMQ builds keys as `<prefix>:<queue>:…` and refuses colons in queue names; say so in the port's terms. */
export const checkQueueName = (queue: string): void => {
  if (queue.includes(':')) throw new SteadError('validation_failed', 'Invalid job option queue: must not contain ":"', { details: { field: 'queue' } });
};

export const bullOptions = (id: string, data: StoredData, delayMs: number): JobsOptions => ({
  jobId: id,
  priority: toBullPriority(data.priority),
  delay: delayMs,
  attempts: data.maxAttempts,
  backoff: { type: data.backoff.type, delay: data.backoff.delayMs, jitter: data.backoff.jitter },
});
