import type { Redis } from 'ioredis';
import { createIds, systemClock, type Clock, type Ids } from '../clock/clock.ts';
import { createBullmqCancellations } from './bullmq-queue/cancellations.ts';
import { createBullmqConnection, type BullmqQueueErrorHandler } from './bullmq-queue/connection.ts';
import { createBullmqJobCommands } from './bullmq-queue/job-commands.ts';
import { createBullmqJobReader } from './bullmq-queue/records.ts';
import { closedError, unavailable } from './bullmq-queue/stored-job.ts';
import { startBullmqWorker } from './bullmq-queue/worker.ts';
import type { EnqueueOptions, JobName, JobPayloads, JobQueue, JobRecord, Worker } from './queue.port.ts';

export type { BullmqQueueErrorHandler } from './bullmq-queue/connection.ts';

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

/**
 * The cluster JobQueue on BullMQ. Each port queue is a BullMQ queue under `prefix`; the port's extras live in
 * the job's data and in three small structures of this adapter: `<prefix>:stead:job-queues` (job id → queue,
 * because `get` takes only an id), `<prefix>:stead:cancelled` (BullMQ has no cancelled state) and one hash per
 * idempotency key. Cancelling an active job is published on `<prefix>:stead:cancel` so whichever process runs it
 * fires the handler's signal. Not transactional: callers that must create a record and its job atomically keep
 * an outbox. The parts: `bullmq-queue/connection.ts`, `records.ts` (reads), `job-commands.ts` (enqueue, cancel,
 * retry), `idempotency.ts`, `cancellations.ts`, `worker.ts`.
 *
 * Load this module only when Redis is configured (`await import(...)`): it is the one importer of bullmq.
 */
export const createBullmqQueue = (options: BullmqQueueOptions): JobQueue => {
  const clock = options.clock ?? systemClock;
  const ids = options.ids ?? createIds(clock);
  const leaseMs = options.leaseMs ?? 6_000;
  const renewLeases = options.renewLeases ?? true;
  const onError = options.onError ?? (() => {});
  const connection = createBullmqConnection({ url: options.url, connection: options.connection, prefix: options.prefix ?? 'stead', onError });
  const reader = createBullmqJobReader(connection);
  const commands = createBullmqJobCommands({ connection, reader, clock, ids });
  const cancellations = createBullmqCancellations(connection, leaseMs);
  const workers = new Set<Worker>();
  let closing: Promise<void> | undefined;

  /** Reads and writes of the API side: refused once closed, Redis failures as service_unavailable. */
  const guarded = async <T>(action: string, operation: () => Promise<T>): Promise<T> => {
    if (closing) throw closedError();
    try {
      return await operation();
    } catch (error) {
      throw unavailable(action, error);
    }
  };

  return {
    capabilities: { crossProcess: true, transactional: false },

    enqueue<N extends JobName>(name: N, payload: JobPayloads[N], enqueueOptions: EnqueueOptions = {}) {
      if (closing) return Promise.reject(closedError());
      return commands.enqueue(name, payload, enqueueOptions) as Promise<JobRecord<JobPayloads[N]>>;
    },

    get: (id) => guarded('get', () => reader.getRecord(id)),
    cancel: (id) => guarded('cancel', () => commands.cancel(id)),
    retry: (id) => guarded('retry', () => commands.retry(id)),

    work(queue, handlers, workerOptions = {}) {
      if (closing) throw closedError();
      const worker = startBullmqWorker({ connection, cancellations, queue, handlers, workerOptions, leaseMs, renewLeases, onError });
      workers.add(worker);
      return {
        async close(graceMs?: number) {
          await worker.close(graceMs);
          workers.delete(worker);
        },
      };
    },

    close() {
      closing ??= (async () => {
        await Promise.all([...workers].map((worker) => worker.close()));
        await connection.close();
      })();
      return closing;
    },
  };
};
