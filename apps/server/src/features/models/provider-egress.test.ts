import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpTarget, waitFor } from '../../../test/support/http-target.ts';
import { startOpenAiUpstream } from '../../../test/support/openai-upstream.ts';
import { addMember, createKey, describeEachServer, setUpOwner, type TestServer } from '../../../test/support/test-server.ts';
import type { Task } from '../tasks/tasks.schema.ts';
import { providerEgressGrant } from './provider-egress.ts';

type Target = Awaited<ReturnType<typeof startHttpTarget>>;

const declaredUpstream = await startOpenAiUpstream('declared', ['m1']);
afterAll(async () => {
  await declaredUpstream.close();
});

/** What an internal service might answer: it must never come back to whoever pointed a provider at it. */
const internalSecret = 'INTERNAL-db_password=hunter2-9f8e7d6c';
const internalAnswers = [
  { type: 'text/plain', body: `stack trace: ${internalSecret}` },
  { type: 'text/html', body: `<html><body><h1>Admin</h1><pre>${internalSecret}</pre></body></html>` },
  { type: 'application/json', body: JSON.stringify({ config: { password: internalSecret } }) },
];

const providersUrl = (workspaceId: string) => `/api/workspaces/${workspaceId}/model-providers`;
const add = (server: TestServer, cookie: string, workspaceId: string, body: object) => server.call({ method: 'POST', url: providersUrl(workspaceId), cookie, payload: body });

describe('providerEgressGrant: what "local" allows', () => {
  it('grants a private address only to declared local providers and to local ones on a local model server port of loopback', () => {
    expect(providerEgressGrant({ baseUrl: 'http://127.0.0.1:11434', locality: 'local', declared: false })).toEqual({ allow: ['127.0.0.1'], maxRedirects: 0, reason: 'local model server port' });
    expect(providerEgressGrant({ baseUrl: 'http://localhost:1234/v1', locality: 'local', declared: false })).toMatchObject({ allow: ['localhost'], maxRedirects: 0 });
    expect(providerEgressGrant({ baseUrl: 'http://[::1]:8080/v1', locality: 'local', declared: false })).toMatchObject({ allow: ['::1'], maxRedirects: 0 });
    // Another port, another loopback address, a LAN address, a hosted provider: nothing.
    for (const baseUrl of ['http://127.0.0.1:6379', 'http://127.0.0.1:11435', 'http://127.0.0.2:11434', 'http://192.168.1.10:11434', 'http://10.0.0.5:8080/v1', 'http://169.254.169.254:80', 'http://127.0.0.1']) {
      expect(providerEgressGrant({ baseUrl, locality: 'local', declared: false }), baseUrl).toEqual({ allow: [], reason: 'none' });
    }
    expect(providerEgressGrant({ baseUrl: 'http://127.0.0.1:11434', locality: 'hosted', declared: false })).toEqual({ allow: [], reason: 'none' });
    // stead.config.yaml is the operator's: a declared local provider reaches its own host.
    expect(providerEgressGrant({ baseUrl: 'http://192.168.1.10:9000/v1', locality: 'local', declared: true })).toEqual({ allow: ['192.168.1.10'], reason: 'declared' });
    expect(providerEgressGrant({ baseUrl: 'http://192.168.1.10:9000/v1', locality: 'hosted', declared: true })).toEqual({ allow: [], reason: 'none' });
  });
});

describeEachServer('model providers and private addresses, without STEAD_EGRESS_ALLOWED_HOSTS', (use) => {
  let internal: Target;
  let owner: Awaited<ReturnType<typeof setUpOwner>>;
  beforeAll(async () => {
    internal = await startHttpTarget((_request, response) => response.writeHead(500, { 'content-type': 'text/plain' }).end(internalSecret));
  });
  afterAll(async () => {
    await internal.close();
  });

  it('refuses a provider on any form of a loopback or private address, local or hosted, whoever owns the workspace', async () => {
    const server = use();
    owner = await setUpOwner(server);
    const port = new URL(internal.url).port;
    const forms = [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`, `[::ffff:127.0.0.1]:${port}`, `127.1:${port}`, `2130706433:${port}`, `0x7f000001:${port}`, `0.0.0.0:${port}`, `169.254.169.254`, `10.0.0.1:${port}`, `192.168.0.1`];
    for (const [index, host] of forms.entries()) {
      for (const locality of ['local', 'hosted']) {
        const response = await add(server, owner.cookie, owner.workspace.id, { name: `p${index}-${locality}`, type: 'openai-compatible', baseUrl: `http://${host}/v1`, locality });
        expect(response.statusCode, `${host} ${locality}: ${response.body}`).toBe(422);
        if (locality === 'local') {
          expect(response.json().error.code).toBe('egress_blocked');
          expect(response.json().error.message).toContain('STEAD_EGRESS_ALLOWED_HOSTS');
        } else {
          // Hosted on a private address is the newcomer's trap: the answer says to choose Local first.
          expect(response.json().error).toMatchObject({ code: 'provider_address_local', details: { field: 'locality', suggestedLocality: 'local' } });
          expect(response.json().error.message).toMatch(/Choose locality local\. As Local it still needs an instance administrator's rule/);
        }
      }
    }
    expect(internal.received).toEqual([]);
    expect((await server.call({ method: 'GET', url: providersUrl(owner.workspace.id), cookie: owner.cookie })).json().providers).toEqual([]);
  });

  it('answers a hosted provider on a local model server port with "choose Local", and adds it as Local without any rule', async () => {
    const server = use();
    const hosted = await add(server, owner.cookie, owner.workspace.id, { name: 'ollama', type: 'ollama', baseUrl: 'http://127.0.0.1:11434', locality: 'hosted', discover: false });
    expect(hosted.statusCode).toBe(422);
    expect(hosted.json().error.code).toBe('provider_address_local');
    expect(hosted.json().error.message).toContain('Choose locality local; Stead then reaches it at once');
    expect(hosted.json().error.message).not.toContain('STEAD_EGRESS_ALLOWED_HOSTS');
    const local = await add(server, owner.cookie, owner.workspace.id, { name: 'ollama', type: 'ollama', baseUrl: 'http://127.0.0.1:11434', locality: 'local', discover: false });
    expect(local.statusCode, local.body).toBe(201);
    // Switching it to hosted later gets the same answer, and changes nothing.
    const switched = await server.call({ method: 'PATCH', url: `${providersUrl(owner.workspace.id)}/ollama`, cookie: owner.cookie, payload: { locality: 'hosted' } });
    expect(switched.json().error.code).toBe('provider_address_local');
    // Moving it to another private address is refused as when adding.
    const moved = await server.call({ method: 'PATCH', url: `${providersUrl(owner.workspace.id)}/ollama`, cookie: owner.cookie, payload: { baseUrl: 'http://10.0.0.1:11434' } });
    expect(moved.json().error.code).toBe('egress_blocked');
    const [provider] = (await server.call({ method: 'GET', url: providersUrl(owner.workspace.id), cookie: owner.cookie })).json().providers;
    expect(provider).toMatchObject({ name: 'ollama', locality: 'local', baseUrl: 'http://127.0.0.1:11434' });
    await server.call({ method: 'DELETE', url: `${providersUrl(owner.workspace.id)}/ollama`, cookie: owner.cookie });
  });

  it('refuses base URLs with credentials, a query or a fragment (which would pick another path) with validation_failed', async () => {
    const server = use();
    for (const baseUrl of ['https://user:password@api.example.com/v1', 'https://key@api.example.com/v1', 'https://api.example.com/v1?', 'https://api.example.com/admin?x=/v1', 'https://api.example.com/admin#', 'https://api.example.com/v1#/models']) {
      const response = await add(server, owner.cookie, owner.workspace.id, { name: 'bad-url', type: 'openai-compatible', baseUrl, locality: 'hosted', discover: false });
      expect(response.statusCode, baseUrl).toBe(400);
      expect(response.json().error).toMatchObject({ code: 'validation_failed', details: { issues: [expect.objectContaining({ path: 'body.baseUrl' })] } });
      expect(response.body).not.toContain('password@');
    }
  });

  it('shows a base URL stored with credentials before they were refused without them', async () => {
    const server = use();
    const created = await add(server, owner.cookie, owner.workspace.id, { name: 'old', type: 'openai-compatible', baseUrl: 'https://api.example.com/v1', locality: 'hosted', discover: false });
    await server.core.database.db.updateTable('modelProvider').set({ baseUrl: 'https://user:p4ssw0rd@api.example.com/v1' }).where('id', '=', created.json().provider.id).execute();
    const listed = await server.call({ method: 'GET', url: providersUrl(owner.workspace.id), cookie: owner.cookie });
    expect(listed.body).not.toContain('p4ssw0rd');
    expect(listed.json().providers.find((provider: { name: string }) => provider.name === 'old').baseUrl).toBe('https://api.example.com/v1');
    await server.call({ method: 'DELETE', url: `${providersUrl(owner.workspace.id)}/old`, cookie: owner.cookie });
  });

  it('lets only workspace admins and owners add, change, test or remove providers', async () => {
    const server = use();
    const member = await addMember(server, owner.cookie, owner.workspace.id, { name: 'Mia Member', email: 'mia@example.com', password: 'member-password-1' }, 'member');
    const created = await add(server, owner.cookie, owner.workspace.id, { name: 'cloud', type: 'openai-compatible', baseUrl: 'https://api.example.com/v1', locality: 'hosted', discover: false, models: [{ name: 'm' }] });
    expect(created.statusCode).toBe(201);
    const memberKey = (await createKey(server, owner.cookie, owner.workspace.id, 'member')).secret;
    const calls = [
      { method: 'POST' as const, url: providersUrl(owner.workspace.id), payload: { name: 'mine', type: 'openai-compatible', baseUrl: 'https://api.example.com/v1', locality: 'local', discover: false } },
      { method: 'PATCH' as const, url: `${providersUrl(owner.workspace.id)}/cloud`, payload: { enabled: false } },
      { method: 'POST' as const, url: `${providersUrl(owner.workspace.id)}/cloud/test` },
      { method: 'DELETE' as const, url: `${providersUrl(owner.workspace.id)}/cloud` },
    ];
    for (const call of calls) {
      expect((await server.call({ ...call, cookie: member.cookie })).statusCode, `${call.method} ${call.url} (member)`).toBe(403);
      expect((await server.call({ ...call, key: memberKey })).statusCode, `${call.method} ${call.url} (member key)`).toBe(403);
    }
  });
});

describeEachServer('model providers on an address the administrator allowed', (use) => {
  let internal: Target;
  let owner: Awaited<ReturnType<typeof setUpOwner>>;
  beforeAll(async () => {
    let next = 0;
    internal = await startHttpTarget((_request, response) => {
      const answer = internalAnswers[next++ % internalAnswers.length]!;
      response.writeHead(500, { 'content-type': answer.type }).end(answer.body);
    });
  });
  afterAll(async () => {
    await internal.close();
  });

  it('never shows what an internal service answered: discovery, provider test, /v1 errors and task errors carry the status only', async () => {
    const server = use();
    owner = await setUpOwner(server);
    const answers: string[] = [];
    const added = await add(server, owner.cookie, owner.workspace.id, { name: 'lan', type: 'openai-compatible', baseUrl: `${internal.url}/v1`, locality: 'local', models: [{ name: 'm1' }, { name: 'e1', capabilities: ['embeddings'] }] });
    answers.push(added.body);
    expect(added.statusCode).toBe(201);
    expect(added.json().discoveryError).toMatch(/^lan answered 500 \(Internal Server Error\)$/);
    for (let round = 0; round < internalAnswers.length; round += 1) {
      const test = await server.call({ method: 'POST', url: `${providersUrl(owner.workspace.id)}/lan/test`, cookie: owner.cookie });
      answers.push(test.body);
      expect(test.statusCode).toBe(502);
      expect(test.json().error).toMatchObject({ code: 'provider_test_failed', message: 'Provider test failed: lan answered 500 (Internal Server Error)' });
    }
    await server.app.listen({ host: '127.0.0.1', port: 0 });
    const client = new OpenAI({ apiKey: (await createKey(server, owner.cookie, owner.workspace.id, 'member')).secret, baseURL: `http://127.0.0.1:${(server.app.server.address() as { port: number }).port}/v1`, maxRetries: 0 });
    for (const call of [() => client.chat.completions.create({ model: 'lan/m1', messages: [{ role: 'user', content: 'x' }] }), () => client.embeddings.create({ model: 'lan/e1', input: 'x' })]) {
      const failure = (await call().catch((error: unknown) => error)) as InstanceType<typeof OpenAI.APIError>;
      expect(failure).toBeInstanceOf(OpenAI.APIError);
      answers.push(JSON.stringify(failure.error), failure.message);
    }
    const stream = await fetch(`${client.baseURL}/chat/completions`, { method: 'POST', headers: { authorization: `Bearer ${client.apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'lan/m1', stream: true, messages: [{ role: 'user', content: 'x' }] }) });
    answers.push(await stream.text());
    const created = await server.call({ method: 'POST', url: `/api/workspaces/${owner.workspace.id}/tasks`, cookie: owner.cookie, payload: { kind: 'model.prompt', input: { model: 'lan/m1', prompt: 'x' } } });
    const id = (created.json().task as Task).id;
    const task = await waitFor(async () => (await server.call({ method: 'GET', url: `/api/workspaces/${owner.workspace.id}/tasks/${id}`, cookie: owner.cookie })).body, (body) => ['"succeeded"', '"failed"'].some((state) => body.includes(`"state":${state}`)), 30_000);
    answers.push(task);
    answers.push((await server.call({ method: 'GET', url: `/api/workspaces/${owner.workspace.id}/model-usage`, cookie: owner.cookie })).body);
    expect(internal.received.length).toBeGreaterThan(5);
    for (const answer of answers) {
      expect(answer).not.toContain('hunter2');
      expect(answer).not.toContain('INTERNAL');
      expect(answer).not.toContain('<html');
    }
    expect(task).toContain('answered 500 (Internal Server Error)');
  });
}, { config: { egressAllowedHosts: ['127.0.0.1'], modelBreakerThreshold: 1_000 } });

describeEachServer('a declared local provider without STEAD_EGRESS_ALLOWED_HOSTS', (use) => {
  it('still reaches its own loopback address: stead.config.yaml is written by the operator', async () => {
    const server = use();
    const owner = await setUpOwner(server);
    await server.app.listen({ host: '127.0.0.1', port: 0 });
    const client = new OpenAI({ apiKey: (await createKey(server, owner.cookie, owner.workspace.id, 'member')).secret, baseURL: `http://127.0.0.1:${(server.app.server.address() as { port: number }).port}/v1`, maxRetries: 0 });
    const completion = await client.chat.completions.create({ model: 'box/m1', messages: [{ role: 'user', content: 'x' }] });
    expect(completion.model).toBe('box/m1');
    expect(declaredUpstream.received.some((entry) => entry.path === '/v1/chat/completions')).toBe(true);
  });
}, { config: { gateway: { providers: [{ name: 'box', type: 'openai-compatible', baseUrl: declaredUpstream.baseUrl, locality: 'local', models: [{ name: 'm1' }] }] } } });
