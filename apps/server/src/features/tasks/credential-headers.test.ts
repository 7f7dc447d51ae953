import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startHttpTarget, waitFor } from '../../../test/support/http-target.ts';
import { addMember, describeEachServer, setUpOwner, type TestServer } from '../../../test/support/test-server.ts';
import type { SteadEvent } from '../../platform/events/events.port.ts';
import type { Schedule } from '../schedules/schedules.schema.ts';
import type { Task, TaskDetail } from './tasks.schema.ts';

const databaseText = async (server: TestServer): Promise<string> => {
  const db = server.core.database.db;
  const tables = await Promise.all([
    db.selectFrom('run').selectAll().execute(),
    db.selectFrom('runOutbox').selectAll().execute(),
    db.selectFrom('runLog').selectAll().execute(),
    db.selectFrom('runAttempt').selectAll().execute(),
    db.selectFrom('schedule').selectAll().execute(),
    db.selectFrom('scheduleFire').selectAll().execute(),
    db.selectFrom('auditEvent').selectAll().execute(),
    db.selectFrom('job').selectAll().execute(),
    db.selectFrom('secret').selectAll().execute(),
  ]);
  return JSON.stringify(tables);
};

// Credential headers of http.request inputs are stored encrypted, shown as [redacted], and still sent.
describeEachServer('credential headers in task inputs', (use) => {
  let target: Awaited<ReturnType<typeof startHttpTarget>>;
  beforeAll(async () => {
    target = await startHttpTarget();
  });
  afterAll(async () => {
    await target.close();
  });
  let owner: Awaited<ReturnType<typeof setUpOwner>>;
  let viewer: { cookie: string };
  const token = `Bearer canary-${randomBytes(12).toString('hex')}`;
  const cookieValue = `sid=canary-${randomBytes(12).toString('hex')}`;
  const apiKey = `canary-${randomBytes(12).toString('hex')}`;
  const canaries = [token, cookieValue, apiKey, token.slice('Bearer '.length)];
  const tasksUrl = () => `/api/workspaces/${owner.workspace.id}/tasks`;
  const schedulesUrl = () => `/api/workspaces/${owner.workspace.id}/schedules`;
  const expectNoCanary = (text: string) => {
    for (const canary of canaries) expect(text).not.toContain(canary);
  };

  it('stores them encrypted, shows them redacted to readers, and sends them on every attempt', async () => {
    const server = use();
    owner = await setUpOwner(server);
    viewer = await addMember(server, owner.cookie, owner.workspace.id, { name: 'Val Viewer', email: 'val@example.com', password: 'viewer-password-1' }, 'viewer');
    const seen: SteadEvent[] = [];
    const unsubscribe = await server.core.events.subscribe({ workspaceId: owner.workspace.id }, (event) => seen.push(event));
    let answered = 0;
    // The first attempt fails (a retryable 503); the retry must still carry the headers.
    target.respondWith((_request, response) => response.writeHead(answered++ === 0 ? 503 : 200).end('done'));

    const created = await server.call({
      method: 'POST',
      url: tasksUrl(),
      cookie: owner.cookie,
      payload: { kind: 'http.request', input: { url: `${target.url}/credentials`, headers: { Authorization: token, cookie: cookieValue, 'X-Api-Key': apiKey, 'X-Trace': 'visible' } } },
    });
    expect(created.statusCode).toBe(201);
    const task = created.json().task as Task;
    expect(task.input).toMatchObject({ headers: { Authorization: '[redacted]', cookie: '[redacted]', 'X-Api-Key': '[redacted]', 'X-Trace': 'visible' } });
    const done = await waitFor(async () => (await server.call({ method: 'GET', url: `${tasksUrl()}/${task.id}`, cookie: viewer.cookie })).json() as TaskDetail, (value) => ['succeeded', 'failed'].includes(value.task.state), 20_000);
    unsubscribe();
    expect(done.task).toMatchObject({ state: 'succeeded', attempts: 2 });

    const received = target.received.filter((entry) => entry.path === '/credentials');
    expect(received).toHaveLength(2);
    for (const request of received) {
      expect(request.headers).toMatchObject({ authorization: token, cookie: cookieValue, 'x-api-key': apiKey, 'x-trace': 'visible' });
    }
    const reads = await Promise.all([`${tasksUrl()}/${task.id}`, tasksUrl(), `${tasksUrl()}/${task.id}/logs`].map((url) => server.call({ method: 'GET', url, cookie: viewer.cookie })));
    expect(reads.every((read) => read.statusCode === 200)).toBe(true);
    expect(reads[0]!.json().task.input.headers).toEqual({ Authorization: '[redacted]', cookie: '[redacted]', 'X-Api-Key': '[redacted]', 'X-Trace': 'visible' });
    expectNoCanary(reads.map((read) => read.body).join('\n'));
    expectNoCanary(JSON.stringify(seen));
    expectNoCanary(await databaseText(server));
  });

  it('refuses a [redacted] placeholder with nothing stored behind it', async () => {
    const refused = await use().call({ method: 'POST', url: tasksUrl(), cookie: owner.cookie, payload: { kind: 'http.request', input: { url: `${target.url}/x`, headers: { Authorization: '[redacted]' } } } });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().error.code).toBe('validation_failed');
  });

  it('redacts credential headers of rows stored before sealing existed', async () => {
    const server = use();
    const created = (await server.call({ method: 'POST', url: tasksUrl(), cookie: owner.cookie, payload: { kind: 'http.request', delayMs: 3_600_000, input: { url: `${target.url}/old` } } })).json().task as Task;
    const legacy = `Bearer legacy-${randomBytes(12).toString('hex')}`;
    await server.core.database.db.updateTable('run').set({ input: JSON.stringify({ method: 'GET', url: `${target.url}/old`, headers: { authorization: legacy }, timeoutMs: 30_000 }) }).where('id', '=', created.id).execute();
    const reads = await Promise.all([`${tasksUrl()}/${created.id}`, tasksUrl()].map((url) => server.call({ method: 'GET', url, cookie: viewer.cookie })));
    expect(reads[0]!.json().task.input.headers).toEqual({ authorization: '[redacted]' });
    for (const read of reads) expect(read.body).not.toContain(legacy);
    await server.call({ method: 'POST', url: `${tasksUrl()}/${created.id}/cancel`, cookie: owner.cookie });
    await server.core.database.db.deleteFrom('run').where('id', '=', created.id).execute();
  });

  it('keeps a schedule’s credential headers encrypted across edits and sends them with every task it starts', async () => {
    const server = use();
    target.respondWith((_request, response) => response.end('ok'));
    const created = await server.call({
      method: 'POST',
      url: schedulesUrl(),
      cookie: owner.cookie,
      payload: { name: 'authorised ping', kind: 'http.request', input: { url: `${target.url}/scheduled`, headers: { Authorization: token } }, trigger: { type: 'interval', seconds: 3600 }, enabled: false },
    });
    expect(created.statusCode).toBe(201);
    const schedule = created.json().schedule as Schedule;
    expect(schedule.input).toMatchObject({ headers: { Authorization: '[redacted]' } });
    // The dashboard sends the input back as read: the placeholder keeps the stored value.
    const edited = await server.call({ method: 'PATCH', url: `${schedulesUrl()}/${schedule.id}`, cookie: owner.cookie, payload: { input: { ...(schedule.input as object), url: `${target.url}/scheduled-edited` }, trigger: { type: 'interval', seconds: 1 } } });
    expect(edited.statusCode).toBe(200);
    expect((await server.call({ method: 'POST', url: `${schedulesUrl()}/${schedule.id}/enable`, cookie: owner.cookie })).statusCode).toBe(200);
    await waitFor(async () => target.received.filter((entry) => entry.path === '/scheduled-edited').length, (count) => count >= 1, 10_000);
    await server.call({ method: 'POST', url: `${schedulesUrl()}/${schedule.id}/disable`, cookie: owner.cookie });
    expect(target.received.find((entry) => entry.path === '/scheduled-edited')!.headers.authorization).toBe(token);

    const reads = await Promise.all([`${schedulesUrl()}/${schedule.id}`, schedulesUrl(), `${tasksUrl()}?originId=${schedule.id}`].map((url) => server.call({ method: 'GET', url, cookie: viewer.cookie })));
    expect(reads[0]!.json().schedule.input.headers).toEqual({ Authorization: '[redacted]' });
    expectNoCanary(reads.map((read) => read.body).join('\n'));
    expectNoCanary(await databaseText(server));
  });
}, { config: { egressAllowedHosts: ['127.0.0.1'] } });
