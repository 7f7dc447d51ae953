import { join } from 'node:path';
import { destination, pino } from 'pino';
import type { SteadConfig } from './config/config.schema.ts';
import { createFeatureServices, startFeatureBackgroundWork, startFeatures } from './compose-features.ts';
import type { SteadPlatform, SteadServices } from './feature.ts';
import { features, migrations } from './feature-list.ts';
import { createIds, systemClock, type Clock, type Ids } from './platform/clock/clock.ts';
import { resolveSecretKey } from './platform/crypto/secret-key.ts';
import { prepareDataDirectory } from './platform/database/data-directory.ts';
import { createDatabase } from './platform/database/database.factory.ts';
import type { DatabaseHandle } from './platform/database/database.port.ts';
import { migrateToLatest } from './platform/database/migrator.ts';
import { createEgressClient } from './platform/egress/egress-client.ts';
import { createDomainEvents } from './platform/events/domain-events.ts';
import type { EventBus } from './platform/events/events.port.ts';
import { createMemoryEventBus } from './platform/events/memory-events.adapter.ts';
import type { KeyValueStore } from './platform/key-value/key-value.port.ts';
import { createMemoryKeyValueStore } from './platform/key-value/memory-key-value.adapter.ts';
import { createLoggerOptions } from './platform/logger/logger.ts';
import { createDatabaseQueue } from './platform/queue/database-queue.adapter.ts';
import type { JobQueue } from './platform/queue/queue.port.ts';

export { buildApp, type BuildAppOptions } from './build-app.ts';

export interface CoreOptions {
  clock?: Clock;
  ids?: Ids;
  /** Apply pending migrations while starting. Default true. */
  migrate?: boolean;
  /** An already-open database (tests); otherwise one is opened from the configuration. */
  database?: DatabaseHandle;
  /**
   * Whether an unset API key variable of a provider declared in stead.config.yaml stops start-up. Default true
   * (the server); CLI commands pass false and keep the keys the workspaces have.
   */
  requireDeclaredApiKeys?: boolean;
}

/** Background work of one process (`stead start`, `stead worker`): every feature's `background`. */
export interface CoreBackgroundWork {
  /** Hands the scheduler lease over, lets running jobs finish for up to `graceMs` (default `STEAD_JOB_DRAIN_MS`), then returns the rest to the queue. */
  stop(graceMs?: number): Promise<void>;
}

/** Everything the HTTP server, the CLI and the tests reach: the platform and every feature's service. */
export interface SteadCore extends SteadPlatform, SteadServices {
  database: DatabaseHandle;
  /**
   * Runs background work in this process: tasks, and the scheduler (only the node holding its lease fires).
   * `stead start` and `stead worker` call it; `stead start --role api` does not, so API nodes only enqueue.
   */
  startBackgroundWork(): Promise<CoreBackgroundWork>;
  close(): Promise<void>;
}

/** Configuration → the platform's adapters. Redis-backed adapters load only when Redis is configured. */
const createPlatform = async (config: SteadConfig, options: CoreOptions, isClosing: () => boolean): Promise<SteadPlatform & { database: DatabaseHandle }> => {
  const clock = options.clock ?? systemClock;
  // Diagnostics of services outside a request (the CLI, background work) go to stderr as JSON.
  const logger = pino(createLoggerOptions(config.logLevel), destination(2));
  const ids = options.ids ?? createIds(clock);
  // The data directory holds the SQLite file and the key file: created 0700, or tightened when this user owns it.
  if (!config.databaseUrl || config.secretKey === undefined) {
    for (const warning of prepareDataDirectory(config.dataDir).warnings) logger.warn({ component: 'data-directory' }, warning);
  }
  const onFileWarning = (message: string) => logger.warn({ component: 'database' }, message);
  const database = options.database ?? (await createDatabase({ databaseUrl: config.databaseUrl, sqliteFile: join(config.dataDir, 'stead.db'), onWarning: onFileWarning }));
  if (options.migrate ?? true) await migrateToLatest(database.db, migrations);

  const onEventError = (error: unknown, context: object) => logger.warn({ err: error, ...context }, 'event bus');
  // The Redis adapter (and ioredis) load only when configured: single-node installs never pay for them.
  const events: EventBus = config.redisUrl
    ? (await import('./platform/events/redis-events.adapter.ts')).createRedisEventBus({ url: config.redisUrl, channelPrefix: `${config.redisPrefix}:events:`, clock, ids, onError: onEventError })
    : createMemoryEventBus({ clock, ids, onError: onEventError });
  // Budget counters (and later the response cache): Redis when configured, so limits hold across nodes.
  const keyValue: KeyValueStore = config.redisUrl
    ? (await import('./platform/key-value/redis-key-value.adapter.ts')).createRedisKeyValueStore({ url: config.redisUrl, prefix: `${config.redisPrefix}:kv:` })
    : createMemoryKeyValueStore({ clock });
  // Access changes reach every node (Redis): see each feature's `everyNode` subscriptions.
  const onQueueError = (error: unknown, context: object) => logger.warn({ err: error, ...context }, 'job queue');
  // BullMQ (and its Redis client) loads only when Redis is configured, like the event bus.
  const queue: JobQueue = config.redisUrl
    ? (await import('./platform/queue/bullmq-queue.adapter.ts')).createBullmqQueue({ url: config.redisUrl, prefix: config.redisPrefix, clock, ids, leaseMs: config.queueLeaseMs, onError: onQueueError })
    : createDatabaseQueue({ database, clock, ids, leaseMs: config.queueLeaseMs, onError: onQueueError });
  const domainEvents = createDomainEvents({ bus: events, ids, channelType: 'domain-event', onError: (error, context) => logger.warn({ err: error, ...context }, 'domain event handler') });
  return {
    config,
    clock,
    ids,
    logger,
    database,
    events,
    domainEvents,
    secretKey: resolveSecretKey({ secretKey: config.secretKey, dataDir: config.dataDir }),
    egress: createEgressClient({ allowedHosts: config.egressAllowedHosts }),
    keyValue,
    queue,
    requireDeclaredApiKeys: options.requireDeclaredApiKeys ?? true,
    isClosing,
  };
};

/**
 * The composition root: configuration → adapters → every feature's service (feature-list.ts). The HTTP server
 * and the CLI both start here, so they share one wiring; nothing else constructs services.
 */
export const createCore = async (config: SteadConfig, options: CoreOptions = {}): Promise<SteadCore> => {
  let closing = false;
  const platform = await createPlatform(config, options, () => closing);
  const { logger, database, events, domainEvents, egress, keyValue, queue } = platform;
  const services = createFeatureServices(features, platform, database.db);
  void domainEvents.listen().catch((error: unknown) => logger.warn({ err: error }, 'domain events: not listening; cached member roles stay off'));
  let stopFeatures: () => Promise<void>;
  try {
    stopFeatures = await startFeatures(features, services, platform);
  } catch (error) {
    // Start-up stops here (a name clash in the declared gateway, an unset key variable): release what was opened, then report.
    await Promise.allSettled([queue.close(), egress.close(), keyValue.close(), domainEvents.close(), events.close()]);
    if (!options.database) await database.close();
    throw error;
  }

  return {
    ...platform,
    ...services,
    async startBackgroundWork() {
      const work = startFeatureBackgroundWork(features, services, platform);
      return { stop: (graceMs = config.jobDrainMs) => work.stop(graceMs) };
    },
    async close() {
      closing = true;
      await stopFeatures();
      await queue.close();
      await egress.close();
      await keyValue.close();
      await domainEvents.close();
      await events.close();
      await database.close();
    },
  };
};
