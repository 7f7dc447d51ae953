import { createHash } from 'node:crypto';
import { DelayedError, Queue, UnrecoverableError, WaitingError, Worker as BullWorker } from 'bullmq';
import type { Job, JobsOptions } from 'bullmq';
import { Redis } from 'ioredis';
import { createIds, systemClock, type Clock, type Ids } from '../clock/clock.ts';
import { SteadError } from '../errors/stead-error.ts';
import { resolveEnqueueOptions, stallLimitMessage } from './queue-options.ts';
import {
  DelayJobError,
  JobAbortedError,
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
  type Worker,
  type WorkerOptions,
} from './queue.port.ts';
import { closeRedisConnection } from '../redis/close-redis-connection.ts';

/** Where the adapter reports what it could only log: worker and connection errors, lost leases. */
export type BullmqQueueErrorHandler = (
  error: unknown,
  context: { reason: 'worker_error' | 'connection_error' | 'lease-lost' | 'queue_failure_hook_failed'; queue?: string; jobId?: string },
) => void;

export interface BullmqQueueOptions {
  /** `redis://` or `rediss://` URL. Required unless `connection` is given. */
  url?: string;
  /**
   * An existing connection for enqueueing and reading jobs; workers use its `duplicate()` with
   * `maxRetriesPerRequest: null` (BullMQ's requirement for blocking reads). The caller keeps ownership: `close`
   * leaves it open.
   */
  connection?: Redis;
  /**
   * Prefix of every key: BullMQ's `<prefix>:<queue>:…` and this adapter's `<prefix>:stead:…`. Default `'stead'`.
   * Installations sharing one Redis, and parallel test runs, use distinct prefixes.
   */
  prefix?: string;
  /** Fills `createdAt` and the cancellation time. Default `systemClock`. Delays and leases run on Redis's and BullMQ's own clock. */
  clock?: Clock;
  /** Fills job ids (BullMQ custom job ids). Default `createIds(clock)`. */
  ids?: Ids;
  /**
   * Lease of an active job (BullMQ `lockDuration`), renewed at a third of it while the handler runs. A killed
   * worker's job is moved back to waiting by the stalled check (every `leaseMs / 2`, at most every second) of
   * any live worker of its queue, at most `leaseMs` + 1 s after the last renewal. Default 6,000 ms.
   */
  leaseMs?: number;
  /**
   * `false`: workers never renew leases (BullMQ `skipLockRenewal`), as in a process that hangs and wakes up
   * later. Only for tests of stall recovery. Default `true`.
   */
  renewLeases?: boolean;
  /** Receives worker, connection and lease errors. Default: ignore (pass the logger in app.ts). */
  onError?: BullmqQueueErrorHandler;
}

/** What a BullMQ job's `data` holds: the payload plus the port fields BullMQ has no place for. */
interface StoredData {
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
interface CancelledEntry {
  name: string;
  data: StoredData;
  finishedAt: string;
  /** The BullMQ record as it was when cancelled (BullMQ removes waiting jobs). */
  snapshot: Pick<JobRecord, 'attempts' | 'startedAt' | 'progress' | 'error'> & { stalls?: number };
}

type StoredJob = Job<StoredData, unknown, string>;

const unavailable = (action: string, cause: unknown): SteadError =>
  new SteadError('service_unavailable', `Job queue (Redis): ${action} failed`, { cause });

/**
 * BullMQ runs un-prioritised jobs (0) before every prioritised one and 1 first; the port runs higher first with
 * a default of 0. Giving every job a BullMQ priority keeps the port's order total: 100 → 1, 0 → 101, -100 → 201.
 */
const toBullPriority = (priority: number): number => 101 - priority;

/**
 * A stale idempotency claim (its creator died between claiming the key and adding the job) is taken over after
 * this long; until then a second enqueue waits for the first one's job to appear.
 */
const claimGraceMs = 5_000;

/**
 * Claims an idempotency key for a new job id, atomically. The current holder wins unless it was cancelled, or
 * its job never appeared within the grace period. Returns `{ id, queue, status }` with status `claimed`,
 * `existing` or `pending`. Runs on keys it computes (the job hash), so it is not Redis Cluster-safe — nor is
 * BullMQ without hash tags.
 */
const claimScript = `
local current = redis.call('HMGET', KEYS[1], 'id', 'queue', 'at')
if current[1] and redis.call('HEXISTS', KEYS[3], current[1]) == 0 then
  if redis.call('EXISTS', ARGV[3] .. ':' .. current[2] .. ':' .. current[1]) == 1 then
    return { current[1], current[2], 'existing' }
  end
  if tonumber(current[3]) + tonumber(ARGV[5]) > tonumber(ARGV[4]) then
    return { current[1], current[2], 'pending' }
  end
end
redis.call('HSET', KEYS[1], 'id', ARGV[1], 'queue', ARGV[2], 'at', ARGV[4])
redis.call('HSET', KEYS[2], ARGV[1], ARGV[2])
return { ARGV[1], ARGV[2], 'claimed' }
`;

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The counted attempt a run is (1 first). BullMQ's attemptsMade counts finished attempts and leaves out
 * DelayJobError, RateLimitJobError and shutdown (as the port wants), and stalls, which BullMQ counts apart in
 * `stalledCounter` (the port's `stalls`).
 */
const attemptOf = (job: Job): number => job.attemptsMade + 1;

const maxStallsOf = (data: StoredData): number => data.maxStalls ?? 5;

const iso = (ms: number | undefined | null): string | null => (ms ? new Date(ms).toISOString() : null);

const mapState = (state: string): JobState | undefined => {
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

const readProgress = (progress: unknown): JobRecord['progress'] => {
  if (typeof progress !== 'object' || progress === null || !('percent' in progress)) return null;
  const { percent, message } = progress as { percent: unknown; message?: unknown };
  return typeof percent === 'number' ? { percent, message: typeof message === 'string' ? message : null } : null;
};

/** BullMQ builds keys as `<prefix>:<queue>:…` and refuses colons in queue names; say so in the port's terms. */
const checkQueueName = (queue: string): void => {
  if (queue.includes(':')) throw new SteadError('validation_failed', 'Invalid job option queue: must not contain ":"', { details: { field: 'queue' } });
};

const bullOptions = (id: string, data: StoredData, delayMs: number): JobsOptions => ({
  jobId: id,
  priority: toBullPriority(data.priority),
  delay: delayMs,
  attempts: data.maxAttempts,
  backoff: { type: data.backoff.type, delay: data.backoff.delayMs, jitter: data.backoff.jitter },
});

/**
 * The cluster JobQueue on BullMQ. Each port queue is a BullMQ queue under `prefix`; the port's extras live in
 * the job's data and in three small structures of this adapter: `<prefix>:stead:job-queues` (job id → queue,
 * because `get` takes only an id), `<prefix>:stead:cancelled` (BullMQ has no cancelled state) and one hash per
 * idempotency key. Cancelling an active job is published on `<prefix>:stead:cancel` so whichever process runs it
 * fires the handler's signal.
 *
 * Load this module only when Redis is configured (`await import(...)`): it is the one importer of bullmq.
 */
export const createBullmqQueue = (options: BullmqQueueOptions): JobQueue => {
  if (!options.connection && !options.url) throw new SteadError('config_invalid', 'Job queue (Redis): a url or a connection is required');
  const clock = options.clock ?? systemClock;
  const ids = options.ids ?? createIds(clock);
  const prefix = options.prefix ?? 'stead';
  if (prefix.includes(':')) throw new SteadError('config_invalid', 'Job queue (Redis): prefix must not contain ":"');
  const leaseMs = options.leaseMs ?? 6_000;
  const renewLeases = options.renewLeases ?? true;
  const onError = options.onError ?? (() => {});
  const ownsClient = options.connection === undefined;
  const reportConnectionError = (error: unknown): void => onError(error, { reason: 'connection_error' });
  // Commands of the API side fail fast when Redis is away (ioredis default retries) so callers get
  // service_unavailable instead of hanging; only workers need BullMQ's retry-forever connection.
  const client = options.connection ?? new Redis(options.url!, { connectionName: 'stead-queue' });
  if (ownsClient) client.on('error', reportConnectionError);
  let workerConnection: Redis | undefined;
  let subscriber: Redis | undefined;

  const keys = {
    index: `${prefix}:stead:job-queues`,
    cancelled: `${prefix}:stead:cancelled`,
    channel: `${prefix}:stead:cancel`,
    idempotency: (key: string) => `${prefix}:stead:idempotency:${createHash('sha256').update(key).digest('hex')}`,
  };

  const queues = new Map<string, Queue<StoredData, unknown, string>>();
  const queueFor = (name: string): Queue<StoredData, unknown, string> => {
    let queue = queues.get(name);
    if (!queue) {
      queue = new Queue<StoredData, unknown, string>(name, { connection: client, prefix });
      // An EventEmitter without an 'error' listener throws; connection errors reach onError through the client.
      queue.on('error', () => {});
      queues.set(name, queue);
    }
    return queue;
  };

  interface RunningJob {
    job: StoredJob;
    controller: AbortController;
  }
  // Running attempts by lock token: a stalled attempt and its recovery may run side by side in one worker.
  const workers = new Set<{ running: Map<string, RunningJob>; close(graceMs?: number): Promise<void> }>();
  /**
   * Cancels heard (id → when) that may have arrived before the job's processor registered it: the job was
   * picked up while `cancel` ran. Only a run that started before the message is affected, so a retried run is not.
   */
  const recentCancels = new Map<string, number>();

  const abortLocal = (id: string): void => {
    const now = Date.now();
    for (const [key, heardAt] of recentCancels) if (heardAt + leaseMs < now) recentCancels.delete(key);
    recentCancels.set(id, now);
    for (const worker of workers) {
      for (const entry of worker.running.values()) if (entry.job.id === id) entry.controller.abort(new JobAbortedError('cancelled', 'The job was cancelled'));
    }
  };

  const ensureSubscriber = (): void => {
    if (subscriber) return;
    subscriber = client.duplicate({ connectionName: 'stead-queue-cancel' });
    subscriber.on('error', reportConnectionError);
    subscriber.on('message', (_channel: string, id: string) => abortLocal(id));
    subscriber.subscribe(keys.channel).catch(reportConnectionError);
  };

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

  const getRecord = async (id: string): Promise<JobRecord | undefined> => {
    const [found, cancelled] = await Promise.all([readJob(id), readCancelled(id)]);
    if (found) return toRecord(found.job, found.state, cancelled);
    return cancelled ? recordOfCancelled(id, cancelled) : undefined;
  };

  /** Waits for a concurrent enqueue with the same idempotency key to add its job. */
  const awaitJob = async (id: string): Promise<JobRecord | undefined> => {
    for (let waited = 0; waited < claimGraceMs; waited += 25) {
      const record = await getRecord(id);
      if (record) return record;
      await sleep(25);
    }
    return undefined;
  };

  const enqueueJob = async (name: string, payload: unknown, enqueueOptions: EnqueueOptions): Promise<JobRecord> => {
    if (enqueueOptions.transaction) {
      throw new SteadError('internal_error', 'Job queue (Redis): enqueue cannot join a database transaction (the queue is not transactional; keep an outbox)');
    }
    const resolved = resolveEnqueueOptions(name, enqueueOptions);
    const queueName = resolved.queue;
    checkQueueName(queueName);
    const createdAt = clock.now();
    const delayMs = Math.round(resolved.delayMs);
    const data: StoredData = {
      // JSON has no undefined; storing null keeps what handlers receive the same on every adapter.
      payload: payload === undefined ? null : payload,
      queue: queueName,
      priority: resolved.priority,
      maxAttempts: resolved.maxAttempts,
      maxStalls: resolved.maxStalls,
      idempotencyKey: resolved.idempotencyKey,
      backoff: resolved.backoff,
      timeoutMs: resolved.timeoutMs,
      createdAt: createdAt.toISOString(),
      runAt: new Date(createdAt.getTime() + delayMs).toISOString(),
    };
    let id = ids.next();
    try {
      if (data.idempotencyKey === null) {
        await client.hset(keys.index, id, queueName);
      } else {
        // Two rounds at most: a pending claim whose job never appears is taken over on the second.
        for (let round = 0; ; round += 1) {
          const [claimedId, , status] = (await client.eval(
            claimScript,
            3,
            keys.idempotency(data.idempotencyKey),
            keys.index,
            keys.cancelled,
            id,
            queueName,
            prefix,
            Date.now(),
            round === 0 ? claimGraceMs : 0,
          )) as [string, string, string];
          if (status === 'claimed') {
            id = claimedId;
            break;
          }
          const existing = status === 'existing' ? await getRecord(claimedId) : await awaitJob(claimedId);
          if (existing && existing.state !== 'cancelled') return existing;
          if (round > 0) throw new Error(`idempotency key claim for job ${claimedId} did not settle`);
        }
      }
      await queueFor(queueName).add(name, data, bullOptions(id, data, delayMs));
    } catch (error) {
      throw unavailable('enqueue', error);
    }
    return {
      id,
      queue: queueName,
      name,
      payload: data.payload,
      state: delayMs > 0 ? 'delayed' : 'waiting',
      priority: data.priority,
      attempts: 0,
      maxAttempts: data.maxAttempts,
      stalls: 0,
      maxStalls: resolved.maxStalls,
      idempotencyKey: data.idempotencyKey,
      createdAt: data.createdAt,
      runAt: data.runAt,
      startedAt: null,
      finishedAt: null,
      progress: null,
      result: null,
      error: null,
    };
  };

  const cancelJob = async (id: string): Promise<boolean> => {
    const job = await findJob(id);
    if (!job || (await readCancelled(id))) return false;
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

  const retryJob = async (id: string): Promise<boolean> => {
    const [job, cancelled] = await Promise.all([findJob(id), readCancelled(id)]);
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
    // BullMQ resets attemptsMade but not the stall counter, which attempts also count. Nothing moves a failed job
    // meanwhile, so resetting first is safe.
    await client.hset(queueFor(job.data.queue).toKey(id), 'stc', 0);
    await job.retry('failed', { resetAttemptsMade: true, resetAttemptsStarted: true });
    return true;
  };

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

  const startWorker = (queueName: string, handlers: JobHandlers, workerOptions: WorkerOptions): Worker => {
    checkQueueName(queueName);
    ensureSubscriber();
    workerConnection ??= client.duplicate({ connectionName: 'stead-queue-worker', maxRetriesPerRequest: null });
    const queue = queueFor(queueName);
    const running = new Map<string, RunningJob>();
    const handlerOf = (name: string): JobHandler | undefined => (handlers as Record<string, JobHandler | undefined>)[name];

    const processor = async (job: StoredJob, token?: string): Promise<unknown> => {
      const id = job.id!;
      const controller = new AbortController();
      const lockToken = token!;
      running.set(lockToken, { job, controller });
      const heardAt = recentCancels.get(id);
      if (heardAt !== undefined && (job.processedOn ?? 0) <= heardAt) controller.abort(new JobAbortedError('cancelled', 'The job was cancelled'));
      const timeoutMs = job.data.timeoutMs;
      const timer =
        timeoutMs === null
          ? undefined
          : setTimeout(() => controller.abort(new JobAbortedError('timeout', `The job timed out after ${timeoutMs} ms`)), timeoutMs);
      try {
        const attempt = attemptOf(job);
        const stalls = job.stalledCounter;
        const handler = handlerOf(job.name);
        const givenUp =
          stalls > maxStallsOf(job.data) ? stallLimitMessage(stalls, maxStallsOf(job.data)) : handler ? undefined : `No handler for job "${job.name}" in queue "${queueName}"`;
        if (givenUp !== undefined || !handler) {
          const error = givenUp ?? 'No handler';
          await workerOptions.onQueueFailure?.({ id, name: job.name, payload: job.data.payload, attempt, stalls, error }).catch((hookError: unknown) =>
            onError(hookError, { reason: 'queue_failure_hook_failed', queue: queueName, jobId: id }),
          );
          throw new UnrecoverableError(error);
        }
        const context: JobContext = {
          id,
          name: job.name,
          payload: job.data.payload,
          attempt,
          stalls,
          idempotencyKey: job.data.idempotencyKey ?? id,
          signal: controller.signal,
          progress: async (percent, message) => {
            await job.updateProgress({ percent: Math.min(100, Math.max(0, percent)), message: message ?? null });
          },
        };
        // A handler that ignores its signal keeps running, but its job is settled now: the worker slot frees up
        // and a timed-out or cancelled job does not wait for it.
        const aborted = new Promise<never>((_resolve, reject) => {
          const fire = (): void => reject(controller.signal.reason);
          if (controller.signal.aborted) fire();
          else controller.signal.addEventListener('abort', fire, { once: true });
        });
        aborted.catch(() => {});
        let result: unknown;
        try {
          result = await Promise.race([handler(context), aborted]);
        } catch (error) {
          throw await translateFailure(error, job, token!, controller.signal, queue);
        }
        // Cancelled while returning: the port promised `cancelled`, so the result is not recorded as a completion.
        if (controller.signal.aborted) throw await translateFailure(undefined, job, token!, controller.signal, queue);
        return result ?? null;
      } finally {
        clearTimeout(timer);
        running.delete(lockToken);
      }
    };

    const bullWorker = new BullWorker<StoredData, unknown, string>(queueName, processor, {
      connection: workerConnection,
      prefix,
      concurrency: workerOptions.concurrency ?? 1,
      lockDuration: leaseMs,
      lockRenewTime: Math.max(1, Math.floor(leaseMs / 3)),
      // Frequent checks keep recovery near the lease (kill → resume ≤ lease + 1 s); each is one short script.
      stalledInterval: Math.max(100, Math.min(Math.floor(leaseMs / 2), 1_000)),
      // The processor enforces the job's own maxStalls (and tells onQueueFailure), so BullMQ's per-worker stall
      // limit must never decide first.
      maxStalledCount: 1_000_000_000,
      skipLockRenewal: !renewLeases,
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
    const handle = {
      running,
      close(graceMs = leaseMs): Promise<void> {
        closing ??= (async () => {
          const done = bullWorker.close();
          const timer = setTimeout(() => {
            for (const entry of running.values()) entry.controller.abort(new JobAbortedError('closing', 'The worker is shutting down'));
          }, graceMs);
          try {
            await done;
          } finally {
            clearTimeout(timer);
            workers.delete(handle);
          }
        })();
        return closing;
      },
    };
    workers.add(handle);
    return { close: (graceMs?: number) => handle.close(graceMs) };
  };

  let closing: Promise<void> | undefined;

  return {
    capabilities: { crossProcess: true, transactional: false },

    enqueue<N extends JobName>(name: N, payload: JobPayloads[N], enqueueOptions: EnqueueOptions = {}) {
      if (closing) return Promise.reject(closedError());
      return enqueueJob(name, payload, enqueueOptions) as Promise<JobRecord<JobPayloads[N]>>;
    },

    async get(id) {
      if (closing) throw closedError();
      try {
        return await getRecord(id);
      } catch (error) {
        throw unavailable('get', error);
      }
    },

    async cancel(id) {
      if (closing) throw closedError();
      try {
        return await cancelJob(id);
      } catch (error) {
        throw unavailable('cancel', error);
      }
    },

    async retry(id) {
      if (closing) throw closedError();
      try {
        return await retryJob(id);
      } catch (error) {
        throw unavailable('retry', error);
      }
    },

    work(queue, handlers, workerOptions = {}) {
      if (closing) throw closedError();
      return startWorker(queue, handlers, workerOptions);
    },

    close() {
      closing ??= (async () => {
        await Promise.all([...workers].map((worker) => worker.close()));
        await Promise.all([...queues.values()].map((queue) => queue.close()));
        await Promise.all([
          subscriber ? closeRedisConnection(subscriber) : undefined,
          workerConnection ? closeRedisConnection(workerConnection) : undefined,
          ownsClient ? closeRedisConnection(client) : undefined,
        ]);
      })();
      return closing;
    },
  };
};

const closedError = (): SteadError => new SteadError('service_unavailable', 'Job queue (Redis): the queue is closed');

