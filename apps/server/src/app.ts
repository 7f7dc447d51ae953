import { join } from 'node:path';
import { destination, pino } from 'pino';
import type { SteadConfig } from './config/config.schema.ts';
import { createFeatureServices } from './compose-features.ts';
import type { SteadPlatform, SteadServices } from './feature.ts';
import { features, migrations } from './feature-list.ts';
import { createModelPromptRunKind } from './features/models/model-prompt.run.ts';
import { createModelUsageRepository } from './features/models/model-usage.repository.ts';
import { createModelsRepository } from './features/models/models.repository.ts';
import { createModelsService, type ModelsService } from './features/models/models.service.ts';
import { createTargetHealth } from './features/models/target-health.ts';
import { createScheduler } from './features/schedules/scheduler.ts';
import { createSchedulesRepository } from './features/schedules/schedules.repository.ts';
import { createSchedulesService, type SchedulesService } from './features/schedules/schedules.service.ts';
import { createRunsRepository } from './features/runs/runs.repository.ts';
import { createRunsService, type RunsService } from './features/runs/runs.service.ts';
import { createHttpRequestRunKind } from './features/tasks/http-request.run.ts';
import { createTasksService, type TasksService } from './features/tasks/tasks.service.ts';
import { createWebhookDeliverRunKind } from './features/webhooks/webhook-deliver.run.ts';
import { createIds, systemClock, type Clock, type Ids } from './platform/clock/clock.ts';
import { resolveSecretKey } from './platform/crypto/secret-key.ts';
import { prepareDataDirectory } from './platform/database/data-directory.ts';
import { createDatabaseClock } from './platform/database/database-clock.ts';
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

/** Background work of one process (`stead start`, `stead worker`). */
export interface BackgroundWork {
  /** Hands the scheduler lease over, lets running jobs finish for up to `graceMs`, then returns the rest to the queue. */
  stop(graceMs?: number): Promise<void>;
}

/** Everything the HTTP server, the CLI and the tests reach: the platform and every feature's service. */
export interface SteadCore extends SteadPlatform, SteadServices {
  database: DatabaseHandle;
  queue: JobQueue;
  // The features below are not yet feature modules (see feature-list.ts); they join SteadServices when converted.
  models: ModelsService;
  runs: RunsService;
  tasks: TasksService;
  schedules: SchedulesService;
  /**
   * Runs background work in this process: tasks, and the scheduler (only the node holding its lease fires).
   * `stead start` and `stead worker` call it; `stead start --role api` does not, so API nodes only enqueue.
   */
  startBackgroundWork(): Promise<BackgroundWork>;
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
  const { clock, ids, logger, database, events, domainEvents, egress, keyValue } = platform;
  const services = createFeatureServices(features, platform, database.db);
  void domainEvents.listen().catch((error: unknown) => logger.warn({ err: error }, 'domain events: not listening; cached member roles stay off'));

  const models = createModelsService({
    store: keyValue,
    repository: createModelsRepository(database.db, database.dialect),
    usageRepository: createModelUsageRepository(database.db, database.dialect),
    secrets: services.secrets,
    keys: { exists: (workspaceId, keyId) => services.keys.exists(workspaceId, keyId) },
    clock,
    ids,
    createEgress: (allowedHosts) => createEgressClient({ allowedHosts }),
    egressAllowedHosts: config.egressAllowedHosts,
    health: createTargetHealth({ failureThreshold: config.modelBreakerThreshold, cooldownMs: config.modelBreakerCooldownMs }),
    onUsageError: (error, rows) => logger.error({ err: error, rows }, 'model usage rows could not be written'),
    declared: config.gateway,
    requireDeclaredApiKeys: options.requireDeclaredApiKeys ?? true,
    onDiscoveryError: (error, provider) => logger.warn({ err: error, provider }, 'could not list the models of a provider declared in stead.config.yaml; `stead providers test` retries'),
  });
  // The gateway entries declared in stead.config.yaml apply to every workspace, new ones included.
  domainEvents.on(['workspace-create'], ({ workspace }) => models.syncDeclared([workspace]));
  try {
    await models.syncDeclared(await services.workspaces.listAll());
  } catch (error) {
    // Start-up stops here (a name clash, an unset key variable): release what was opened, then report.
    await Promise.allSettled([models.close(), egress.close(), keyValue.close(), domainEvents.close(), events.close()]);
    if (!options.database) await database.close();
    throw error;
  }

  const onQueueError = (error: unknown, context: object) => logger.warn({ err: error, ...context }, 'job queue');
  // BullMQ (and its Redis client) loads only when Redis is configured, like the event bus.
  const queue: JobQueue = config.redisUrl
    ? (await import('./platform/queue/bullmq-queue.adapter.ts')).createBullmqQueue({ url: config.redisUrl, prefix: config.redisPrefix, clock, ids, leaseMs: config.queueLeaseMs, onError: onQueueError })
    : createDatabaseQueue({ database, clock, ids, leaseMs: config.queueLeaseMs, onError: onQueueError });
  const runs = createRunsService({
    repository: createRunsRepository(database.db),
    queue,
    clock,
    ids,
    kinds: [createHttpRequestRunKind({ egress }), createWebhookDeliverRunKind({ egress }), createModelPromptRunKind({ models })],
    secrets: services.workspaceSecrets,
    vault: services.secrets,
    domainEvents,
    onError: (error, context) => logger.warn({ err: error, ...context }, 'runs'),
  });
  // A queue outside the database's transactions gets runs through the outbox; every node relays what a dead one left.
  const stopRelay = queue.capabilities.transactional ? () => {} : runs.startRelay();
  const tasks = createTasksService({ runs, events, clock, onEventError: (error) => logger.warn({ err: error, component: 'tasks' }, 'event bus') });
  // Schedules and the scheduler's leader lease run on the database's clock, so nodes whose clocks drift agree.
  const databaseClock = createDatabaseClock(database);
  const schedulesRepository = createSchedulesRepository(database.db, database.dialect);
  const schedules = createSchedulesService({ repository: schedulesRepository, starter: tasks, vault: services.secrets, clock: databaseClock, ids });

  const startBackgroundWork = async (): Promise<BackgroundWork> => {
    const worker = tasks.work({ concurrency: config.workerConcurrency });
    const scheduler = createScheduler({ service: schedules, leases: schedulesRepository, clock: databaseClock, ids, logger });
    scheduler.start();
    return {
      async stop(graceMs = config.jobDrainMs) {
        await scheduler.stop();
        await worker.close(graceMs);
      },
    };
  };

  return {
    ...platform,
    ...services,
    queue,
    models,
    runs,
    tasks,
    schedules,
    startBackgroundWork,
    async close() {
      closing = true;
      stopRelay();
      await queue.close();
      await egress.close();
      await models.close();
      await keyValue.close();
      await domainEvents.close();
      await events.close();
      await database.close();
    },
  };
};
