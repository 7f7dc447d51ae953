import type { JobRecord } from '../queue.port.ts';
import type { BullmqConnection } from './connection.ts';
import { attemptOf, iso, mapState, maxStallsOf, readProgress, type CancelledEntry, type StoredJob } from './stored-job.ts';

/** Reads jobs (and the adapter's cancelled markers) as port records. */
export interface BullmqJobReader {
  findJob(id: string): Promise<StoredJob | undefined>;
  readCancelled(id: string): Promise<CancelledEntry | undefined>;
  getRecord(id: string): Promise<JobRecord | undefined>;
  /** Waits up to `withinMs` for a concurrent enqueue (same idempotency key) to add its job. */
  awaitRecord(id: string, withinMs: number): Promise<JobRecord | undefined>;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const recordOfCancelled = (id: string, entry: CancelledEntry): JobRecord => ({
  id,
  queue: entry.data.queue,
  name: entry.name,
  payload: entry.data.payload,
  state: 'cancelled',
  priority: entry.data.priority,
  maxAttempts: entry.data.maxAttempts,
  maxStalls: maxStallsOf(entry.data),
  idempotencyKey: entry.data.idempotencyKey,
  createdAt: entry.data.createdAt,
  runAt: entry.data.runAt,
  finishedAt: entry.finishedAt,
  result: null,
  ...entry.snapshot,
  stalls: entry.snapshot.stalls ?? 0,
});

export const createBullmqJobReader = (connection: BullmqConnection): BullmqJobReader => {
  const { client, keys, queueFor } = connection;

  const readCancelled = async (id: string): Promise<CancelledEntry | undefined> => {
    const text = await client.hget(keys.cancelled, id);
    return text ? (JSON.parse(text) as CancelledEntry) : undefined;
  };

  const findJob = async (id: string): Promise<StoredJob | undefined> => {
    const queue = await client.hget(keys.index, id);
    if (!queue) return undefined;
    return (await queueFor(queue).getJob(id)) ?? undefined;
  };

  /**
   * The job and its state, read consistently: BullMQ keeps them in different keys, and a job finishing between
   * the two reads would otherwise show as completed without its result.
   */
  const readJob = async (id: string): Promise<{ job: StoredJob; state: string } | undefined> => {
    const queueName = await client.hget(keys.index, id);
    if (!queueName) return undefined;
    const queue = queueFor(queueName);
    for (let round = 0; round < 3; round += 1) {
      const state = await queue.getJobState(id);
      const job = await queue.getJob(id);
      if (!job) return undefined;
      // A finished state never changes except by retry, and the hash read after it is at least as new.
      const settled = state === 'completed' || state === 'failed' || !job.finishedOn;
      if (settled) return { job, state };
    }
    const job = await queue.getJob(id);
    return job ? { job, state: await queue.getJobState(id) } : undefined;
  };

  /** The time a delayed job becomes ready, from BullMQ's delayed set (score = timestamp × 4096 + counter). */
  const delayedUntil = async (job: StoredJob): Promise<string | null> => {
    const score = await client.zscore(queueFor(job.data.queue).keys.delayed!, job.id!);
    return score === null ? null : new Date(Math.floor(Number(score) / 0x1000)).toISOString();
  };

  const toRecord = async (job: StoredJob, bullState: string, cancelled: CancelledEntry | undefined): Promise<JobRecord | undefined> => {
    const state = cancelled ? 'cancelled' : mapState(bullState);
    if (!state) return undefined;
    const data = job.data;
    return {
      id: job.id!,
      queue: data.queue,
      name: job.name,
      payload: data.payload,
      state,
      priority: data.priority,
      attempts: bullState === 'active' ? attemptOf(job) : Math.min(job.attemptsMade, data.maxAttempts),
      maxAttempts: data.maxAttempts,
      stalls: job.stalledCounter,
      maxStalls: maxStallsOf(data),
      idempotencyKey: data.idempotencyKey,
      createdAt: data.createdAt,
      runAt: (bullState === 'delayed' ? await delayedUntil(job) : null) ?? data.runAt,
      startedAt: iso(job.processedOn),
      finishedAt: cancelled ? cancelled.finishedAt : iso(job.finishedOn),
      progress: readProgress(job.progress),
      result: bullState === 'completed' ? (job.returnvalue ?? null) : null,
      error: job.failedReason || (cancelled ? 'cancelled' : null),
    };
  };

  const getRecord = async (id: string): Promise<JobRecord | undefined> => {
    const [found, cancelled] = await Promise.all([readJob(id), readCancelled(id)]);
    if (found) return toRecord(found.job, found.state, cancelled);
    return cancelled ? recordOfCancelled(id, cancelled) : undefined;
  };

  const awaitRecord = async (id: string, withinMs: number): Promise<JobRecord | undefined> => {
    for (let waited = 0; waited < withinMs; waited += 25) {
      const record = await getRecord(id);
      if (record) return record;
      await sleep(25);
    }
    return undefined;
  };

  return { findJob, readCancelled, getRecord, awaitRecord };
};
