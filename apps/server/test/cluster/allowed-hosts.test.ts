import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp, createCore, type SteadCore } from '../../src/app.ts';
import { configSchema } from '../../src/config/config.schema.ts';
import type { SteadApp } from '../../src/platform/http/http.types.ts';
import { createTestDatabase, type TestDatabase } from '../support/databases.ts';
import { serviceUrl } from '../support/services.ts';
import { cookieOf, ownerCredentials, testOrigin } from '../support/test-server.ts';

/**
 * Two nodes on one PostgreSQL database and one Redis, as in a cluster: an allowed host added or removed through
 * one node's API is in force in the other node's egress client within 2 s (the event bus; the 10 s reload is
 * only the fallback), without a restart.
 */
const redisUrl = serviceUrl('redis');
const postgresUrl = serviceUrl('postgres');

describe.skipIf(!redisUrl || !postgresUrl)('allowed hosts reach every node (PostgreSQL + Redis)', () => {
  let database: TestDatabase;
  const nodes: { core: SteadCore; app: SteadApp; dataDir: string }[] = [];

  beforeAll(async () => {
    database = (await createTestDatabase('postgres'))!;
    const redisPrefix = `stead-test-${randomUUID().slice(0, 8)}`;
    // One secret key for both nodes, as a cluster has: a session cookie signed by one is accepted by the other.
    const secretKey = randomBytes(32).toString('base64');
    for (let index = 0; index < 2; index += 1) {
      const dataDir = mkdtempSync(join(tmpdir(), 'stead-node-'));
      const core = await createCore(configSchema.parse({ dataDir, logLevel: 'silent', redisUrl, redisPrefix, secretKey, loginRateLimit: 10_000 }), { database: database.handle, migrate: false });
      await core.domainEvents.listen();
      nodes.push({ core, app: await buildApp(core, { logger: false }), dataDir });
    }
  });
  afterAll(async () => {
    for (const node of nodes) {
      await node.app.close();
      await node.core.close().catch(() => undefined);
      rmSync(node.dataDir, { recursive: true, force: true });
    }
    await database?.dispose();
  });

  /** Polls `check` until it holds; returns how long that took, or fails after 2 s. */
  const within = async (check: () => Promise<boolean>): Promise<number> => {
    const started = Date.now();
    while (Date.now() - started < 2_000) {
      if (await check()) return Date.now() - started;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    throw new Error('the change did not reach the other node within 2 s');
  };

  it('applies an addition and a removal made on node A to node B', async () => {
    const [a, b] = nodes as [(typeof nodes)[number], (typeof nodes)[number]];
    const setup = await a.app.inject({ method: 'POST', url: '/api/setup', headers: { origin: testOrigin }, payload: ownerCredentials });
    expect(setup.statusCode).toBe(201);
    const cookie = cookieOf(setup);
    const allowedOnB = async () => (await b.core.egress.check('http://192.168.77.5:8080/')).allowed;
    expect(await allowedOnB()).toBe(false);

    const added = await a.app.inject({ method: 'POST', url: '/api/admin/allowed-hosts', headers: { cookie, origin: testOrigin }, payload: { rule: '192.168.77.0/24' } });
    expect(added.statusCode).toBe(201);
    expect(await within(allowedOnB)).toBeLessThan(2_000);
    // Node B serves the same list.
    const listedOnB = await b.app.inject({ method: 'GET', url: '/api/admin/allowed-hosts', headers: { cookie } });
    expect((listedOnB.json().allowedHosts as { rule: string }[]).map((host) => host.rule)).toEqual(['192.168.77.0/24']);

    const id = (added.json() as { allowedHost: { id: string } }).allowedHost.id;
    const removed = await a.app.inject({ method: 'DELETE', url: `/api/admin/allowed-hosts/${id}`, headers: { cookie, origin: testOrigin } });
    expect(removed.statusCode).toBe(204);
    expect(await within(async () => !(await allowedOnB()))).toBeLessThan(2_000);
  });
});
