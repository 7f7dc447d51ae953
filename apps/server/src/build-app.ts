import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import Fastify, { type FastifyServerOptions } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import helmet from 'helmet';
import type { SteadCore } from './app.ts';
import { registerFeatureHooks, registerFeatureRoutes } from './compose-features.ts';
import type { FeatureHttpContext } from './feature.ts';
import { accessPolicy, errorCatalogue, features } from './feature-list.ts';
import { sessionCookieName } from './features/auth/better-auth.ts';
import { registerAccessControl } from './platform/http/access-control.ts';
import { registerDocsPage } from './platform/http/docs-page.ts';
import { registerErrorHandler } from './platform/http/error-handler.ts';
import { createHostAllowlist, registerHostAllowlist } from './platform/http/host-allowlist.ts';
import type { SteadApp } from './platform/http/http.types.ts';
import { registerJsonBodyParser } from './platform/http/json-body.ts';
import { defaultWebDir, registerWebApp } from './platform/http/web-app.ts';
import { createServerLoggerOptions } from './platform/logger/logger.ts';
import { OneLinePerRequest } from './platform/logger/request-log.ts';
import { createMetrics, registerHttpMetrics } from './platform/metrics/metrics.ts';
import { steadVersion } from './version.ts';

type ComponentState = Awaited<ReturnType<FeatureHttpContext['components'][string]>>;

const componentCheck = (check: () => Promise<void>) => async (): Promise<ComponentState> => {
  try {
    await check();
    return { state: 'up' };
  } catch (error) {
    return { state: 'down', detail: error instanceof Error ? error.message : String(error) };
  }
};

export interface BuildAppOptions {
  /** pino logger options, or false for no logs (tests). Default: the configured level and format (`logFormat`). */
  logger?: FastifyServerOptions['logger'];
}

/** Builds the HTTP server on a core: platform plugins, then every feature's routes. */
export const buildApp = async (core: SteadCore, options: BuildAppOptions = {}): Promise<SteadApp> => {
  const { config } = core;
  const startedAt = Date.now();
  const app = Fastify({
    logger: options.logger ?? (await createServerLoggerOptions({ level: config.logLevel, format: config.logFormat })),
    // One line per request, with health checks and static files at debug.
    logController: new OneLinePerRequest(),
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
  registerErrorHandler(app, { spaFallback, catalogue: errorCatalogue });
  registerAccessControl(app, {
    policy: accessPolicy,
    resolver: {
      sessionFromHeaders: (headers) => core.auth.sessionFromHeaders(headers),
      keyFromToken: (token) => core.keys.authenticate(token),
      memberRole: (workspaceId, userId) => core.workspaces.memberRole(workspaceId, userId),
    },
    trustedOrigins: [...(config.publicUrl ? [config.publicUrl] : []), ...config.allowedOrigins],
    sessionCookieName,
    isPublicPluginRoute: (url) => url === '/*' || url === '/' || url.startsWith('/api/docs'),
  });
  const context: FeatureHttpContext = {
    services: core,
    platform: core,
    linkOrigin: hosts.originFor,
    loginRateLimit: { max: config.loginRateLimit, timeWindow: '1 minute' },
    metrics: metrics.registry,
    policy: accessPolicy,
    startedAt,
    components: {
      database: componentCheck(() => core.database.ping()),
      events: componentCheck(() => core.events.ping()),
      queue: componentCheck(async () => void (await core.queue.get('health-probe'))),
    },
  };
  registerFeatureHooks(app, features, context);

  await registerDocsPage(app);
  app.get('/api/openapi.json', { config: { permission: 'public' }, schema: { hide: true } }, async () => app.swagger());

  registerFeatureRoutes(app, features, context);

  await app.ready();
  return app;
};
