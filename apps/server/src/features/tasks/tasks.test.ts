import { afterAll, beforeAll, expect, it } from 'vitest';
import { startHttpTarget, waitFor } from '../../../test/support/http-target.ts';
import { addMember, describeEachServer, setUpOwner, type TestServer } from '../../../test/support/test-server.ts';
import type { SteadEvent } from '../../platform/events/events.port.ts';
import type { Task, TaskDetail } from './tasks.schema.ts';

// SQLite runs the embedded queue; the PostgreSQL variant runs BullMQ on Redis (describeEachServer sets redisUrl).
describeEachServer('tasks', (use) => {
  let target: Awaited<ReturnType<typeof startHttpTarget>>;
  beforeAll(async () => {
    target = await startHttpTarget();
  });
  afterAll(async () => {
    await target.close();
  });
  let owner: Awaited<ReturnType<typeof setUpOwner>>;
  const tasksUrl = () => `/api/workspaces/${owner.workspace.id}/tasks`;
  const create = (payload: object, cookie = owner.cookie) => use().call({ method: 'POST', url: tasksUrl(), cookie, payload });
  const detail = async (id: string): Promise<TaskDetail> => (await use().call({ method: 'GET', url: `${tasksUrl()}/${id}`, cookie: owner.cookie })).json();
  const settle = (id: string, timeoutMs = 15_000) => waitFor(() => detail(id), (value) => ['succeeded', 'failed', 'cancelled'].includes(value.task.state), timeoutMs);
  const listAll = async (server: TestServer) => (await server.call({ method: 'GET', url: tasksUrl(), cookie: owner.cookie })).json().tasks as Task[];

  it('lists the kinds it can run with the JSON schema of their input', async () => {
    owner = await setUpOwner(use());
    const response = await use().call({ method: 'GET', url: `/api/workspaces/${owner.workspace.id}/task-kinds`, cookie: owner.cookie });
    expect(response.statusCode).toBe(200);
    const kinds = response.json().kinds as { name: string; inputSchema: { properties: Record<string, unknown> } }[];
    expect(kinds.map((kind) => kind.name)).toEqual(expect.arrayContaining(['http.request', 'webhook.deliver']));
    expect(Object.keys(kinds.find((kind) => kind.name === 'http.request')!.inputSchema.properties)).toEqual(expect.arrayContaining(['url', 'method', 'headers']));
  });

  it('refuses an unknown kind, an input that fails its schema and a negative delay, and creates nothing', async () => {
    const unknown = await create({ kind: 'no.such', input: {} });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.code).toBe('task_kind_unknown');
    const invalid = await create({ kind: 'http.request', input: { url: 'ftp://example.com/' } });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().error).toMatchObject({ code: 'validation_failed' });
    expect(invalid.json().error.message).toContain('input.url');
    const negative = await create({ kind: 'http.request', input: { url: `${target.url}/x` }, delayMs: -5 });
    expect(negative.statusCode).toBe(400);
    expect(negative.json().error.code).toBe('validation_failed');
    expect(await listAll(use())).toEqual([]);
    expect(target.received).toEqual([]);
  });

  it('runs http.request, storing attempts, log lines and output, and sends a stable Idempotency-Key', async () => {
    const server = use();
    const seen: SteadEvent[] = [];
    const unsubscribe = await server.core.events.subscribe({ workspaceId: owner.workspace.id }, (event) => seen.push(event));
    target.respondWith((_request, response) => response.writeHead(200, { 'content-type': 'text/plain' }).end('hello from target'));
    const created = await create({ kind: 'http.request', input: { method: 'POST', url: `${target.url}/hook`, body: { n: 1 } } });
    expect(created.statusCode).toBe(201);
    const task = created.json().task as Task;
    expect(task).toMatchObject({ state: 'queued', kind: 'http.request', attempts: 0, maxAttempts: 3, origin: { type: 'api' }, createdBy: owner.user.id });

    const done = await settle(task.id);
    expect(done.task).toMatchObject({ state: 'succeeded', attempts: 1, error: null });
    expect(done.task.output).toMatchObject({ status: 200, body: 'hello from target', truncated: false });
    expect(done.task.durationMs).toEqual(expect.any(Number));
    expect(done.attempts).toEqual([expect.objectContaining({ number: 1, outcome: 'succeeded' })]);
    expect(done.logs.map((line) => line.line)).toEqual([`POST ${target.url}/hook`, expect.stringMatching(/^200 OK in \d+ ms$/)]);
    const request = target.received.find((entry) => entry.path === '/hook')!;
    expect(request.headers['idempotency-key']).toBe(`task:${task.id}`);
    expect(JSON.parse(request.body)).toEqual({ n: 1 });

    // The live view: state changes and log lines arrive as events.
    await waitFor(async () => seen.filter((event) => event.type === 'task-update').map((event) => (event.data as Task).state), (states) => states.includes('succeeded'));
    expect(seen.filter((event) => event.type === 'task-update').map((event) => (event.data as Task).state)).toEqual(['queued', 'running', 'succeeded']);
    expect(seen.filter((event) => event.type === 'task-log')).toHaveLength(2);
    expect(seen.filter((event) => event.type === 'task-progress').map((event) => (event.data as { percent: number }).percent)).toEqual([10, 60, 100]);
    expect(done.task.progress).toEqual({ percent: 100, message: 'done' });
    await unsubscribe();
  });

  it('retries 5xx answers with backoff and fails 4xx at once; retry runs a failed task again', async () => {
    let calls = 0;
    target.respondWith((request, response) => {
      if (request.path === '/flaky') {
        calls += 1;
        response.writeHead(calls < 3 ? 503 : 200).end(calls < 3 ? 'busy' : 'fine');
      } else response.writeHead(404).end('nothing here');
    });
    const flaky = (await create({ kind: 'http.request', input: { url: `${target.url}/flaky` } })).json().task as Task;
    const missing = (await create({ kind: 'http.request', input: { url: `${target.url}/missing` } })).json().task as Task;

    const flakyDone = await settle(flaky.id);
    expect(flakyDone.task).toMatchObject({ state: 'succeeded', attempts: 3 });
    expect(flakyDone.attempts.map((attempt) => attempt.outcome)).toEqual(['failed', 'failed', 'succeeded']);
    expect(flakyDone.attempts[0]!.error).toContain('503');
    const starts = flakyDone.attempts.map((attempt) => Date.parse(attempt.startedAt));
    expect(starts[1]! - starts[0]!).toBeGreaterThanOrEqual(700); // 1 s base delay minus up to 20 % jitter

    const missingDone = await settle(missing.id);
    expect(missingDone.task).toMatchObject({ state: 'failed', attempts: 1 });
    expect(missingDone.task.error).toContain('answered 404');

    target.respondWith((_request, response) => response.end('now it exists'));
    const retried = await use().call({ method: 'POST', url: `${tasksUrl()}/${missing.id}/retry`, cookie: owner.cookie });
    expect(retried.statusCode).toBe(200);
    expect(retried.json().task).toMatchObject({ state: 'queued', attempts: 0, error: null });
    const again = await settle(missing.id);
    expect(again.task).toMatchObject({ state: 'succeeded' });
    expect(again.task.output).toMatchObject({ body: 'now it exists' });

    const notRetryable = await use().call({ method: 'POST', url: `${tasksUrl()}/${missing.id}/retry`, cookie: owner.cookie });
    expect(notRetryable.statusCode).toBe(409);
    expect(notRetryable.json().error.code).toBe('task_state_conflict');
  });

  it('cancels a running task: its request is aborted and it does not run again', async () => {
    target.respondWith(() => {}); // never answers
    const task = (await create({ kind: 'http.request', input: { url: `${target.url}/hang` } })).json().task as Task;
    await waitFor(() => detail(task.id), (value) => value.task.state === 'running' && target.received.some((entry) => entry.path === '/hang'));
    const cancelled = await use().call({ method: 'POST', url: `${tasksUrl()}/${task.id}/cancel`, cookie: owner.cookie });
    expect(cancelled.statusCode).toBe(200);
    expect(cancelled.json().task.state).toBe('cancelled');
    await waitFor(async () => target.aborted, (paths) => paths.includes('/hang'));
    const final = await waitFor(() => detail(task.id), (value) => value.attempts[0]?.outcome !== 'running');
    expect(final.task.state).toBe('cancelled');
    expect(final.attempts.map((attempt) => attempt.outcome)).toEqual(['interrupted']);
    const twice = await use().call({ method: 'POST', url: `${tasksUrl()}/${task.id}/cancel`, cookie: owner.cookie });
    expect(twice.json().error.code).toBe('task_state_conflict');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(target.received.filter((entry) => entry.path === '/hang')).toHaveLength(1);
  });

  it('refuses private destinations that are not allowed, without retrying', async () => {
    const task = (await create({ kind: 'http.request', input: { url: 'http://169.254.169.254/latest/meta-data/' } })).json().task as Task;
    const done = await settle(task.id);
    expect(done.task).toMatchObject({ state: 'failed', attempts: 1 });
    expect(done.task.error).toMatch(/refused/i);
  });

  it('waits for a delay, and answers a repeated idempotency key with the first task', async () => {
    target.respondWith((_request, response) => response.end('later'));
    const first = (await create({ kind: 'http.request', input: { url: `${target.url}/later` }, delayMs: 1_200, idempotencyKey: 'order-7' })).json().task as Task;
    const second = (await create({ kind: 'http.request', input: { url: `${target.url}/other` }, idempotencyKey: 'order-7' })).json().task as Task;
    expect(second.id).toBe(first.id);
    expect(Date.parse(first.runAt) - Date.parse(first.createdAt)).toBe(1_200);
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect((await detail(first.id)).task.state).toBe('queued');
    const done = await settle(first.id);
    expect(done.task.state).toBe('succeeded');
    expect(Date.parse(done.task.startedAt!)).toBeGreaterThanOrEqual(Date.parse(first.runAt) - 50);
    expect(target.received.filter((entry) => entry.path === '/other')).toHaveLength(0);
  });

  it('filters by state and kind and pages with a cursor', async () => {
    const server = use();
    const failed = (await server.call({ method: 'GET', url: `${tasksUrl()}?state=cancelled`, cookie: owner.cookie })).json().tasks as Task[];
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((task) => task.state === 'cancelled')).toBe(true);
    const byKind = (await server.call({ method: 'GET', url: `${tasksUrl()}?kind=webhook.deliver`, cookie: owner.cookie })).json().tasks;
    expect(byKind).toEqual([]);
    const firstPage = (await server.call({ method: 'GET', url: `${tasksUrl()}?limit=2`, cookie: owner.cookie })).json();
    expect(firstPage.tasks).toHaveLength(2);
    const nextPage = (await server.call({ method: 'GET', url: `${tasksUrl()}?limit=2&cursor=${firstPage.nextCursor}`, cookie: owner.cookie })).json();
    expect(nextPage.tasks[0].id < firstPage.tasks[1].id).toBe(true);
    const future = (await server.call({ method: 'GET', url: `${tasksUrl()}?from=2999-01-01T00:00:00Z`, cookie: owner.cookie })).json().tasks;
    expect(future).toEqual([]);
  });

  it('lets viewers read tasks but not run or cancel them', async () => {
    const viewer = await addMember(use(), owner.cookie, owner.workspace.id, { name: 'Vera Viewer', email: 'vera@example.com', password: 'viewer-password-1' }, 'viewer');
    const listed = await use().call({ method: 'GET', url: tasksUrl(), cookie: viewer.cookie });
    expect(listed.statusCode).toBe(200);
    const refused = await create({ kind: 'http.request', input: { url: `${target.url}/x` } }, viewer.cookie);
    expect(refused.statusCode).toBe(403);
  });

  it('delivers a webhook with Standard Webhooks headers and a signature over id, timestamp and body', async () => {
    const server = use();
    const made = await server.call({ method: 'POST', url: `/api/workspaces/${owner.workspace.id}/secrets`, cookie: owner.cookie, payload: { name: 'hook-key', value: 'whsec-test-secret' } });
    expect(made.statusCode).toBe(201);
    target.respondWith((_request, response) => response.writeHead(204).end());
    const task = (await create({ kind: 'webhook.deliver', input: { url: `${target.url}/webhook`, event: 'test-ping', payload: { hello: 'world' }, secretName: 'hook-key' } })).json().task as Task;
    expect((await settle(task.id)).task.state).toBe('succeeded');
    const request = target.received.find((entry) => entry.path === '/webhook')!;
    const { createHmac } = await import('node:crypto');
    const expected = createHmac('sha256', 'whsec-test-secret').update(`${request.headers['webhook-id']}.${request.headers['webhook-timestamp']}.${request.body}`).digest('base64');
    expect(request.headers['webhook-id']).toBe(`task:${task.id}`);
    expect(request.headers['webhook-signature']).toBe(`v1,${expected}`);
    expect(JSON.parse(request.body)).toMatchObject({ type: 'test-ping', data: { hello: 'world' } });
  });
}, { config: { egressAllowedHosts: ['127.0.0.1'] } });
