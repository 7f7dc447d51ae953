import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe } from 'vitest';
import { buildApp, createCore, type SteadCore } from '../../src/app.ts';
import { configSchema, type SteadConfigInput } from '../../src/config/config.schema.ts';
import type { Clock } from '../../src/platform/clock/clock.ts';
import type { DatabaseDialect } from '../../src/platform/database/database.port.ts';
import type { SteadApp } from '../../src/platform/http/http.types.ts';
import { createTestDatabase } from './databases.ts';
import { serviceUrl } from './services.ts';

/** The origin `app.inject()` requests have (Fastify's default Host is `localhost:80`). */
export const testOrigin = 'http://localhost:80';

export interface TestServer {
  app: SteadApp;
  core: SteadCore;
  dataDir: string;
  /**
   * `app.inject` that adds the session cookie and, on state-changing requests, the same-origin `Origin` header.
   * `host` sends that Host header (and an Origin of the same host), as a browser reaching the server by that name would.
   */
  call(options: InjectOptions & { cookie?: string; key?: string; host?: string }): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  config?: Partial<SteadConfigInput>;
  clock?: Clock;
  /** Carry out jobs in the server, as `stead start` does. Default true. */
  backgroundWork?: boolean;
}

/**
 * A real Stead server in-process (real database of the dialect, real better-auth, every route), reached
 * through `app.inject()`. `undefined` when the dialect's service is not configured (the caller skips).
 */
export const startTestServer = async (dialect: DatabaseDialect, options: TestServerOptions = {}): Promise<TestServer | undefined> => {
  const database = await createTestDatabase(dialect);
  if (!database) return undefined;
  const dataDir = mkdtempSync(join(tmpdir(), 'stead-test-'));
  // Test servers share one Redis: each gets its own key prefix so no worker takes another server's jobs.
  const config = configSchema.parse({ dataDir, logLevel: 'silent', redisPrefix: `stead-test-${randomUUID().slice(0, 8)}`, ...options.config });
  const core = await createCore(config, { database: database.handle, migrate: false, ...(options.clock ? { clock: options.clock } : {}) });
  const app = await buildApp(core, { logger: false });
  const background = options.backgroundWork === false ? undefined : await core.startBackgroundWork();
  return {
    app,
    core,
    dataDir,
    call: ({ cookie, key, host, headers, ...rest }) => {
      const method = (rest.method ?? 'GET').toUpperCase();
      const merged: Record<string, string> = { ...(headers as Record<string, string> | undefined) };
      if (cookie) merged.cookie = cookie;
      if (key) merged.authorization = `Bearer ${key}`;
      if (host) merged.host = host;
      if (!['GET', 'HEAD', 'OPTIONS'].includes(method) && merged.origin === undefined) merged.origin = host ? `http://${host}` : testOrigin;
      return app.inject({ ...rest, method: method as InjectOptions['method'], headers: merged } as InjectOptions);
    },
    async close() {
      await app.close();
      await background?.stop(1_000);
      await core.queue.close();
      await core.egress.close();
      await core.models.close();
      await core.keyValue.close();
      await core.events.close();
      await database.dispose();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
};

/** The `name=value` pairs of a response's `Set-Cookie` headers, as a `Cookie` header. */
export const cookieOf = (response: LightMyRequestResponse, previous = ''): string => {
  const jar = new Map(previous.split('; ').filter(Boolean).map((pair) => pair.split('=', 2) as [string, string]));
  const raw = response.headers['set-cookie'];
  for (const line of [raw ?? []].flat()) {
    const [pair] = line.split(';');
    const index = pair!.indexOf('=');
    const name = pair!.slice(0, index);
    const value = pair!.slice(index + 1);
    if (value === '' || /max-age=0/i.test(line)) jar.delete(name);
    else jar.set(name, value);
  }
  return [...jar].map(([name, value]) => `${name}=${value}`).join('; ');
};

export const ownerCredentials = { name: 'Olivia Owner', email: 'owner@example.com', password: 'owner-password-1', workspaceName: 'Acme' };

/** Runs first-time setup; returns the owner's cookie, user and first workspace. */
export const setUpOwner = async (server: TestServer) => {
  const response = await server.call({ method: 'POST', url: '/api/setup', payload: ownerCredentials });
  if (response.statusCode !== 201) throw new Error(`setup failed: ${response.statusCode} ${response.body}`);
  const body = response.json() as { user: { id: string; email: string }; workspace: { id: string; slug: string } };
  return { cookie: cookieOf(response), user: body.user, workspace: body.workspace };
};

/** Invites `email` into a workspace with `role`, signs the person up through the link and returns their cookie. */
export const addMember = async (server: TestServer, ownerCookie: string, workspaceId: string, person: { name: string; email: string; password: string }, role = 'member') => {
  const invite = await server.call({ method: 'POST', url: `/api/workspaces/${workspaceId}/invitations`, cookie: ownerCookie, payload: { email: person.email, role } });
  if (invite.statusCode !== 201) throw new Error(`invite failed: ${invite.body}`);
  const token = (invite.json() as { url: string }).url.split('/invite/')[1]!;
  const signUp = await server.call({ method: 'POST', url: '/api/auth/sign-up', payload: { ...person, invitationToken: token } });
  if (signUp.statusCode !== 201) throw new Error(`sign-up failed: ${signUp.body}`);
  const cookie = cookieOf(signUp);
  const accept = await server.call({ method: 'POST', url: `/api/invitations/${token}/accept`, cookie });
  if (accept.statusCode !== 200) throw new Error(`accept failed: ${accept.body}`);
  return { cookie, userId: (signUp.json() as { user: { id: string } }).user.id };
};

/** Creates an API key in a workspace through the API and returns its secret. */
export const createKey = async (server: TestServer, cookie: string, workspaceId: string, role = 'owner') => {
  const response = await server.call({ method: 'POST', url: `/api/workspaces/${workspaceId}/keys`, cookie, payload: { name: `test-${role}`, role } });
  if (response.statusCode !== 201) throw new Error(`key failed: ${response.body}`);
  return response.json() as { key: { id: string; prefix: string }; secret: string };
};

/**
 * Runs a suite against a fresh server per dialect (SQLite always; PostgreSQL when configured, with Redis as
 * event bus when configured), so every feature test proves both deployment modes.
 */
export const describeEachServer = (name: string, suite: (use: () => TestServer, dialect: DatabaseDialect) => void, options: TestServerOptions = {}): void => {
  for (const dialect of ['sqlite', 'postgres'] as const) {
    const enabled = dialect === 'sqlite' || serviceUrl('postgres') !== undefined;
    describe.skipIf(!enabled)(`${name} [${dialect}]`, () => {
      let server: TestServer | undefined;
      beforeAll(async () => {
        const redisUrl = dialect === 'postgres' ? serviceUrl('redis') : undefined;
        server = await startTestServer(dialect, { ...options, config: { loginRateLimit: 10_000, ...(redisUrl ? { redisUrl } : {}), ...options.config } });
      });
      afterAll(async () => {
        await server?.close();
      });
      suite(() => server!, dialect);
    });
  }
};
