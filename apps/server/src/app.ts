import { hkdfSync } from 'node:crypto';
import { join } from 'node:path';
import cors from '@fastify/cors';
import helmet from 'helmet';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyServerOptions } from 'fastify';
import { destination, pino } from 'pino';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Kysely } from 'kysely';
import { maskConfig } from './config/config.loader.ts';
import type { SteadConfig } from './config/config.schema.ts';
import { createAuditRepository } from './features/audit/audit.repository.ts';
import { registerAuditHook } from './features/audit/audit.hook.ts';
import { registerAuditRoutes } from './features/audit/audit.routes.ts';
import { createAuditService } from './features/audit/audit.service.ts';
import { createAuthRepository } from './features/auth/auth.repository.ts';
import { registerAuthRoutes } from './features/auth/auth.routes.ts';
import { createAuthService } from './features/auth/auth.service.ts';
import { createBetterAuth, sessionCookieName } from './features/auth/better-auth.ts';
import { registerEventsRoutes } from './features/events/events.routes.ts';
import { createKeysRepository } from './features/keys/keys.repository.ts';
import { registerKeysRoutes } from './features/keys/keys.routes.ts';
import { createKeysService } from './features/keys/keys.service.ts';
import { revokeKeysOfRemovedMember } from './features/keys/keys.events.ts';
import { createModelUsageRepository } from './features/models/model-usage.repository.ts';
import { createModelsRepository } from './features/models/models.repository.ts';
import { registerModelsRoutes } from './features/models/models.routes.ts';
import { createModelsService } from './features/models/models.service.ts';
import { registerOpenAiEndpointRoutes } from './features/models/openai-endpoint.routes.ts';
import { createTargetHealth } from './features/models/target-health.ts';
import { createModelPromptRunKind } from './features/models/model-prompt.run.ts';
import { createOnboardingRepository } from './features/onboarding/onboarding.repository.ts';
import { registerOnboardingRoutes } from './features/onboarding/onboarding.routes.ts';
import { createOnboardingService } from './features/onboarding/onboarding.service.ts';
import { createRunsRepository } from './features/runs/runs.repository.ts';
import type { RunEndEvent } from './features/runs/runs.schema.ts';
import { createRunsService } from './features/runs/runs.service.ts';
import { createHttpRequestRunKind } from './features/tasks/http-request.run.ts';
import { createWebhookDeliverRunKind } from './features/webhooks/webhook-deliver.run.ts';
import { registerTasksRoutes } from './features/tasks/tasks.routes.ts';
import { createTasksService } from './features/tasks/tasks.service.ts';
import { createScheduler } from './features/schedules/scheduler.ts';
import { createSchedulesRepository } from './features/schedules/schedules.repository.ts';
import { registerSchedulesRoutes } from './features/schedules/schedules.routes.ts';
import { createSchedulesService } from './features/schedules/schedules.service.ts';
import { createSecretsRepository } from './features/secrets/secrets.repository.ts';
import { createSecretsService } from './features/secrets/secrets.service.ts';
import { createWorkspaceSecretsRepository } from './features/workspace-secrets/workspace-secrets.repository.ts';
import { registerWorkspaceSecretsRoutes } from './features/workspace-secrets/workspace-secrets.routes.ts';
import { createWorkspaceSecretsService } from './features/workspace-secrets/workspace-secrets.service.ts';
import { registerSystemRoutes, type ComponentState } from './features/system/system.routes.ts';
import { registerUsersRoutes } from './features/users/users.routes.ts';
import { createUsersService } from './features/users/users.service.ts';
import { createWorkspacesRepository } from './features/workspaces/workspaces.repository.ts';
import { registerWorkspacesRoutes } from './features/workspaces/workspaces.routes.ts';
import { createWorkspacesService } from './features/workspaces/workspaces.service.ts';
import { createMemberRoleCache } from './features/workspaces/member-role-cache.ts';
import { workspaceAccessEventTypes, type WorkspaceAccessEvent } from './features/workspaces/workspaces.events.ts';
import { createDomainEvents } from './platform/events/domain-events.ts';
import { createIds, systemClock, type Clock, type Ids } from './platform/clock/clock.ts';
import { resolveSecretKey } from './platform/crypto/secret-key.ts';
import { createDatabase } from './platform/database/database.factory.ts';
import { prepareDataDirectory } from './platform/database/data-directory.ts';
import { createDatabaseClock } from './platform/database/database-clock.ts';
import type { DatabaseHandle } from './platform/database/database.port.ts';
import { migrateToLatest } from './platform/database/migrator.ts';
import type { EventBus } from './platform/events/events.port.ts';
import { createMemoryEventBus } from './platform/events/memory-events.adapter.ts';
import { createEgressClient } from './platform/egress/egress-client.ts';
import type { KeyValueStore } from './platform/key-value/key-value.port.ts';
import { createMemoryKeyValueStore } from './platform/key-value/memory-key-value.adapter.ts';
import { createDatabaseQueue } from './platform/queue/database-queue.adapter.ts';
import type { JobQueue } from './platform/queue/queue.port.ts';
import { registerAccessControl } from './platform/http/access-control.ts';
import { docsContentSecurityPolicy } from './platform/http/docs-page.ts';
import { registerErrorHandler } from './platform/http/error-handler.ts';
import { createHostAllowlist, registerHostAllowlist } from './platform/http/host-allowlist.ts';
import { registerJsonBodyParser } from './platform/http/json-body.ts';
import type { SteadApp } from './platform/http/http.types.ts';
import { defaultWebDir, registerWebApp } from './platform/http/web-app.ts';
import { createLoggerOptions } from './platform/logger/logger.ts';
import { createMetrics, registerHttpMetrics } from './platform/metrics/metrics.ts';
import { steadVersion } from './version.ts';

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

/**
 * The composition root: configuration → adapters → services. The HTTP server and the CLI both start here,
 * so they share one wiring; nothing else constructs services.
 */
export const createCore = async (config: SteadConfig, options: CoreOptions = {}) => {
  const clock = options.clock ?? systemClock;
  // Diagnostics of services outside a request (the CLI, background work) go to stderr as JSON.
  const logger = pino(createLoggerOptions(config.logLevel), destination(2));
  let closing = false;
  const ids = options.ids ?? createIds(clock);
  // The data directory holds the SQLite file and the key file: created 0700, or tightened when this user owns it.
  if (!config.databaseUrl || config.secretKey === undefined) {
    for (const warning of prepareDataDirectory(config.dataDir).warnings) logger.warn({ component: 'data-directory' }, warning);
  }
  const onFileWarning = (message: string) => logger.warn({ component: 'database' }, message);
  const database = options.database ?? await createDatabase({ databaseUrl: config.databaseUrl, sqliteFile: join(config.dataDir, 'stead.db'), onWarning: onFileWarning });
  if (options.migrate ?? true) await migrateToLatest(database.db);

  const onEventError = (error: unknown, context: object) => logger.warn({ err: error, ...context }, 'event bus');
  // The Redis adapter (and ioredis) load only when configured: single-node installs never pay for them.
  const events: EventBus = config.redisUrl
    ? (await import('./platform/events/redis-events.adapter.ts')).createRedisEventBus({ url: config.redisUrl, channelPrefix: `${config.redisPrefix}:events:`, clock, ids, onError: onEventError })
    : createMemoryEventBus({ clock, ids, onError: onEventError });
  const secretKey = resolveSecretKey({ secretKey: config.secretKey, dataDir: config.dataDir });
  const secrets = createSecretsService({ repository: createSecretsRepository(database.db), clock, ids, key: secretKey, dataDir: config.dataDir });

  const baseURL = config.publicUrl ?? `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}`;
  const authRepository = createAuthRepository(database.db, database.dialect);
  const betterAuth = createBetterAuth({
    db: database.db as unknown as Kysely<never>,
    dialect: database.dialect,
    // Cookie signing gets its own key derived from the master key, never the master key itself.
    secret: Buffer.from(hkdfSync('sha256', secretKey.key, Buffer.alloc(0), 'stead/session-cookies', 32)).toString('hex'),
    baseURL,
    trustedOrigins: [baseURL, ...config.allowedOrigins],
    sessionTtlDays: config.sessionTtlDays,
    ids,
    isUserDisabled: async (userId) => Boolean((await authRepository.findUserById(userId))?.disabledAt),
    // better-auth checks its schema in the background at start; a short-lived CLI run may close the
    // database first, which is not worth reporting.
    log: (level, message) => {
      if (!closing) logger[level]({ component: 'better-auth' }, message);
    },
  });
  const auth = createAuthService({ auth: betterAuth, repository: authRepository, clock });
  const egress = createEgressClient({ allowedHosts: config.egressAllowedHosts });
  // Budget counters (and later the response cache): Redis when configured, so limits hold across nodes.
  const keyValue: KeyValueStore = config.redisUrl
    ? (await import('./platform/key-value/redis-key-value.adapter.ts')).createRedisKeyValueStore({ url: config.redisUrl, prefix: `${config.redisPrefix}:kv:` })
    : createMemoryKeyValueStore({ clock });
  const models = createModelsService({
    store: keyValue,
    repository: createModelsRepository(database.db, database.dialect),
    usageRepository: createModelUsageRepository(database.db, database.dialect),
    secrets,
    // Keys are created further down; the gateway asks them only once calls and settings arrive.
    keys: { exists: (workspaceId, keyId) => keys.exists(workspaceId, keyId) },
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
  // Access changes reach every node (Redis), so each drops the roles it cached for API-key checks.
  const domainEvents = createDomainEvents<WorkspaceAccessEvent | RunEndEvent>({ bus: events, ids, channelType: 'domain-event', onError: (error, context) => logger.warn({ err: error, ...context }, 'domain event handler') });
  const memberRoles = createMemberRoleCache({ lookup: (workspaceId, userId) => workspacesService.memberRole(workspaceId, userId), clock, invalidationsArrive: () => domainEvents.listening });
  domainEvents.on(workspaceAccessEventTypes, memberRoles.invalidate, { everyNode: true });
  void domainEvents.listen().catch((error: unknown) => logger.warn({ err: error }, 'domain events: not listening; cached member roles stay off'));
  const workspacesService = createWorkspacesService({ repository: createWorkspacesRepository(database.db), users: auth, clock, ids, invitationTtlHours: config.invitationTtlHours, emit: domainEvents.emit });
  // The gateway entries declared in stead.config.yaml apply to every workspace, new ones included.
  const workspaces: typeof workspacesService = {
    ...workspacesService,
    async create(name, ownerUserId) {
      const workspace = await workspacesService.create(name, ownerUserId);
      await models.syncDeclared([workspace]);
      return workspace;
    },
  };
  try {
    await models.syncDeclared(await workspaces.listAll());
  } catch (error) {
    // Start-up stops here (a name clash, an unset key variable): release what was opened, then report.
    await Promise.allSettled([models.close(), egress.close(), keyValue.close(), domainEvents.close(), events.close()]);
    if (!options.database) await database.close();
    throw error;
  }
  const keys = createKeysService({ repository: createKeysRepository(database.db), users: auth, members: memberRoles, clock, ids });
  const audit = createAuditService({ repository: createAuditRepository(database.db), events, clock, ids });
  domainEvents.on(['member-remove'], revokeKeysOfRemovedMember({ keys, audit }));
  const users = createUsersService({ auth, keys });
  const onboarding = createOnboardingService({ repository: createOnboardingRepository(database.db), auth, workspaces, clock });

  const onQueueError = (error: unknown, context: object) => logger.warn({ err: error, ...context }, 'job queue');
  // BullMQ (and its Redis client) loads only when Redis is configured, like the event bus.
  const queue: JobQueue = config.redisUrl
    ? (await import('./platform/queue/bullmq-queue.adapter.ts')).createBullmqQueue({ url: config.redisUrl, prefix: config.redisPrefix, clock, ids, leaseMs: config.queueLeaseMs, onError: onQueueError })
    : createDatabaseQueue({ database, clock, ids, leaseMs: config.queueLeaseMs, onError: onQueueError });
  // Tasks name only secrets of this store (never `model-provider:<id>` or any other internal secret).
  const workspaceSecrets = createWorkspaceSecretsService({ repository: createWorkspaceSecretsRepository(database.db), vault: secrets, members: workspaces, clock, ids });
  const runs = createRunsService({
    repository: createRunsRepository(database.db),
    queue,
    clock,
    ids,
    kinds: [createHttpRequestRunKind({ egress }), createWebhookDeliverRunKind({ egress }), createModelPromptRunKind({ models })],
    secrets: workspaceSecrets,
    vault: secrets,
    domainEvents,
    onError: (error, context) => onEventError(error, context),
  });
  // A queue outside the database's transactions gets runs through the outbox; every node relays what a dead one left.
  const stopRelay = queue.capabilities.transactional ? () => {} : runs.startRelay();
  const tasks = createTasksService({ runs, events, clock, onEventError: (error) => onEventError(error, { component: 'tasks' }) });
  // Schedules and the scheduler's leader lease run on the database's clock, so nodes whose clocks drift agree.
  const databaseClock = createDatabaseClock(database);
  const schedulesRepository = createSchedulesRepository(database.db, database.dialect);
  const schedules = createSchedulesService({ repository: schedulesRepository, starter: tasks, vault: secrets, clock: databaseClock, ids });

  /**
   * Runs background work in this process: tasks, and the scheduler (only the node holding its lease fires). `stead start` and
   * `stead worker` call it; `stead start --role api` does not, so API nodes only enqueue.
   */
  const startBackgroundWork = async () => {
    const worker = tasks.work({ concurrency: config.workerConcurrency });
    const scheduler = createScheduler({ service: schedules, leases: schedulesRepository, clock: databaseClock, ids, logger });
    scheduler.start();
    return {
      /** Hands the scheduler lease over, lets running jobs finish for up to `graceMs`, then returns the rest to the queue. */
      async stop(graceMs = config.jobDrainMs) {
        await scheduler.stop();
        await worker.close(graceMs);
      },
    };
  };

  return {
    config,
    clock,
    ids,
    database,
    events,
    domainEvents,
    secretKey,
    secrets,
    workspaceSecrets,
    auth,
    workspaces,
    keys,
    audit,
    users,
    onboarding,
    queue,
    egress,
    keyValue,
    models,
    runs,
    tasks,
    schedules,
    startBackgroundWork,
    logger,
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

export type SteadCore = Awaited<ReturnType<typeof createCore>>;

const componentCheck = (check: () => Promise<void>) => async (): Promise<ComponentState> => {
  try {
    await check();
    return { state: 'up' };
  } catch (error) {
    return { state: 'down', detail: error instanceof Error ? error.message : String(error) };
  }
};

export interface BuildAppOptions {
  /** pino logger options, or false for no logs (tests). Default: JSON logs at the configured level. */
  logger?: FastifyServerOptions['logger'];
}

/** Builds the HTTP server on a core: platform plugins, then every feature's routes. */
export const buildApp = async (core: SteadCore, options: BuildAppOptions = {}): Promise<SteadApp> => {
  const { config } = core;
  const startedAt = Date.now();
  const app = Fastify({
    logger: options.logger ?? createLoggerOptions(config.logLevel),
    bodyLimit: config.bodyLimit,
    trustProxy: config.trustProxy,
    requestIdHeader: false,
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : core.ids.next();
    },
    ajv: { customOptions: { removeAdditional: false } },
    forceCloseConnections: 'idle',
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  registerJsonBodyParser(app);
  app.addHook('onRequest', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });

  const metrics = createMetrics();
  registerHttpMetrics(app, metrics);

  // Security headers (helmet), built once: @fastify/helmet built helmet's middleware, CSP parsing included, anew on
  // every request. Set on the raw response, where Fastify's own headers join them.
  const applySecurityHeaders = helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'"],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        workerSrc: ["'self'"],
        manifestSrc: ["'self'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
      },
    },
    crossOriginEmbedderPolicy: false,
  });
  app.addHook('onRequest', (request, reply, done) => {
    applySecurityHeaders(request.raw, reply.raw, () => done());
  });
  // Before CORS, access control and routing: a Host the server does not serve gets 421 (DNS rebinding).
  const hosts = createHostAllowlist({ publicUrl: config.publicUrl, listenHost: config.host, listenPort: config.port, allowedHosts: config.allowedHosts });
  registerHostAllowlist(app, hosts);
  await app.register(cors, { origin: config.allowedOrigins.length > 0 ? config.allowedOrigins : false, credentials: true });
  // With Redis, limits hold across every node; its client is closed with the server.
  const rateLimitRedis = config.redisUrl ? new (await import('ioredis')).Redis(config.redisUrl, { maxRetriesPerRequest: 1 }) : undefined;
  if (rateLimitRedis) app.addHook('onClose', async () => void (await rateLimitRedis.quit()));
  await app.register(rateLimit, {
    global: false,
    ...(rateLimitRedis ? { redis: rateLimitRedis, nameSpace: `${config.redisPrefix}:rate:` } : {}),
    errorResponseBuilder: (_request, context) => Object.assign(new Error(`Too many requests; retry in ${Math.ceil(context.ttl / 1000)} s`), { statusCode: 429 }),
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Stead API', version: steadVersion, description: 'Every route of the Stead server. Errors share one body: `{ error: { code, message, requestId } }` (see docs/errors.md).' },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: sessionCookieName },
          apiKey: { type: 'http', scheme: 'bearer', description: 'A workspace API key (stead_…)' },
        },
      },
    },
    transform: jsonSchemaTransform,
  });

  const spaFallback = await registerWebApp(app, config.webDir ?? defaultWebDir);
  registerErrorHandler(app, { spaFallback });
  registerAccessControl(app, {
    resolver: {
      sessionFromHeaders: (headers) => core.auth.sessionFromHeaders(headers),
      keyFromToken: (token) => core.keys.authenticate(token),
      memberRole: (workspaceId, userId) => core.workspaces.memberRole(workspaceId, userId),
    },
    trustedOrigins: [...(config.publicUrl ? [config.publicUrl] : []), ...config.allowedOrigins],
    sessionCookieName,
    isPublicPluginRoute: (url) => url === '/*' || url === '/' || url.startsWith('/api/docs'),
  });
  registerAuditHook(app, core.audit);

  await app.register(swaggerUi, { routePrefix: '/api/docs', staticCSP: docsContentSecurityPolicy });
  app.get('/api/openapi.json', { config: { permission: 'public' }, schema: { hide: true } }, async () => app.swagger());

  const loginRateLimit = { max: config.loginRateLimit, timeWindow: '1 minute' };
  registerSystemRoutes(app, {
    version: steadVersion,
    startedAt,
    metrics: metrics.registry,
    metricsToken: config.metricsToken,
    components: {
      database: componentCheck(() => core.database.ping()),
      events: componentCheck(() => core.events.ping()),
      queue: componentCheck(async () => void (await core.queue.get('health-probe'))),
    },
  });
  registerOnboardingRoutes(app, { onboarding: core.onboarding, loginRateLimit });
  registerAuthRoutes(app, { auth: core.auth, loginRateLimit });
  registerWorkspacesRoutes(app, { workspaces: core.workspaces, linkOrigin: hosts.originFor });
  registerKeysRoutes(app, { keys: core.keys });
  registerAuditRoutes(app, { audit: core.audit });
  registerUsersRoutes(app, {
    users: core.users,
    describeInstance: async () => ({
      version: steadVersion,
      dataDir: config.dataDir,
      database: { dialect: core.database.dialect, location: core.database.location },
      config: maskConfig(config),
    }),
  });
  registerEventsRoutes(app, { events: core.events });
  registerTasksRoutes(app, { tasks: core.tasks });
  registerSchedulesRoutes(app, { schedules: core.schedules });
  registerWorkspaceSecretsRoutes(app, { secrets: core.workspaceSecrets });
  registerModelsRoutes(app, { models: core.models });
  registerOpenAiEndpointRoutes(app, { models: core.models });

  await app.ready();
  return app;
};
