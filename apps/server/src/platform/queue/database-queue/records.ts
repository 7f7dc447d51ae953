import type { Insertable } from 'kysely';
import { SteadError } from '../../errors/stead-error.ts';
import type { JobRow } from '../database-queue.repository.ts';
import type { ResolvedEnqueueOptions } from '../queue-options.ts';
import type { JobRecord, JobState } from '../queue.port.ts';
import type { JobTable } from '../queue.tables.ts';

const parseJson = (text: string | null): unknown => (text === null ? null : JSON.parse(text));

/** A stored job as the port shows it. */
export const toRecord = (row: JobRow, now: string): JobRecord => ({
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

/** The row of a new job; refuses a payload JSON cannot hold with `validation_failed`. */
export const newJobRow = (job: { id: string; name: string; payload: unknown; options: ResolvedEnqueueOptions; nowMs: number }): Insertable<JobTable> => {
  const { options } = job;
  let payload: string;
  try {
    payload = JSON.stringify(job.payload === undefined ? null : job.payload);
  } catch (error) {
    throw new SteadError('validation_failed', `Job "${job.name}": the payload is not JSON-serialisable`, { cause: error });
  }
  const now = new Date(job.nowMs).toISOString();
  return {
    id: job.id,
    queue: options.queue,
    name: job.name,
    payload,
    state: options.delayMs > 0 ? 'delayed' : 'waiting',
    priority: options.priority,
    runAt: new Date(job.nowMs + options.delayMs).toISOString(),
    attempts: 0,
    maxAttempts: options.maxAttempts,
    stalls: 0,
    maxStalls: options.maxStalls,
    backoff: JSON.stringify(options.backoff),
    timeoutMs: options.timeoutMs,
    idempotencyKey: options.idempotencyKey,
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
};
