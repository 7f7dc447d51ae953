import { once } from 'node:events';
import { request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, it } from 'vitest';
import { addMember, cookieOf, createKey, describeEachServer, ownerCredentials, setUpOwner } from '../../../test/support/test-server.ts';

describeEachServer('audit log and live events', (use) => {
  let owner: Awaited<ReturnType<typeof setUpOwner>>;
  const audit = async (query = '') =>
    (await use().call({ method: 'GET', url: `/api/workspaces/${owner.workspace.id}/audit${query}`, cookie: owner.cookie })).json() as {
      events: { action: string; actor: { type: string; id: string | null; label: string | null }; target: { type: string | null; id: string | null; name: string | null; deleted: boolean }; requestId: string; clientAddress: string; outcome: string; metadata: Record<string, unknown> | null }[];
      nextCursor: string | null;
    };

  it('records who did what to which target, with request id and client address', async () => {
    const server = use();
    owner = await setUpOwner(server);
    const invite = await server.call({ method: 'POST', url: `/api/workspaces/${owner.workspace.id}/invitations`, cookie: owner.cookie, payload: { role: 'member' }, remoteAddress: '198.51.100.4' });
    const { key } = await createKey(server, owner.cookie, owner.workspace.id);
    const page = await audit();
    const actions = page.events.map((event) => event.action);
    expect(actions).toEqual(['key.create', 'invitation.create', 'setup.complete']);
    const invitation = page.events[1]!;
    expect(invitation).toMatchObject({
      actor: { type: 'user', id: owner.user.id, label: ownerCredentials.email },
      target: { type: 'invitation', id: invite.json().invitation.id },
      requestId: invite.headers['x-request-id'],
      clientAddress: '198.51.100.4',
      outcome: 'success',
    });
    expect(page.events[0]!.target).toEqual({ type: 'key', id: key.id, name: 'test-owner', deleted: false });
  });

  it('names targets: their current name while they exist, the recorded one once deleted', async () => {
    const server = use();
    const base = `/api/workspaces/${owner.workspace.id}/schedules`;
    const schedule = { kind: 'http.request', input: { url: 'https://example.com/' }, trigger: { type: 'interval', seconds: 3600 } };
    const created = (await server.call({ method: 'POST', url: base, cookie: owner.cookie, payload: { name: 'nightly-report', ...schedule } })).json().schedule as { id: string };
    const kept = (await server.call({ method: 'POST', url: base, cookie: owner.cookie, payload: { name: 'hourly-ping', ...schedule } })).json().schedule as { id: string };
    await server.call({ method: 'PATCH', url: `${base}/${kept.id}`, cookie: owner.cookie, payload: { name: 'hourly-ping-renamed' } });
    expect((await server.call({ method: 'DELETE', url: `${base}/${created.id}`, cookie: owner.cookie })).statusCode).toBe(204);

    const events = (await audit('?action=schedule.')).events;
    const targetsOf = (id: string) => events.filter((event) => event.target.id === id).map((event) => event.target);
    // Deleted: every event of it keeps the name it had, and says it is gone.
    expect(targetsOf(created.id)).toEqual([
      { type: 'schedule', id: created.id, name: 'nightly-report', deleted: true },
      { type: 'schedule', id: created.id, name: 'nightly-report', deleted: true },
    ]);
    // Still there: its current name, on old events too.
    expect(targetsOf(kept.id).every((target) => target.name === 'hourly-ping-renamed' && !target.deleted)).toBe(true);

    const member = await addMember(server, owner.cookie, owner.workspace.id, { name: 'Mo Member', email: 'mo@example.com', password: 'member-password-1' });
    await server.call({ method: 'PATCH', url: `/api/workspaces/${owner.workspace.id}/members/${member.userId}`, cookie: owner.cookie, payload: { role: 'viewer' } });
    await server.call({ method: 'DELETE', url: `/api/workspaces/${owner.workspace.id}/members/${member.userId}`, cookie: owner.cookie });
    const memberEvents = (await audit('?action=member.')).events;
    // A removed member is still a person: named by email, not "deleted".
    expect(memberEvents.map((event) => event.target)).toEqual([
      { type: 'user', id: member.userId, name: 'mo@example.com', deleted: false },
      { type: 'user', id: member.userId, name: 'mo@example.com', deleted: false },
    ]);
  });

  it('attributes API key actions to the key and records failures of known callers', async () => {
    const server = use();
    const { secret, key } = await createKey(server, owner.cookie, owner.workspace.id, 'admin');
    await server.call({ method: 'POST', url: `/api/workspaces/${owner.workspace.id}/invitations`, key: secret, payload: { role: 'owner' } });
    const [failure] = (await audit('?outcome=failure')).events;
    expect(failure).toMatchObject({ action: 'invitation.create', actor: { type: 'key', id: key.id }, outcome: 'failure', metadata: { status: 403, code: 'role_not_assignable' } });
  });

  it('records failed sign-ins instance-wide for administrators', async () => {
    const server = use();
    await server.call({ method: 'POST', url: '/api/auth/login', payload: { email: ownerCredentials.email, password: 'wrong-password' } });
    const adminAudit = (await server.call({ method: 'GET', url: '/api/admin/audit?action=auth.login', cookie: owner.cookie })).json();
    expect(adminAudit.events[0]).toMatchObject({ action: 'auth.login', outcome: 'failure', workspaceId: null, metadata: { email: ownerCredentials.email, code: 'invalid_credentials' } });
    const body = JSON.stringify(adminAudit);
    expect(body).not.toContain('wrong-password');
  });

  it('filters by action prefix, actor and time, and pages with a cursor', async () => {
    const server = use();
    for (const name of ['a', 'b', 'c']) {
      await server.call({ method: 'POST', url: `/api/workspaces/${owner.workspace.id}/keys`, cookie: owner.cookie, payload: { name, role: 'member' } });
    }
    const keys = await audit('?action=key.');
    expect(keys.events.every((event) => event.action.startsWith('key.'))).toBe(true);
    const first = await audit('?limit=2');
    expect(first.events).toHaveLength(2);
    const second = await audit(`?limit=2&cursor=${first.nextCursor}`);
    expect(second.events[0]!.action).not.toBe(undefined);
    expect(new Set([...first.events, ...second.events].map((event) => JSON.stringify(event))).size).toBe(4);
    expect((await audit(`?actorId=${owner.user.id}&to=2000-01-01T00:00:00Z`)).events).toEqual([]);
    expect((await audit(`?actorId=${owner.user.id}&from=2000-01-01T00:00:00Z`)).events.length).toBeGreaterThan(3);
  });

  it('cannot be read by members without audit permission', async () => {
    const server = use();
    const { secret } = await createKey(server, owner.cookie, owner.workspace.id, 'member');
    expect((await server.call({ method: 'GET', url: `/api/workspaces/${owner.workspace.id}/audit`, key: secret })).statusCode).toBe(403);
  });

  it('streams the workspace’s events over SSE, and only that workspace’s', async () => {
    const server = use();
    await server.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = server.app.server.address() as AddressInfo;
    const other = (await server.call({ method: 'POST', url: '/api/workspaces', cookie: owner.cookie, payload: { name: 'Quiet' } })).json().workspace;
    const stream = request({ host: '127.0.0.1', port, path: `/api/events?workspaceId=${owner.workspace.id}`, headers: { cookie: owner.cookie, accept: 'text/event-stream' } });
    stream.end();
    const [response] = (await once(stream, 'response')) as [IncomingMessage];
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toContain('text/event-stream');
    let received = '';
    response.on('data', (chunk: Buffer) => {
      received += chunk.toString();
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    await server.call({ method: 'PATCH', url: `/api/workspaces/${other.id}`, cookie: owner.cookie, payload: { name: 'Quiet still' } });
    await server.call({ method: 'PATCH', url: `/api/workspaces/${owner.workspace.id}`, cookie: owner.cookie, payload: { name: 'Acme Renamed' } });
    const deadline = Date.now() + 5000;
    while (!received.includes('workspace.rename') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
    response.destroy();
    expect(received).toContain('event: audit-event');
    expect(received).toContain('"action":"workspace.rename"');
    expect(received).toContain(owner.workspace.id);
    expect(received).not.toContain(other.id);

    const outsider = cookieOf(await server.call({ method: 'POST', url: '/api/auth/login', payload: { email: ownerCredentials.email, password: ownerCredentials.password } }));
    const denied = await server.call({ method: 'GET', url: `/api/events?workspaceId=does-not-exist`, cookie: outsider });
    expect(denied.statusCode).toBe(404);
  });
});
