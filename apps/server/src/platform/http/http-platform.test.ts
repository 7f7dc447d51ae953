import { readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, createCore } from '../../app.ts';
import { configSchema } from '../../config/config.schema.ts';
import { createTestDatabase } from '../../../test/support/databases.ts';
import { cookieOf, createKey, setUpOwner, startTestServer, testOrigin, type TestServer } from '../../../test/support/test-server.ts';
import { accessPolicy, errorCatalogue } from '../../feature-list.ts';
import { createLoggerOptions } from '../logger/logger.ts';
import { registerAccessControl } from './access-control.ts';

describe('HTTP platform', () => {
  let server: TestServer;
  let owner: Awaited<ReturnType<typeof setUpOwner>>;

  beforeAll(async () => {
    server = (await startTestServer('sqlite', {
      config: { bodyLimit: 2048, metricsToken: 'metrics-token-0123456789', allowedOrigins: 'https://dash.example.com', loginRateLimit: 5 },
    }))!;
    owner = await setUpOwner(server);
  });
  afterAll(() => server.close());

  describe('bad input never answers 500', () => {
    it('malformed JSON → 400 malformed_json', async () => {
      const response = await server.call({ method: 'POST', url: '/api/auth/login', headers: { 'content-type': 'application/json' }, payload: '{"email": ' });
      expect(response.statusCode).toBe(400);
      expect(response.json().error.code).toBe('malformed_json');
    });

    it('a wrong type → 400 validation_failed naming the field', async () => {
      const response = await server.call({ method: 'POST', url: `/api/workspaces`, cookie: owner.cookie, payload: { name: 42 } });
      expect(response.statusCode).toBe(400);
      expect(response.json().error).toMatchObject({ code: 'validation_failed', message: expect.stringContaining('name') });
      expect(response.json().error.details.issues[0].path).toBe('body.name');
    });

    it('an unknown field → 400 validation_failed', async () => {
      const response = await server.call({ method: 'POST', url: `/api/workspaces`, cookie: owner.cookie, payload: { name: 'x', isAdmin: true } });
      expect(response.statusCode).toBe(400);
      expect(response.json().error.code).toBe('validation_failed');
    });

    it('a bad query parameter → 400', async () => {
      const response = await server.call({ method: 'GET', url: `/api/workspaces/${owner.workspace.id}/audit?limit=-3`, cookie: owner.cookie });
      expect(response.statusCode).toBe(400);
      expect(response.json().error.code).toBe('validation_failed');
    });

    it('an oversized body → 413 payload_too_large', async () => {
      const response = await server.call({ method: 'POST', url: '/api/auth/login', payload: { email: 'a@example.com', password: 'x'.repeat(5000) } });
      expect(response.statusCode).toBe(413);
      expect(response.json().error.code).toBe('payload_too_large');
    });

    it('an unsupported content type → 415', async () => {
      const response = await server.call({ method: 'POST', url: '/api/auth/login', headers: { 'content-type': 'application/xml' }, payload: '<a/>' });
      expect(response.statusCode).toBe(415);
      expect(response.json().error.code).toBe('unsupported_media_type');
    });

    it('an unknown API route → 404 not_found with a request id', async () => {
      const response = await server.call({ method: 'GET', url: '/api/nope' });
      expect(response.statusCode).toBe(404);
      expect(response.json().error).toMatchObject({ code: 'not_found', requestId: response.headers['x-request-id'] });
    });
  });

  it('documents every error code in docs/errors.md', () => {
    const documentation = readFileSync(new URL('../../../../../docs/errors.md', import.meta.url), 'utf8');
    const missing = Object.keys(errorCatalogue).filter((code) => !documentation.includes(`\`${code}\``));
    expect(missing).toEqual([]);
  });

  it('echoes a valid client request id and generates one otherwise', async () => {
    const given = await server.call({ method: 'GET', url: '/api/health', headers: { 'x-request-id': 'trace-123' } });
    expect(given.headers['x-request-id']).toBe('trace-123');
    const generated = await server.call({ method: 'GET', url: '/api/health', headers: { 'x-request-id': 'bad id with spaces' } });
    expect(generated.headers['x-request-id']).toMatch(/^[0-9a-z]{26}$/);
  });

  it('sends security headers and a strict Content-Security-Policy', async () => {
    const response = await server.call({ method: 'GET', url: '/api/health' });
    const csp = String(response.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(response.headers['x-content-type-options']).toBe('nosniff');
  });

  it('reports health with component states', async () => {
    const response = await server.call({ method: 'GET', url: '/api/health' });
    expect(response.json()).toMatchObject({ status: 'ok', version: expect.any(String), uptime: expect.any(Number), components: { database: { state: 'up' }, events: { state: 'up' } } });
  });

  describe('CSRF and CORS', () => {
    it('refuses a cookie-authenticated change from a foreign origin', async () => {
      const response = await server.call({ method: 'POST', url: '/api/workspaces', cookie: owner.cookie, headers: { origin: 'https://evil.example' }, payload: { name: 'Evil' } });
      expect(response.statusCode).toBe(403);
      expect(response.json().error.code).toBe('csrf_rejected');
    });

    it('refuses a cookie-authenticated change without any origin', async () => {
      const response = await server.app.inject({ method: 'POST', url: '/api/workspaces', headers: { cookie: owner.cookie }, payload: { name: 'No origin' } });
      expect(response.statusCode).toBe(403);
      expect(response.json().error.code).toBe('csrf_rejected');
    });

    it('accepts an allowed dashboard origin and answers CORS for it', async () => {
      const response = await server.call({ method: 'POST', url: '/api/workspaces', cookie: owner.cookie, headers: { origin: 'https://dash.example.com' }, payload: { name: 'Remote dashboard' } });
      expect(response.statusCode).toBe(201);
      expect(response.headers['access-control-allow-origin']).toBe('https://dash.example.com');
      expect(response.headers['access-control-allow-credentials']).toBe('true');
    });

    it('does not need an origin for API keys (no ambient credentials)', async () => {
      const { secret } = await createKey(server, owner.cookie, owner.workspace.id);
      const response = await server.app.inject({ method: 'POST', url: `/api/workspaces/${owner.workspace.id}/invitations`, headers: { authorization: `Bearer ${secret}` }, payload: { role: 'member' } });
      expect(response.statusCode).toBe(201);
    });
  });

  it('rate-limits sign-in attempts per client address', async () => {
    // A client address of its own, so earlier tests' sign-ins do not count.
    const attempt = () => server.call({ method: 'POST', url: '/api/auth/login', remoteAddress: '192.0.2.7', payload: { email: 'nobody@example.com', password: 'wrong-password' } });
    const attempts = [];
    for (let index = 0; index < 5; index += 1) attempts.push((await attempt()).statusCode);
    expect(attempts).toEqual([401, 401, 401, 401, 401]);
    const limited = await attempt();
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.code).toBe('rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  });

  it('protects /metrics with its token and exposes HTTP histograms', async () => {
    expect((await server.call({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    expect((await server.call({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer wrong-token-0123456789' } })).statusCode).toBe(401);
    const response = await server.call({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer metrics-token-0123456789' } });
    expect(response.statusCode).toBe(200);
    expect(response.body).toContain('stead_http_request_duration_seconds_bucket');
    expect(response.body).toContain('route="/api/health"');
    expect(response.body).toContain('stead_process_resident_memory_bytes');
  });

  it('publishes an OpenAPI 3.1 document with every route, and a rendered reference', async () => {
    const document = (await server.call({ method: 'GET', url: '/api/openapi.json' })).json() as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(document.openapi).toBe('3.1.0');
    const documented = new Set(Object.entries(document.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`)));
    const toOpenApi = (url: string) => url.replace(/:([A-Za-z]+)/g, '{$1}');
    const undocumented = server.app.routeInventory
      .filter((route) => route.url.startsWith('/api/') && !route.url.startsWith('/api/docs') && route.url !== '/api/openapi.json')
      .filter((route) => !documented.has(`${route.method} ${toOpenApi(route.url)}`));
    expect(undocumented).toEqual([]);
    const reference = await server.call({ method: 'GET', url: '/api/docs/' });
    expect(reference.statusCode).toBe(200);
    expect(reference.headers['content-type']).toContain('text/html');
  });
});

describe('route declarations', () => {
  const build = () => {
    const app = Fastify();
    registerAccessControl(app, {
      resolver: { sessionFromHeaders: async () => null, keyFromToken: async () => null, memberRole: async () => null },
      policy: accessPolicy,
      trustedOrigins: [],
      sessionCookieName: 'stead.session_token',
      isPublicPluginRoute: () => false,
    });
    return app;
  };

  it('refuses a route without a declared permission', () => {
    expect(() => build().get('/api/forgotten', async () => 'oops')).toThrow(/declares no permission/);
  });

  it('refuses a state-changing route without an audit action', () => {
    expect(() => build().post('/api/unaudited', { config: { permission: 'user' } }, async () => 'oops')).toThrow(/declares no audit action/);
  });

  it('refuses a workspace permission on a route without a workspace', () => {
    expect(() => build().get('/api/orphan', { config: { permission: 'members:read' } }, async () => 'oops')).toThrow(/no :workspaceId/);
  });
});

describe('logs', () => {
  it('never contain passwords, cookies, API keys or tokens', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const database = (await createTestDatabase('sqlite'))!;
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const config = configSchema.parse({ dataDir: mkdtempSync(join(tmpdir(), 'stead-log-')), logLevel: 'trace' });
    const core = await createCore(config, { database: database.handle, migrate: false });
    const app = await buildApp(core, { logger: { ...createLoggerOptions('trace'), stream } });
    const password = 'secret-password-for-logs';
    const setup = await app.inject({ method: 'POST', url: '/api/setup', headers: { origin: testOrigin }, payload: { name: 'L', email: 'log@example.com', password, workspaceName: 'Logs' } });
    const cookie = cookieOf(setup);
    const workspaceId = setup.json().workspace.id as string;
    const key = await app.inject({ method: 'POST', url: `/api/workspaces/${workspaceId}/keys`, headers: { origin: testOrigin, cookie }, payload: { name: 'k', role: 'owner' } });
    const secret = key.json().secret as string;
    await app.inject({ method: 'GET', url: `/api/workspaces/${workspaceId}/members`, headers: { authorization: `Bearer ${secret}` } });
    await app.inject({ method: 'POST', url: '/api/auth/login', headers: { origin: testOrigin }, payload: { email: 'log@example.com', password: 'wrong-password' } });
    const invitation = await app.inject({ method: 'POST', url: `/api/workspaces/${workspaceId}/invitations`, headers: { origin: testOrigin, cookie }, payload: { role: 'member' } });
    const token = (invitation.json().url as string).split('/invite/')[1]!;
    await app.inject({ method: 'GET', url: `/api/invitations/${token}?t=${token}` });
    await app.close();
    await core.close();
    const output = lines.join('');
    expect(output.length).toBeGreaterThan(0);
    const sessionValue = cookie.split('=')[1]!.split(';')[0]!;
    for (const forbidden of [password, secret, sessionValue, decodeURIComponent(sessionValue), `?t=${token}`]) {
      expect(output).not.toContain(forbidden);
    }
  });
});
