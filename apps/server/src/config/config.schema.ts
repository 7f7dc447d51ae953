import { z } from 'zod';
import { declaredGatewaySchema } from '../features/models/models.schema.ts';

const origin = z.string().url().transform((value) => new URL(value).origin);
const commaList = <T extends z.ZodType>(item: T) =>
  z.preprocess(
    (value) => (typeof value === 'string' ? value.split(',').map((part) => part.trim()).filter(Boolean) : value),
    z.array(item),
  );
const booleanish = z.preprocess((value) => (value === 'true' || value === '1' ? true : value === 'false' || value === '0' ? false : value), z.boolean());

/**
 * Every setting Stead reads. Each key is read from `stead.config.yaml` (as written here) and, except the
 * `yamlOnlyConfigKeys`, from the environment as `STEAD_` + the key in upper snake case (`dataDir` →
 * `STEAD_DATA_DIR`); the environment wins.
 * `docs/configuration.md` documents every key, and a test keeps the two in step.
 */
export const configSchema = z
  .object({
    /** Interface the HTTP server binds to. Loopback by default: the server stays private to the machine. */
    host: z.string().min(1).default('127.0.0.1'),
    /** TCP port of the HTTP server. */
    port: z.coerce.number().int().min(0).max(65535).default(7070),
    /** Where the SQLite database, the secret key file and uploaded files live. */
    dataDir: z.string().min(1).default('./data'),
    /** `postgres://…` selects PostgreSQL; unset means the SQLite file `<dataDir>/stead.db`. */
    databaseUrl: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must start with postgres:// or postgresql://')
      .optional(),
    /** `redis://…` moves the event bus (and, later, queue, rate limits and cache) to Redis. */
    redisUrl: z
      .string()
      .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
      .optional(),
    /** Prefix of every Redis key and channel Stead uses (job queues, events, rate limits); installations sharing one Redis need distinct prefixes. */
    redisPrefix: z.string().regex(/^[\w.-]{1,64}$/, 'letters, digits, `.`, `_` or `-`, up to 64').default('stead'),
    /** Key that encrypts secrets at rest: 32 bytes as base64 or hex. Unset: a key file `<dataDir>/secret.key` (mode 0600) is created. */
    secretKey: z.string().optional(),
    /** Origins (besides the server's own) allowed to call the API from a browser, e.g. a dashboard served elsewhere. */
    allowedOrigins: commaList(origin).default([]),
    /**
     * Host names the server answers to besides the host of `publicUrl`, the listen address (every address of the
     * machine when listening on all), `localhost` and loopback addresses; `*.example.com` allows subdomains. Any
     * other Host header gets 421 `host_not_allowed` (DNS rebinding defence).
     */
    allowedHosts: commaList(z.string().trim().min(1)).default([]),
    /** The URL people use to reach Stead; invitation links are built from it. Default: `http://<host>:<port>`. */
    publicUrl: origin.optional(),
    /** Bearer token that protects `GET /metrics`. Unset: `/metrics` answers 404. */
    metricsToken: z.string().min(16, 'must be at least 16 characters').optional(),
    /** pino log level. */
    logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    /**
     * How the server writes its log: `pretty` (one coloured line per event, for people), `json` (one JSON object per
     * line, for log collectors), or `auto`: pretty when standard output is a terminal, JSON otherwise.
     */
    logFormat: z.enum(['auto', 'pretty', 'json']).default('auto'),
    /** Largest accepted request body, in bytes. */
    bodyLimit: z.coerce.number().int().min(1024).max(1024 * 1024 * 1024).default(1024 * 1024),
    /** Trust `X-Forwarded-*` headers (set when Stead runs behind a reverse proxy). */
    trustProxy: booleanish.default(false),
    /** Sign-in attempts allowed per client address per minute. */
    loginRateLimit: z.coerce.number().int().min(1).default(10),
    /** How long an invitation link stays valid, in hours. */
    invitationTtlHours: z.coerce.number().int().min(1).max(24 * 90).default(168),
    /** Session lifetime in days. */
    sessionTtlDays: z.coerce.number().int().min(1).max(365).default(7),
    /** Directory of the built web app served at `/`. Default: `apps/web/dist` in the repository. */
    webDir: z.string().optional(),
    /** How long shutdown waits for in-flight requests before closing, in milliseconds. */
    shutdownGraceMs: z.coerce.number().int().min(0).default(10_000),
    /**
     * How long a worker holds a job without renewing its lease (renewed every third of it while the job runs); a
     * killed worker's jobs run again elsewhere within about this long, in milliseconds.
     */
    queueLeaseMs: z.coerce.number().int().min(1_000).max(3_600_000).default(6_000),
    /** Tasks one worker process runs at the same time. */
    workerConcurrency: z.coerce.number().int().min(1).max(1_000).default(10),
    /** How long shutdown lets running jobs finish before handing them back to the queue, in milliseconds. */
    jobDrainMs: z.coerce.number().int().min(0).default(10_000),
    /**
     * Private, loopback or link-local destinations outbound HTTP may reach anyway: host names, IP addresses or
     * CIDR ranges (`127.0.0.1`, `10.0.0.0/8`, `ollama.lan`). Everything else private is refused (SSRF protection).
     */
    egressAllowedHosts: commaList(z.string().min(1)).default([]),
    /** Consecutive upstream failures after which the gateway stops sending to a target (its circuit breaker opens). */
    modelBreakerThreshold: z.coerce.number().int().min(1).max(1_000).default(5),
    /** How long an open circuit breaker refuses calls before one probe may go through, in milliseconds. */
    modelBreakerCooldownMs: z.coerce.number().int().min(100).max(3_600_000).default(30_000),
    /**
     * Model providers, aliases and route rules declared as code (YAML only; see docs/gateway.md). They apply to
     * every workspace and are read-only in the dashboard and the API. Default: none.
     */
    gateway: declaredGatewaySchema.default({ providers: [], aliases: {}, rules: [] }),
  })
  .strict();

export type SteadConfig = z.infer<typeof configSchema>;
export type SteadConfigInput = z.input<typeof configSchema>;
export type ConfigKey = keyof SteadConfig;

/** Settings read from the YAML file only: structured blocks that no single environment variable can hold. */
export const yamlOnlyConfigKeys: readonly ConfigKey[] = ['gateway'];

/** Settings whose values are masked wherever configuration is printed. */
export const secretConfigKeys: readonly ConfigKey[] = ['secretKey', 'metricsToken', 'databaseUrl', 'redisUrl'];

export const envNameOf = (key: string): string => `STEAD_${key.replace(/[A-Z]/g, (letter) => `_${letter}`).toUpperCase()}`;
