import { createHmac, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startHttpTarget, waitFor } from '../../../test/support/http-target.ts';
import { addMember, createKey, describeEachServer, setUpOwner, type TestServer } from '../../../test/support/test-server.ts';
import type { SteadEvent } from '../../platform/events/events.port.ts';
import type { Task, TaskDetail } from '../tasks/tasks.schema.ts';

/** Every table a secret value could leak into, as text. */
const databaseText = async (server: TestServer): Promise<string> => {
  const db = server.core.database.db;
  const tables = await Promise.all([
    db.selectFrom('workspaceSecret').selectAll().execute(),
    db.selectFrom('secret').selectAll().execute(),
    db.selectFrom('run').selectAll().execute(),
    db.selectFrom('runLog').selectAll().execute(),
    db.selectFrom('runAttempt').selectAll().execute(),
    db.selectFrom('schedule').selectAll().execute(),
    db.selectFrom('auditEvent').selectAll().execute(),
    db.selectFrom('job').selectAll().execute(),
  ]);
  return JSON.stringify(tables);
};

/** Verifies a Standard Webhooks signature as receivers' libraries do (`whsec_` + base64 key). */
const verifiesStandardWebhook = (secret: string, headers: Record<string, unknown>, body: string): boolean => {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${String(headers['webhook-id'])}.${String(headers['webhook-timestamp'])}.${body}`).digest('base64');
  return String(headers['webhook-signature']).split(' ').includes(`v1,${expected}`);
};

describeEachServer('workspace secrets', (use) => {
  let target: Awaited<ReturnType<typeof startHttpTarget>>;
  beforeAll(async () => {
    target = await startHttpTarget((_request, response) => response.writeHead(204).end());
  });
  afterAll(async () => {
    await target.close();
  });
  let owner: Awaited<ReturnType<typeof setUpOwner>>;
  let admin: { cookie: string; userId: string };
  let member: { cookie: string; userId: string };
  let viewer: { cookie: string; userId: string };
  const secretsUrl = () => `/api/workspaces/${owner.workspace.id}/secrets`;
  const tasksUrl = () => `/api/workspaces/${owner.workspace.id}/tasks`;
  const signingSecret = `whsec_${randomBytes(24).toString('base64')}`;
  const adminOnlyValue = `admin-only-canary-${randomBytes(8).toString('hex')}`;
  const settle = (id: string, cookie = owner.cookie) =>
    waitFor(async () => (await use().call({ method: 'GET', url: `${tasksUrl()}/${id}`, cookie })).json() as TaskDetail, (value) => ['succeeded', 'failed', 'cancelled'].includes(value.task.state));
  const taskCount = async () => ((await use().call({ method: 'GET', url: tasksUrl(), cookie: owner.cookie })).json().tasks as Task[]).length;

  it('lets admins create, change and delete secrets and members list their names, never a value', async () => {
    const server = use();
    owner = await setUpOwner(server);
    admin = await addMember(server, owner.cookie, owner.workspace.id, { name: 'Ada Admin', email: 'ada@example.com', password: 'admin-password-1' }, 'admin');
    member = await addMember(server, owner.cookie, owner.workspace.id, { name: 'Max Member', email: 'max@example.com', password: 'member-password-1' }, 'member');
    viewer = await addMember(server, owner.cookie, owner.workspace.id, { name: 'Val Viewer', email: 'val@example.com', password: 'viewer-password-1' }, 'viewer');
    const responses: string[] = [];
    const call = async (options: Parameters<TestServer['call']>[0]) => {
      const response = await server.call(options);
      responses.push(response.body);
      return response;
    };

    const created = await call({ method: 'POST', url: secretsUrl(), cookie: admin.cookie, payload: { name: 'hook-signing', value: signingSecret, description: 'Signs our webhooks', usableBy: 'member' } });
    expect(created.statusCode).toBe(201);
    expect(created.json().secret).toEqual({ name: 'hook-signing', description: 'Signs our webhooks', usableBy: 'member', createdBy: admin.userId, createdAt: expect.any(String), updatedAt: expect.any(String), lastUsedAt: null });
    expect((await call({ method: 'POST', url: secretsUrl(), cookie: admin.cookie, payload: { name: 'crm-token', value: adminOnlyValue } })).json().secret.usableBy).toBe('admin');
    expect((await call({ method: 'POST', url: secretsUrl(), cookie: admin.cookie, payload: { name: 'crm-token', value: 'again' } })).json().error.code).toBe('secret_exists');
    // A name can never spell an internal secret.
    for (const name of ['model-provider:abc', 'workspace-secret:x', '../x', '', 'a'.repeat(65)]) {
      expect((await call({ method: 'POST', url: secretsUrl(), cookie: admin.cookie, payload: { name, value: 'v' } })).statusCode, name).toBe(400);
    }

    const listed = await call({ method: 'GET', url: secretsUrl(), cookie: member.cookie });
    expect(listed.statusCode).toBe(200);
    expect(listed.json().secrets.map((secret: { name: string }) => secret.name)).toEqual(['crm-token', 'hook-signing']);
    expect((await call({ method: 'GET', url: secretsUrl(), cookie: viewer.cookie })).statusCode).toBe(403);
    expect((await call({ method: 'POST', url: secretsUrl(), cookie: member.cookie, payload: { name: 'mine', value: 'x' } })).statusCode).toBe(403);
    expect((await call({ method: 'PATCH', url: `${secretsUrl()}/crm-token`, cookie: member.cookie, payload: { usableBy: 'member' } })).statusCode).toBe(403);
    expect((await call({ method: 'DELETE', url: `${secretsUrl()}/crm-token`, cookie: member.cookie })).statusCode).toBe(403);

    const replaced = await call({ method: 'PATCH', url: `${secretsUrl()}/crm-token`, cookie: admin.cookie, payload: { value: `${adminOnlyValue}-2`, description: 'CRM API token' } });
    expect(replaced.statusCode).toBe(200);
    expect(replaced.json().secret).toMatchObject({ name: 'crm-token', description: 'CRM API token', usableBy: 'admin' });
    expect((await call({ method: 'PATCH', url: `${secretsUrl()}/nope`, cookie: admin.cookie, payload: { description: 'x' } })).json().error.code).toBe('secret_not_found');
    expect((await call({ method: 'POST', url: secretsUrl(), cookie: admin.cookie, payload: { name: 'short-lived', value: 'gone-soon' } })).statusCode).toBe(201);
    expect((await call({ method: 'DELETE', url: `${secretsUrl()}/short-lived`, cookie: admin.cookie })).statusCode).toBe(204);
    expect(await server.core.secrets.reveal(owner.workspace.id, 'workspace-secret:short-lived')).toBeUndefined();

    const audit = await call({ method: 'GET', url: `/api/workspaces/${owner.workspace.id}/audit?limit=200`, cookie: owner.cookie });
    const actions = (audit.json().events as { action: string; outcome: string }[]).filter((event) => event.outcome === 'success').map((event) => event.action);
    expect(actions).toEqual(expect.arrayContaining(['secret.create', 'secret.update', 'secret.delete']));
    // The values: in no answer (audit log included) and not in plaintext in the database.
    for (const value of [signingSecret, adminOnlyValue, 'gone-soon']) {
      expect(responses.join('\n')).not.toContain(value);
      expect(await databaseText(server)).not.toContain(value);
    }
    expect(await server.core.secrets.reveal(owner.workspace.id, 'workspace-secret:crm-token')).toBe(`${adminOnlyValue}-2`);
  });

  it('signs webhook.deliver with a workspace secret, which the receiver verifies', async () => {
    const created = await use().call({ method: 'POST', url: tasksUrl(), cookie: member.cookie, payload: { kind: 'webhook.deliver', input: { url: `${target.url}/signed`, event: 'order-paid', payload: { order: 7 }, secretName: 'hook-signing' } } });
    expect(created.statusCode).toBe(201);
    const done = await settle(created.json().task.id as string);
    expect(done.task.state).toBe('succeeded');
    const request = target.received.find((entry) => entry.path === '/signed')!;
    expect(verifiesStandardWebhook(signingSecret, request.headers, request.body)).toBe(true);
    expect(verifiesStandardWebhook(`whsec_${randomBytes(24).toString('base64')}`, request.headers, request.body)).toBe(false);
    const listed = (await use().call({ method: 'GET', url: secretsUrl(), cookie: member.cookie })).json().secrets as { name: string; lastUsedAt: string | null }[];
    expect(listed.find((secret) => secret.name === 'hook-signing')!.lastUsedAt).toEqual(expect.any(String));
  });

  it("refuses, at creation, a task naming an internal secret or one its creator's role may not use, and creates nothing", async () => {
    const server = use();
    // A provider's API key lives in the same encrypted table: tasks must not reach it by any spelling.
    await server.core.secrets.store(owner.workspace.id, 'model-provider:p1', 'sk-provider-canary');
    const before = await taskCount();
    for (const secretName of ['model-provider:p1', 'workspace-secret:crm-token', 'no-such-secret']) {
      const refused = await server.call({ method: 'POST', url: tasksUrl(), cookie: owner.cookie, payload: { kind: 'webhook.deliver', input: { url: `${target.url}/x`, event: 'e', payload: {}, secretName } } });
      expect(refused.statusCode, secretName).toBe(400);
      expect(refused.json().error.code, secretName).toBe('secret_unknown');
    }
    const memberUse = await server.call({ method: 'POST', url: tasksUrl(), cookie: member.cookie, payload: { kind: 'webhook.deliver', input: { url: `${target.url}/x`, event: 'e', payload: {}, secretName: 'crm-token' } } });
    expect(memberUse.statusCode).toBe(400);
    expect(memberUse.json().error.code).toBe('secret_not_usable');
    // An owner's API key with the member role acts as a member.
    const memberKey = await createKey(server, owner.cookie, owner.workspace.id, 'member');
    const keyUse = await server.call({ method: 'POST', url: tasksUrl(), key: memberKey.secret, payload: { kind: 'http.request', input: { url: `${target.url}/x`, headers: { authorization: { secret: 'crm-token', prefix: 'Bearer ' } } } } });
    expect(keyUse.json().error.code).toBe('secret_not_usable');
    // Schedules are checked as their creator too: an admin cannot schedule an owner-only secret.
    await server.call({ method: 'PATCH', url: `${secretsUrl()}/crm-token`, cookie: owner.cookie, payload: { usableBy: 'owner' } });
    const scheduled = await server.call({ method: 'POST', url: `/api/workspaces/${owner.workspace.id}/schedules`, cookie: admin.cookie, payload: { name: 's', kind: 'webhook.deliver', input: { url: `${target.url}/x`, event: 'e', payload: {}, secretName: 'crm-token' }, trigger: { type: 'interval', seconds: 3600 } } });
    expect(scheduled.json().error.code).toBe('secret_not_usable');
    expect((await server.call({ method: 'GET', url: `/api/workspaces/${owner.workspace.id}/schedules`, cookie: owner.cookie })).json().schedules).toEqual([]);
    expect(await taskCount()).toBe(before);
    expect(target.received.filter((entry) => entry.path === '/x')).toEqual([]);
  });

  it('checks again when the task runs: a secret raised above its creator fails it with secret_not_usable', async () => {
    const server = use();
    await server.call({ method: 'PATCH', url: `${secretsUrl()}/crm-token`, cookie: owner.cookie, payload: { usableBy: 'admin' } });
    const created = await server.call({ method: 'POST', url: tasksUrl(), cookie: admin.cookie, payload: { kind: 'http.request', delayMs: 1_500, input: { url: `${target.url}/later`, headers: { authorization: { secret: 'crm-token', prefix: 'Bearer ' } } } } });
    expect(created.statusCode).toBe(201);
    await server.call({ method: 'PATCH', url: `${secretsUrl()}/crm-token`, cookie: owner.cookie, payload: { usableBy: 'owner' } });
    const done = await settle(created.json().task.id as string);
    expect(done.task.state).toBe('failed');
    expect(done.task.error).toContain('secret_not_usable');
    expect(target.received.filter((entry) => entry.path === '/later')).toEqual([]);
  });

  it("runs a schedule's tasks with its creator's current role: demoted, their schedule loses the secret", async () => {
    const server = use();
    await server.call({ method: 'PATCH', url: `${secretsUrl()}/crm-token`, cookie: owner.cookie, payload: { usableBy: 'admin' } });
    const schedulesUrl = `/api/workspaces/${owner.workspace.id}/schedules`;
    const created = await server.call({ method: 'POST', url: schedulesUrl, cookie: admin.cookie, payload: { name: 'signed', kind: 'webhook.deliver', input: { url: `${target.url}/scheduled`, event: 'tick', payload: {}, secretName: 'crm-token' }, trigger: { type: 'interval', seconds: 1 } } });
    expect(created.statusCode).toBe(201);
    const id = created.json().schedule.id as string;
    type Fire = { outcome: string; error: string | null };
    const fires = () => server.call({ method: 'GET', url: `${schedulesUrl}/${id}/fires`, cookie: owner.cookie }).then((response) => response.json().fires as Fire[]);
    await waitFor(fires, (list) => list.some((fire) => fire.outcome === 'started'), 10_000);
    expect((await server.call({ method: 'PATCH', url: `/api/workspaces/${owner.workspace.id}/members/${admin.userId}`, cookie: owner.cookie, payload: { role: 'member' } })).statusCode).toBe(200);
    const after = await waitFor(fires, (list) => list.some((fire) => fire.outcome === 'failed'), 10_000);
    expect(after.find((fire) => fire.outcome === 'failed')!.error).toContain('secret_not_usable');
    await server.call({ method: 'POST', url: `${schedulesUrl}/${id}/disable`, cookie: owner.cookie });
    await server.call({ method: 'PATCH', url: `/api/workspaces/${owner.workspace.id}/members/${admin.userId}`, cookie: owner.cookie, payload: { role: 'admin' } });
  });

  it('sends a workspace secret as a header, and a viewer never sees its value', async () => {
    const server = use();
    const seen: SteadEvent[] = [];
    const unsubscribe = await server.core.events.subscribe({ workspaceId: owner.workspace.id }, (event) => seen.push(event));
    await server.call({ method: 'PATCH', url: `${secretsUrl()}/crm-token`, cookie: owner.cookie, payload: { usableBy: 'member' } });
    const created = await server.call({ method: 'POST', url: tasksUrl(), cookie: member.cookie, payload: { kind: 'http.request', input: { url: `${target.url}/with-token`, headers: { Authorization: { secret: 'crm-token', prefix: 'Bearer ' } } } } });
    expect(created.statusCode).toBe(201);
    const id = created.json().task.id as string;
    expect((await settle(id, viewer.cookie)).task.state).toBe('succeeded');
    unsubscribe();
    expect(target.received.find((entry) => entry.path === '/with-token')!.headers.authorization).toBe(`Bearer ${adminOnlyValue}-2`);
    const reads = await Promise.all([`${tasksUrl()}/${id}`, tasksUrl(), `${tasksUrl()}/${id}/logs`].map((url) => server.call({ method: 'GET', url, cookie: viewer.cookie })));
    for (const read of reads) expect(read.statusCode).toBe(200);
    expect(reads.map((read) => read.body).join('\n') + JSON.stringify(seen)).not.toContain(adminOnlyValue);
  });
}, { config: { egressAllowedHosts: ['127.0.0.1'] } });
