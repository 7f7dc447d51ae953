import { randomUUID } from 'node:crypto';
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
 * Two API nodes on one database and one Redis, as in a cluster: a member's demotion or removal made through
 * one node reaches the API-key check of the other through the event bus, well before the cache's 5 s expiry.
 */
const redisUrl = serviceUrl('redis');

describe.skipIf(!redisUrl)('member access changes reach every node (Redis event bus)', () => {
  let database: TestDatabase;
  const nodes: { core: SteadCore; app: SteadApp; dataDir: string }[] = [];

  beforeAll(async () => {
    database = (await createTestDatabase('sqlite'))!;
    const redisPrefix = `stead-test-${randomUUID().slice(0, 8)}`;
    for (let index = 0; index < 2; index += 1) {
      const dataDir = mkdtempSync(join(tmpdir(), 'stead-node-'));
      const core = await createCore(configSchema.parse({ dataDir, logLevel: 'silent', redisUrl, redisPrefix, loginRateLimit: 10_000 }), { database: database.handle, migrate: false });
      await core.domainEvents.listen();
      nodes.push({ core, app: await buildApp(core, { logger: false }), dataDir });
    }
  });
  afterAll(async () => {
    for (const node of nodes) {
      await node.app.close();
      await node.core.queue.close();
      await node.core.keyValue.close();
      await node.core.domainEvents.close();
      await node.core.events.close();
      rmSync(node.dataDir, { recursive: true, force: true });
    }
    await database?.dispose();
  });

  /** Calls `request` on node B until `done` holds; returns how long it took (fails after 2 s, well under the 5 s TTL). */
  const within = async (request: () => Promise<number>, done: (status: number) => boolean): Promise<number> => {
    const started = Date.now();
    while (Date.now() - started < 2_000) {
      if (done(await request())) return Date.now() - started;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    throw new Error('the change did not reach the other node within 2 s');
  };

  it("cuts a demoted member's key to their new role, and stops a removed member's key, on the other node", async () => {
    const [a, b] = nodes as [(typeof nodes)[number], (typeof nodes)[number]];
    const setup = await a.app.inject({ method: 'POST', url: '/api/setup', headers: { origin: testOrigin }, payload: ownerCredentials });
    expect(setup.statusCode).toBe(201);
    const ownerCookie = cookieOf(setup);
    const workspaceId = (setup.json() as { workspace: { id: string } }).workspace.id;
    const admin = await a.core.auth.createUser({ name: 'Ada', email: 'ada@example.com', password: 'ada-password-1', isAdmin: false });
    const invitation = await a.core.workspaces.invite(workspaceId, { role: 'admin' }, { userId: setup.json().user.id, role: 'owner' });
    await a.core.workspaces.acceptInvitation(invitation.token, admin);
    const { secret } = await a.core.keys.create(workspaceId, { name: 'ci', role: 'admin' }, { userId: admin.id, role: 'admin' });

    // Listing invitations needs an admin (members:manage); every member may list keys (their own).
    const listInvitationsOnB = async () => (await b.app.inject({ method: 'GET', url: `/api/workspaces/${workspaceId}/invitations`, headers: { authorization: `Bearer ${secret}` } })).statusCode;
    expect(await listInvitationsOnB()).toBe(200); // node B now holds the admin role in its cache

    const demote = await a.app.inject({ method: 'PATCH', url: `/api/workspaces/${workspaceId}/members/${admin.id}`, headers: { cookie: ownerCookie, origin: testOrigin }, payload: { role: 'viewer' } });
    expect(demote.statusCode).toBe(200);
    expect(await within(listInvitationsOnB, (status) => status === 403)).toBeLessThan(2_000);

    const remove = await a.app.inject({ method: 'DELETE', url: `/api/workspaces/${workspaceId}/members/${admin.id}`, headers: { cookie: ownerCookie, origin: testOrigin } });
    expect(remove.statusCode).toBe(204);
    const membersOnB = async () => (await b.app.inject({ method: 'GET', url: `/api/workspaces/${workspaceId}/members`, headers: { authorization: `Bearer ${secret}` } })).statusCode;
    expect(await within(membersOnB, (status) => status === 401)).toBeLessThan(2_000);
  });
});
