import { createHash } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { SteadError } from '../../errors/stead-error.ts';
import { closeRedisConnection } from '../../redis/close-redis-connection.ts';
import type { StoredData } from './stored-job.ts';

/** Where the adapter reports what it could only log: worker and connection errors, lost leases. */
export type BullmqQueueErrorHandler = (
  error: unknown,
  context: { reason: 'worker_error' | 'connection_error' | 'lease-lost' | 'queue_failure_hook_failed'; queue?: string; jobId?: string },
) => void;

export interface BullmqKeys {
  /** Hash: job id → port queue (`get` takes only an id). */
  index: string;
  /** Hash: job id → `CancelledEntry` (BullMQ has no cancelled state). */
  cancelled: string;
  /** Channel on which cancels of active jobs are published, so whichever process runs the job fires its signal. */
  channel: string;
  /** Hash holding the job that owns an idempotency key. */
  idempotency(key: string): string;
}

/** The Redis side every part of the adapter shares: clients, key names and BullMQ queue handles. */
export interface BullmqConnection {
  readonly client: Redis;
  readonly prefix: string;
  readonly keys: BullmqKeys;
  queueFor(name: string): Queue<StoredData, unknown, string>;
  /** The connection workers block on (BullMQ needs `maxRetriesPerRequest: null`), opened on first use. */
  workerConnection(): Redis;
  /** A separate connection for subscriptions, opened on first use. */
  subscriber(): Redis;
  reportConnectionError(error: unknown): void;
  close(): Promise<void>;
}

export interface BullmqConnectionOptions {
  url?: string | undefined;
  connection?: Redis | undefined;
  prefix: string;
  onError: BullmqQueueErrorHandler;
}

export const createBullmqConnection = (options: BullmqConnectionOptions): BullmqConnection => {
  if (!options.connection && !options.url) throw new SteadError('config_invalid', 'Job queue (Redis): a url or a connection is required');
  const { prefix } = options;
  if (prefix.includes(':')) throw new SteadError('config_invalid', 'Job queue (Redis): prefix must not contain ":"');
  const ownsClient = options.connection === undefined;
  const reportConnectionError = (error: unknown): void => options.onError(error, { reason: 'connection_error' });
  // Commands of the API side fail fast when Redis is away (ioredis default retries) so callers get
  // service_unavailable instead of hanging; only workers need BullMQ's retry-forever connection.
  const client = options.connection ?? new Redis(options.url!, { connectionName: 'stead-queue' });
  if (ownsClient) client.on('error', reportConnectionError);
  let workerConnection: Redis | undefined;
  let subscriber: Redis | undefined;
  const queues = new Map<string, Queue<StoredData, unknown, string>>();

  return {
    client,
    prefix,
    keys: {
      index: `${prefix}:stead:job-queues`,
      cancelled: `${prefix}:stead:cancelled`,
      channel: `${prefix}:stead:cancel`,
      idempotency: (key) => `${prefix}:stead:idempotency:${createHash('sha256').update(key).digest('hex')}`,
    },
    queueFor(name) {
      let queue = queues.get(name);
      if (!queue) {
        queue = new Queue<StoredData, unknown, string>(name, { connection: client, prefix });
        // An EventEmitter without an 'error' listener throws; connection errors reach onError through the client.
        queue.on('error', () => {});
        queues.set(name, queue);
      }
      return queue;
    },
    workerConnection() {
      workerConnection ??= client.duplicate({ connectionName: 'stead-queue-worker', maxRetriesPerRequest: null });
      return workerConnection;
    },
    subscriber() {
      if (!subscriber) {
        subscriber = client.duplicate({ connectionName: 'stead-queue-cancel' });
        subscriber.on('error', reportConnectionError);
      }
      return subscriber;
    },
    reportConnectionError,
    async close() {
      await Promise.all([...queues.values()].map((queue) => queue.close()));
      await Promise.all([
        subscriber ? closeRedisConnection(subscriber) : undefined,
        workerConnection ? closeRedisConnection(workerConnection) : undefined,
        ownsClient ? closeRedisConnection(client) : undefined,
      ]);
    },
  };
};
