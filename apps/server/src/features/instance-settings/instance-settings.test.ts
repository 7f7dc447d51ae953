import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpTarget, waitFor } from '../../../test/support/http-target.ts';
import { addMember, describeEachServer, setUpOwner } from '../../../test/support/test-server.ts';
import type { AllowedHost, InstanceSettings } from './instance-settings.schema.ts';

interface TaskDetail {
  task: { id: string; state: string; error: string | null; output: { status?: number; body?: string } | null };
}

/**
 * Instance administrators allow private destinations of outbound HTTP in the dashboard: stored, audited, applied
 * without a restart (and removed the same way); nobody else may. `STEAD_EGRESS_ALLOWED_HOSTS` stays in force
 * and is listed as such. The server runs with `10.9.8.7` in that variable, which nothing here calls.
 */
describeEachServer('instance settings: allowed hosts', (use) => {
  let target: Awaited<ReturnType<typeof startHttpTarget>>;
  let owner: Awaited<ReturnType<typeof setUpOwner>>;
  beforeAll(async () => {
    target = await startHttpTarget((_request, response) => response.writeHead(200, { 'content-type': 'text/plain' }).end('hello from the LAN'));
  });
  afterAll(async () => {
    await target.close();
  });

  const tasksUrl = () => `/api/workspaces/${owner.workspace.id}/tasks`;
  const runTask = async (url: string): Promise<TaskDetail> => {
    const created = await use().call({ method: 'POST', url: tasksUrl(), cookie: owner.cookie, payload: { kind: 'http.request', input: { url }, maxAttempts: 1 } });
    expect(created.statusCode).toBe(201);
    const id = (created.json() as { task: { id: string } }).task.id;
    const read = async () => (await use().call({ method: 'GET', url: `${tasksUrl()}/${id}`, cookie: owner.cookie })).json() as TaskDetail;
    return waitFor(read, (detail) => ['succeeded', 'failed', 'cancelled'].includes(detail.task.state));
  };
  const list = async (cookie = owner.cookie) => (await use().call({ method: 'GET', url: '/api/admin/allowed-hosts', cookie })).json().allowedHosts as AllowedHost[];
  const add = (rule: string, cookie = owner.cookie) => use().call({ method: 'POST', url: '/api/admin/allowed-hosts', cookie, payload: { rule } });

  it('refuses a task to a loopback address, naming Instance settings → Allowed hosts', async () => {
    owner = await setUpOwner(use());
    const blocked = await runTask(`${target.url}/blocked`);
    expect(blocked.task.state).toBe('failed');
    expect(blocked.task.error).toContain('loopback address');
    expect(blocked.task.error).toContain('Instance settings → Allowed hosts');
    expect(target.received).toEqual([]);
  });

  it('lets an instance administrator allow the address: the next task reaches it without a restart', async () => {
    const added = await add('127.0.0.1');
    expect(added.statusCode).toBe(201);
    expect(added.json().allowedHost).toMatchObject({ rule: '127.0.0.1', source: 'dashboard', createdBy: owner.user.id });
    const done = await runTask(`${target.url}/allowed`);
    expect(done.task.state).toBe('succeeded');
    expect(done.task.output).toMatchObject({ status: 200, body: 'hello from the LAN' });
    expect(target.received.map((request) => request.path)).toEqual(['/allowed']);
  });

  it('lists the environment rule as such, first, and the added one as from the dashboard', async () => {
    const hosts = await list();
    expect(hosts.map(({ rule, source, id }) => ({ rule, source, removable: id !== null }))).toEqual([
      { rule: '10.9.8.7', source: 'override', removable: false },
      { rule: '127.0.0.1', source: 'dashboard', removable: true },
    ]);
    const settings = (await use().call({ method: 'GET', url: '/api/admin/instance-settings', cookie: owner.cookie })).json() as InstanceSettings;
    expect(settings.settings.find((setting) => setting.key === 'egressAllowedHosts')).toMatchObject({ envName: 'STEAD_EGRESS_ALLOWED_HOSTS', editableInDashboard: true });
    expect(settings.settings.find((setting) => setting.key === 'port')).toMatchObject({ source: 'default', editableInDashboard: false });
    expect(settings.allowedHosts).toHaveLength(2);
  });

  it('refuses rules the egress client cannot read, duplicates, and removing a configured rule, with stable codes', async () => {
    for (const rule of ['http://nas.lan', 'nas.lan:8080', '10.0.0.0/40', 'not a host', '1.2.3']) {
      const response = await add(rule);
      expect(response.statusCode, rule).toBe(400);
      expect(response.json().error.code, rule).toBe('allowed_host_invalid');
    }
    expect((await add('127.0.0.1')).json().error.code).toBe('allowed_host_exists');
    expect((await add(' 10.9.8.7 ')).json().error.code).toBe('allowed_host_exists');
    const gone = await use().call({ method: 'DELETE', url: '/api/admin/allowed-hosts/no-such-id', cookie: owner.cookie });
    expect(gone.statusCode).toBe(404);
    expect(gone.json().error.code).toBe('allowed_host_not_found');
    await expect(use().core.instanceSettings.removeAllowedHost({ rule: '10.9.8.7' })).rejects.toMatchObject({ code: 'allowed_host_configured' });
    // IPv6 and ranges are rules too; nothing was stored by the refusals above.
    expect((await add('fd00::/8')).statusCode).toBe(201);
    expect((await list()).map((host) => host.rule)).toEqual(['10.9.8.7', '127.0.0.1', 'fd00::/8']);
  });

  it('refuses a workspace admin who is not an instance administrator (403), and anonymous callers (401)', async () => {
    const admin = await addMember(use(), owner.cookie, owner.workspace.id, { name: 'Wanda Admin', email: 'wanda@example.com', password: 'wanda-password-1' }, 'admin');
    expect((await add('192.168.1.20', admin.cookie)).statusCode).toBe(403);
    expect((await use().call({ method: 'GET', url: '/api/admin/allowed-hosts', cookie: admin.cookie })).statusCode).toBe(403);
    expect((await use().call({ method: 'GET', url: '/api/admin/instance-settings', cookie: admin.cookie })).statusCode).toBe(403);
    const id = (await list()).find((host) => host.rule === '127.0.0.1')!.id!;
    expect((await use().call({ method: 'DELETE', url: `/api/admin/allowed-hosts/${id}`, cookie: admin.cookie })).statusCode).toBe(403);
    expect((await use().call({ method: 'POST', url: '/api/admin/allowed-hosts', payload: { rule: '192.168.1.20' } })).statusCode).toBe(401);
    expect((await list()).map((host) => host.rule)).not.toContain('192.168.1.20');
  });

  it('blocks again once the rule is removed, at once, and audits both changes', async () => {
    const id = (await list()).find((host) => host.rule === '127.0.0.1')!.id!;
    const removed = await use().call({ method: 'DELETE', url: `/api/admin/allowed-hosts/${id}`, cookie: owner.cookie });
    expect(removed.statusCode).toBe(204);
    const blocked = await runTask(`${target.url}/after-removal`);
    expect(blocked.task.state).toBe('failed');
    expect(blocked.task.error).toContain('Refused to connect to 127.0.0.1');
    expect(target.received.map((request) => request.path)).not.toContain('/after-removal');

    const audit = (await use().call({ method: 'GET', url: '/api/admin/audit?action=instance.allowed-host-add', cookie: owner.cookie })).json();
    const events = audit.events as { action: string; outcome: string; metadata: { rule?: string } | null; actor: { id: string | null } }[];
    expect(events.some((event) => event.outcome === 'success' && event.metadata?.rule === '127.0.0.1' && event.actor.id === owner.user.id)).toBe(true);
    const removals = (await use().call({ method: 'GET', url: '/api/admin/audit?action=instance.allowed-host-remove', cookie: owner.cookie })).json().events as { outcome: string; metadata: { rule?: string } | null }[];
    expect(removals.some((event) => event.outcome === 'success' && event.metadata?.rule === '127.0.0.1')).toBe(true);
  });
}, { config: { egressAllowedHosts: ['10.9.8.7'] } });

describe('allowed host rules', () => {
  it('are stored in one spelling, so the same host is not stored twice', async () => {
    const { createInstanceSettingsService } = await import('./instance-settings.service.ts');
    const rows: { id: string; rule: string; createdBy: string | null; createdAt: string }[] = [];
    const applied: string[][] = [];
    const service = createInstanceSettingsService({
      repository: {
        listAllowedHosts: async () => rows,
        insertAllowedHost: async (row) => (rows.some((existing) => existing.rule === row.rule) ? false : (rows.push(row), true)),
        deleteAllowedHost: async () => undefined,
      },
      config: { egressAllowedHosts: [] } as never,
      egress: { setManagedRules: (rules) => void applied.push([...rules]) },
      clock: { now: () => new Date('2026-01-01T00:00:00Z') },
      ids: { next: () => `id-${rows.length}` },
      emit: async () => undefined,
    });
    await service.addAllowedHost('  NAS.Lan ', { userId: 'u1' });
    await expect(service.addAllowedHost('nas.lan', { userId: 'u1' })).rejects.toMatchObject({ code: 'allowed_host_exists' });
    await expect(service.addAllowedHost('[::1]:8080', { userId: 'u1' })).rejects.toMatchObject({ code: 'allowed_host_invalid' });
    expect((await service.addAllowedHost('::1', { userId: 'u1' })).rule).toBe('::1');
    await service.applyStoredRules();
    expect(applied.at(-1)).toEqual(['nas.lan', '::1']);
  });
});
