import { hash, verify } from '@node-rs/argon2';
import { betterAuth } from 'better-auth';
// The plugin's own entry point: `better-auth/plugins` would load every plugin (~110 ms, 7 MiB at start).
import { twoFactor } from 'better-auth/plugins/two-factor';
import type { Kysely } from 'kysely';
import type { Ids } from '../../platform/clock/clock.ts';
import type { DatabaseDialect } from '../../platform/database/database.port.ts';

/** The header carrying the client address Fastify established (honouring `trustProxy`), for session records. */
export const clientAddressHeader = 'x-stead-client-address';
export const sessionCookieName = 'stead.session_token';

// OWASP's argon2id baseline: 19 MiB memory, 2 iterations, 1 lane.
// `algorithm: 2` is Argon2id (the package exports it as a const enum, which isolated modules cannot import).
const argon2Options = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export interface BetterAuthOptions {
  db: Kysely<never>;
  dialect: DatabaseDialect;
  /** Signs session cookies; derived from Stead's secret key. */
  secret: string;
  baseURL: string;
  trustedOrigins: string[];
  sessionTtlDays: number;
  ids: Ids;
  /** Refuses a new session for a disabled user (checked again on every request). */
  isUserDisabled(userId: string): Promise<boolean>;
  /** Receives better-auth's own warnings and errors. */
  log(level: 'debug' | 'info' | 'warn' | 'error', message: string): void;
}

/**
 * better-auth owns passwords (argon2id), sessions and TOTP two-factor with recovery codes. Stead calls it
 * through `auth.api` from its own routes rather than mounting its handler, so every auth route is validated,
 * documented, permission-checked and audited like any other.
 */
export const createBetterAuth = (options: BetterAuthOptions) =>
  betterAuth({
    appName: 'Stead',
    baseURL: options.baseURL,
    basePath: '/api/auth',
    secret: options.secret,
    database: { db: options.db, type: options.dialect },
    telemetry: { enabled: false },
    // Expected events (a wrong password) are audited by Stead; only better-auth's errors are worth a log line.
    logger: { level: 'error', log: (level, message) => options.log(level, message) },
    // Stead rate-limits its own auth routes (per client address, shared across nodes with Redis).
    rateLimit: { enabled: false },
    trustedOrigins: options.trustedOrigins,
    emailAndPassword: {
      enabled: true,
      autoSignIn: true,
      minPasswordLength: 8,
      maxPasswordLength: 256,
      password: {
        hash: (password) => hash(password, argon2Options),
        verify: ({ hash: stored, password }) => verify(stored, password),
      },
    },
    session: { expiresIn: options.sessionTtlDays * 24 * 60 * 60, updateAge: 24 * 60 * 60 },
    user: {
      additionalFields: {
        isAdmin: { type: 'boolean', required: false, input: false, defaultValue: false },
        disabledAt: { type: 'date', required: false, input: false },
      },
    },
    advanced: {
      cookiePrefix: 'stead',
      database: { generateId: () => options.ids.next() },
      ipAddress: { ipAddressHeaders: [clientAddressHeader] },
    },
    plugins: [twoFactor({ issuer: 'Stead' })],
    databaseHooks: {
      session: {
        create: {
          before: async (session) => ((await options.isUserDisabled(session.userId)) ? false : { data: session }),
        },
      },
    },
  });

export type BetterAuth = ReturnType<typeof createBetterAuth>;
