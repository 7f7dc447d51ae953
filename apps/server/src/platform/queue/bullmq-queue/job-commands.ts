import type { Clock, Ids } from '../../clock/clock.ts';
import { SteadError } from '../../errors/stead-error.ts';
import { resolveEnqueueOptions } from '../queue-options.ts';
import type { EnqueueOptions, JobRecord } from '../queue.port.ts';
import type { BullmqConnection } from './connection.ts';
import { claimGraceMs, claimIdempotencyKey } from './idempotency.ts';
import type { BullmqJobReader } from './records.ts';
import { bullOptions, checkQueueName, iso, readProgress, unavailable, type CancelledEntry, type StoredData } from './stored-job.ts';

/** The writes of the API side: enqueue (with idempotency keys), cancel and retry. */
export interface BullmqJobCommands {
  enqueue(name: string, payload: unknown, options: EnqueueOptions): Promise<JobRecord>;
  cancel(id: string): Promise<boolean>;
  retry(id: string): Promise<boolean>;
}

const newRecord = (id: string, name: string, data: StoredData, delayMs: number, maxStalls: number): JobRecord => ({
  id,
  queue: data.queue,
  name,
  payload: data.payload,
  state: delayMs > 0 ? 'delayed' : 'waiting',
  priority: data.priority,
  attempts: 0,
  maxAttempts: data.maxAttempts,
  stalls: 0,
  maxStalls,
  idempotencyKey: data.idempotencyKey,
  createdAt: data.createdAt,
  runAt: data.runAt,
  startedAt: null,
  finishedAt: null,
  progress: null,
  result: null,
  error: null,
});

export const createBullmqJobCommands = (deps: { connection: BullmqConnection; reader: BullmqJobReader; clock: Clock; ids: Ids }): BullmqJobCommands => {
  const { connection, reader, clock } = deps;
  const { client, keys, queueFor } = connection;

  /** The id the job gets: a new one, or the live job already holding the key (returned as `existing`). */
  const claimId = async (key: string, id: string, queue: string): Promise<{ id: string } | { existing: JobRecord }> => {
    // Two rounds at most: a pending claim whose job never appears is taken over on the second.
    for (let round = 0; ; round += 1) {
      const claim = await claimIdempotencyKey(connection, { key, id, queue, takeOverStale: round > 0 });
      if (claim.status === 'claimed') return { id: claim.id };
      const existing = claim.status === 'existing' ? await reader.getRecord(claim.id) : await reader.awaitRecord(claim.id, claimGraceMs);
      if (existing && existing.state !== 'cancelled') return { existing };
      if (round > 0) throw new Error(`idempotency key claim for job ${claim.id} did not settle`);
    }
  };

  const enqueue = async (name: string, payload: unknown, options: EnqueueOptions): Promise<JobRecord> => {
    if (options.transaction) {
      throw new SteadError('internal_error', 'Job queue (Redis): enqueue cannot join a database transaction (the queue is not transactional; keep an outbox)');
    }
    const resolved = resolveEnqueueOptions(name, options);
    checkQueueName(resolved.queue);
    const createdAt = clock.now();
    const delayMs = Math.round(resolved.delayMs);
    const data: StoredData = {
      // JSON has no undefined; storing null keeps what handlers receive the same on every adapter.
      payload: payload === undefined ? null : payload,
      queue: resolved.queue,
      priority: resolved.priority,
      maxAttempts: resolved.maxAttempts,
      maxStalls: resolved.maxStalls,
      idempotencyKey: resolved.idempotencyKey,
      backoff: resolved.backoff,
      timeoutMs: resolved.timeoutMs,
      createdAt: createdAt.toISOString(),
      runAt: new Date(createdAt.getTime() + delayMs).toISOString(),
    };
    let id = deps.ids.next();
    try {
      if (data.idempotencyKey === null) await client.hset(keys.index, id, data.queue);
      else {
        const claimed = await claimId(data.idempotencyKey, id, data.queue);
        if ('existing' in claimed) return claimed.existing;
        id = claimed.id;
      }
      await queueFor(data.queue).add(name, data, bullOptions(id, data, delayMs));
    } catch (error) {
      throw unavailable('enqueue', error);
    }
    return newRecord(id, name, data, delayMs, resolved.maxStalls);
  };

  const cancel = async (id: string): Promise<boolean> => {
    const job = await reader.findJob(id);
    if (!job || (await reader.readCancelled(id))) return false;
    const state = await job.getState();
    if (state === 'completed' || state === 'failed' || state === 'unknown') return false;
    const entry: CancelledEntry = {
      name: job.name,
      data: job.data,
      finishedAt: clock.now().toISOString(),
      snapshot: { attempts: job.attemptsMade, stalls: job.stalledCounter, startedAt: iso(job.processedOn), progress: readProgress(job.progress), error: job.failedReason || null },
    };
    // The marker first: a worker that picks the job up meanwhile is told below, and get() already answers cancelled.
    await client.hset(keys.cancelled, id, JSON.stringify(entry));
    if (state !== 'active') {
      try {
        await job.remove();
        return true;
      } catch {
        // Locked: a worker took it between getState and remove; signal it like any active job.
      }
    }
    await client.publish(keys.channel, id);
    return true;
  };

  const retry = async (id: string): Promise<boolean> => {
    const [job, cancelled] = await Promise.all([reader.findJob(id), reader.readCancelled(id)]);
    if (cancelled) {
      const key = cancelled.data.idempotencyKey;
      if (key !== null) {
        // The key names one live job: if another job took it since, this one stays cancelled (as on the embedded
        // adapter); otherwise it takes the key back.
        const holder = await client.hget(keys.idempotency(key), 'id');
        if (holder !== null && holder !== id && (await client.hexists(keys.cancelled, holder)) === 0) return false;
        await client.hset(keys.idempotency(key), 'id', id, 'queue', cancelled.data.queue, 'at', Date.now());
      }
      if (job) {
        // A cancelled active job whose handler has not returned yet cannot be replaced under the same id.
        if ((await job.getState()) === 'active') return false;
        await job.remove();
      }
      const data: StoredData = { ...cancelled.data, runAt: clock.now().toISOString() };
      await queueFor(data.queue).add(cancelled.name, data, bullOptions(id, data, 0));
      await client.hdel(keys.cancelled, id);
      return true;
    }
    if (!job || (await job.getState()) !== 'failed') return false;
    // BullMQ resets attemptsMade but not the stall counter. Nothing moves a failed job meanwhile, so resetting
    // first is safe.
    await client.hset(queueFor(job.data.queue).toKey(id), 'stc', 0);
    await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
    return true;
  };

  return { enqueue, cancel, retry };
};
