import { once } from 'node:events';
import { request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect, it } from 'vitest';
import { addMember, createKey, describeEachServer, setUpOwner, type TestServer } from '../../../test/support/test-server.ts';

/** An open `/api/events` stream: what it received so far, and whether the server ended it. */
interface OpenedStream {
  text(): string;
  ended: Promise<void>;
  close(): void;
}

const openStream = async (server: TestServer, workspaceId: string, credentials: { cookie?: string; key?: string }): Promise<OpenedStream> => {
  const { port } = server.app.server.address() as AddressInfo;
  const headers: Record<string, string> = { accept: 'text/event-stream' };
  if (credentials.cookie) headers.cookie = credentials.cookie;
  if (credentials.key) headers.authorization = `Bearer ${credentials.key}`;
  const outgoing = request({ host: '127.0.0.1', port, path: `/api/events?workspaceId=${workspaceId}`, headers });
  outgoing.end();
  const [response] = (await once(outgoing, 'response')) as [IncomingMessage];
  expect(response.statusCode).toBe(200);
  let received = '';
  response.on('data', (chunk: Buffer) => {
    received += chunk.toString();
  });
  const ended = new Promise<void>((resolve) => response.on('end', () => resolve()));
  // The stream writes a comment once it is subscribed; events published after it arrive.
  while (!received.includes(': connected')) await new Promise((resolve) => setTimeout(resolve, 10));
  return { text: () => received, ended, close: () => response.destroy() };
};

const waitUntil = async (check: () => boolean, what: string): Promise<void> => {
  const deadline = Date.now() + 5_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

const endsWithin = (stream: OpenedStream, ms: number): Promise<boolean> =>
  Promise.race([stream.ended.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms))]);

describeEachServer('live events follow the subscriber’s current role', (use) => {
  // One server per dialect for the whole suite: set up and listening once.
  let prepared: Promise<{ server: TestServer; owner: Awaited<ReturnType<typeof setUpOwner>> }> | undefined;
  const prepare = () =>
    (prepared ??= (async () => {
      const server = use();
      const owner = await setUpOwner(server);
      await server.app.listen({ host: '127.0.0.1', port: 0 });
      return { server, owner };
    })());

  it('sends audit events only to roles that may read the audit log, and stops when an admin is demoted', async () => {
    const { server, owner } = await prepare();
    const workspaceId = owner.workspace.id;
    const admin = await addMember(server, owner.cookie, workspaceId, { name: 'Ada Admin', email: 'ada@example.com', password: 'admin-password-1' }, 'admin');
    const viewer = await addMember(server, owner.cookie, workspaceId, { name: 'Vic Viewer', email: 'vic@example.com', password: 'viewer-password-1' }, 'viewer');
    const adminStream = await openStream(server, workspaceId, { cookie: admin.cookie });
    const viewerStream = await openStream(server, workspaceId, { cookie: viewer.cookie });

    // An audited action (audit-event, gated by audit:read) and an event every member may see.
    await server.call({ method: 'PATCH', url: `/api/workspaces/${workspaceId}`, cookie: owner.cookie, payload: { name: 'Acme Renamed' } });
    await server.core.events.publish({ type: 'marker-1', workspaceId, data: null });
    await waitUntil(() => adminStream.text().includes('marker-1') && viewerStream.text().includes('marker-1'), 'marker-1 on both streams');
    expect(adminStream.text()).toContain('"action":"workspace.rename"');
    expect(viewerStream.text()).not.toContain('audit-event');

    // Demoted while watching: the next audit event no longer reaches the stream, other events still do.
    await server.call({ method: 'PATCH', url: `/api/workspaces/${workspaceId}/members/${admin.userId}`, cookie: owner.cookie, payload: { role: 'viewer' } });
    const before = adminStream.text().length;
    await server.call({ method: 'PATCH', url: `/api/workspaces/${workspaceId}`, cookie: owner.cookie, payload: { name: 'Acme Again' } });
    await server.core.events.publish({ type: 'marker-2', workspaceId, data: null });
    await waitUntil(() => adminStream.text().includes('marker-2'), 'marker-2 on the demoted admin’s stream');
    expect(adminStream.text().slice(before)).not.toContain('audit-event');
    adminStream.close();
    viewerStream.close();
  });

  it('ends the stream of a member who is removed, and of an API key that is revoked', async () => {
    const { server, owner } = await prepare();
    const workspaceId = owner.workspace.id;
    const member = await addMember(server, owner.cookie, workspaceId, { name: 'Mo Member', email: 'mo@example.com', password: 'member-password-1' });
    const memberStream = await openStream(server, workspaceId, { cookie: member.cookie });
    const { key, secret } = await createKey(server, owner.cookie, workspaceId, 'viewer');
    const keyStream = await openStream(server, workspaceId, { key: secret });

    await server.call({ method: 'DELETE', url: `/api/workspaces/${workspaceId}/members/${member.userId}`, cookie: owner.cookie });
    await server.core.events.publish({ type: 'after-removal', workspaceId, data: null });
    expect(await endsWithin(memberStream, 5_000)).toBe(true);
    expect(memberStream.text()).not.toContain('after-removal');

    expect((await server.call({ method: 'DELETE', url: `/api/workspaces/${workspaceId}/keys/${key.id}`, cookie: owner.cookie })).statusCode).toBe(204);
    expect(await endsWithin(keyStream, 5_000)).toBe(true);
  });
});
