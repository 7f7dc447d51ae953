import { createServer } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { listenOnFixedPort } from '../../../test/support/fixed-port.ts';
import { startOpenAiUpstream } from '../../../test/support/openai-upstream.ts';
import { addMember, createKey, describeEachServer, setUpOwner, type TestServer } from '../../../test/support/test-server.ts';
import type { LocalServerView, ModelView, ProviderView } from './models.schema.ts';

/**
 * Changing providers and models in place (issue 13): PATCH provider and model, who may, what routing does with a
 * correction, the "Detect local servers" route, and a failed provider test audited as a failure.
 */

// Sorted by name, the embedding model comes first: `auto` must still never send chat to it.
const upstream = await startOpenAiUpstream('lab', ['aaa-embed-small', 'aaa-vectors', 'zz-chat']);
afterAll(async () => {
  await upstream.close();
});

type Owner = Awaited<ReturnType<typeof setUpOwner>>;
const base = (workspaceId: string) => `/api/workspaces/${workspaceId}`;

const modelsOf = async (server: TestServer, owner: Owner, all = false): Promise<ModelView[]> =>
  (await server.call({ method: 'GET', url: `${base(owner.workspace.id)}/models${all ? '?all=true' : ''}`, cookie: owner.cookie })).json().models;

const chat = (server: TestServer, key: string, model = 'auto') =>
  server.call({ method: 'POST', url: '/v1/chat/completions', key, payload: { model, messages: [{ role: 'user', content: 'hi' }] } });

describeEachServer('editing providers and models', (use) => {
  let owner: Owner;
  let memberKey: string;
  let models: ModelView[];

  beforeAll(async () => {
    const server = use();
    owner = await setUpOwner(server);
    const added = await server.call({ method: 'POST', url: `${base(owner.workspace.id)}/model-providers`, cookie: owner.cookie, payload: { name: 'lab', type: 'openai-compatible', baseUrl: upstream.baseUrl, locality: 'local', apiKey: 'sk-first-key-123456' } });
    expect(added.statusCode, added.body).toBe(201);
    models = added.json().models;
    memberKey = (await createKey(server, owner.cookie, owner.workspace.id, 'member')).secret;
  });

  it('infers an embedding model from its name on discovery, and auto never sends chat to it although it sorts first', async () => {
    const server = use();
    expect(models.map((model) => [model.name, model.capabilities])).toEqual([
      ['aaa-embed-small', ['embeddings']],
      ['aaa-vectors', ['chat']],
      ['zz-chat', ['chat']],
    ]);
    // Correct the one discovery could not know: it serves embeddings only.
    const vectors = models.find((model) => model.name === 'aaa-vectors')!;
    const corrected = await server.call({ method: 'PATCH', url: `${base(owner.workspace.id)}/models/${vectors.id}`, cookie: owner.cookie, payload: { capabilities: ['embeddings'], contextLength: 512, inputPricePerMillion: 0.02 } });
    expect(corrected.statusCode, corrected.body).toBe(200);
    expect(corrected.json().model).toMatchObject({ qualifiedName: 'lab/aaa-vectors', capabilities: ['embeddings'], contextLength: 512, inputPricePerMillion: 0.02, outputPricePerMillion: null, enabled: true });

    const route = await server.call({ method: 'GET', url: `${base(owner.workspace.id)}/model-routes/test?model=auto`, cookie: owner.cookie });
    expect(route.json().candidates.map((candidate: { model: string }) => candidate.model)).toEqual(['lab/zz-chat']);
    upstream.received.length = 0;
    expect((await chat(server, memberKey)).statusCode).toBe(200);
    expect(upstream.received.filter((entry) => entry.path === '/v1/chat/completions').map((entry) => entry.body.model)).toEqual(['zz-chat']);
    // Named directly, a chat request to an embedding-only model is refused rather than sent.
    expect((await chat(server, memberKey, 'lab/aaa-vectors')).json().error.code).toBe('route_no_target');
    // A later discovery keeps the correction.
    expect((await server.call({ method: 'POST', url: `${base(owner.workspace.id)}/model-providers/lab/test`, cookie: owner.cookie })).statusCode).toBe(200);
    expect((await modelsOf(server, owner)).find((model) => model.name === 'aaa-vectors')?.capabilities).toEqual(['embeddings']);
  });

  it('disables a model: never routed to, listed only with all=true, enabled again by PATCH; refuses bad values with validation_failed', async () => {
    const server = use();
    const zz = models.find((model) => model.name === 'zz-chat')!;
    const url = `${base(owner.workspace.id)}/models/${zz.id}`;
    expect((await server.call({ method: 'PATCH', url, cookie: owner.cookie, payload: { enabled: false } })).json().model.enabled).toBe(false);
    expect((await modelsOf(server, owner)).map((model) => model.name)).not.toContain('zz-chat');
    expect((await modelsOf(server, owner, true)).find((model) => model.name === 'zz-chat')?.enabled).toBe(false);
    expect((await chat(server, memberKey)).json().error.code).toBe('model_not_found');
    expect((await server.call({ method: 'PATCH', url, cookie: owner.cookie, payload: { enabled: true } })).json().model.enabled).toBe(true);
    for (const payload of [{ capabilities: [] }, { capabilities: ['telepathy'] }, { contextLength: 0 }, { inputPricePerMillion: -1 }, { name: 'renamed' }]) {
      const refused = await server.call({ method: 'PATCH', url, cookie: owner.cookie, payload });
      expect(refused.statusCode, JSON.stringify(payload)).toBe(400);
      expect(refused.json().error.code).toBe('validation_failed');
    }
    expect((await server.call({ method: 'PATCH', url: `${base(owner.workspace.id)}/models/no-such-model`, cookie: owner.cookie, payload: { enabled: true } })).json().error.code).toBe('model_not_found');
  });

  it('renames a provider and replaces its API key without ever returning it; the new name routes and is audited', async () => {
    const server = use();
    const url = `${base(owner.workspace.id)}/model-providers/lab`;
    const renamed = await server.call({ method: 'PATCH', url, cookie: owner.cookie, payload: { name: 'lab2', apiKey: 'sk-second-key-654321', timeouts: { connectMs: 5_000 } } });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(renamed.body).not.toContain('sk-second-key');
    expect(renamed.json().provider).toMatchObject({ name: 'lab2', hasApiKey: true, timeouts: { connectMs: 5_000 } });
    upstream.received.length = 0;
    expect((await chat(server, memberKey, 'lab2/zz-chat')).statusCode).toBe(200);
    expect((await chat(server, memberKey, 'lab/zz-chat')).json().error.code).toBe('model_not_found');
    const audit = await server.call({ method: 'GET', url: `${base(owner.workspace.id)}/audit?action=model-provider.update`, cookie: owner.cookie });
    expect(audit.body).not.toContain('sk-second-key');
    expect(audit.json().events[0]).toMatchObject({ outcome: 'success', metadata: { name: 'lab2', apiKeyChanged: true } });
    // A name another provider has is refused.
    await server.call({ method: 'POST', url: `${base(owner.workspace.id)}/model-providers`, cookie: owner.cookie, payload: { name: 'other', type: 'openai-compatible', baseUrl: 'https://api.example.com/v1', locality: 'hosted', discover: false } });
    const clash = await server.call({ method: 'PATCH', url: `${base(owner.workspace.id)}/model-providers/other`, cookie: owner.cookie, payload: { name: 'lab2' } });
    expect(clash.json().error).toMatchObject({ code: 'validation_failed', details: { field: 'name' } });
  });

  it('audits a failed provider test as a failure (502 provider_test_failed) and a passing one as a success', async () => {
    const server = use();
    const ok = await server.call({ method: 'POST', url: `${base(owner.workspace.id)}/model-providers/lab2/test`, cookie: owner.cookie });
    expect(ok.json()).toMatchObject({ ok: true, models: 3 });
    await server.call({ method: 'PATCH', url: `${base(owner.workspace.id)}/model-providers/other`, cookie: owner.cookie, payload: { baseUrl: 'https://nothing-here.invalid/v1' } });
    const failed = await server.call({ method: 'POST', url: `${base(owner.workspace.id)}/model-providers/other/test`, cookie: owner.cookie });
    expect(failed.statusCode).toBe(502);
    expect(failed.json().error).toMatchObject({ code: 'provider_test_failed', details: { latencyMs: expect.any(Number) } });
    const events = (await server.call({ method: 'GET', url: `${base(owner.workspace.id)}/audit?action=model-provider.test`, cookie: owner.cookie })).json().events;
    expect(events.map((event: { outcome: string; target: { id: string } }) => [event.target.id, event.outcome])).toEqual([
      ['other', 'failure'],
      ['lab2', 'success'],
      ['lab', 'success'],
    ]);
    expect(events[0].metadata).toMatchObject({ status: 502, code: 'provider_test_failed' });
  });

  it('lets only admins and owners of the workspace change providers and models or detect servers; other workspaces see nothing', async () => {
    const server = use();
    const member = await addMember(server, owner.cookie, owner.workspace.id, { name: 'Mia Member', email: 'mia@example.com', password: 'member-password-1' }, 'member');
    const viewer = await addMember(server, owner.cookie, owner.workspace.id, { name: 'Vic Viewer', email: 'vic@example.com', password: 'viewer-password-1' }, 'viewer');
    const zz = (await modelsOf(server, owner)).find((model) => model.name === 'zz-chat')!;
    const calls = [
      { method: 'PATCH' as const, url: `${base(owner.workspace.id)}/models/${zz.id}`, payload: { capabilities: ['embeddings'] } },
      { method: 'PATCH' as const, url: `${base(owner.workspace.id)}/model-providers/lab2`, payload: { baseUrl: 'http://127.0.0.1:11434', locality: 'local' } },
      { method: 'GET' as const, url: `${base(owner.workspace.id)}/model-providers/detect` },
    ];
    for (const call of calls) {
      for (const [who, cookie] of [['member', member.cookie], ['viewer', viewer.cookie]] as const) {
        expect((await server.call({ ...call, cookie })).statusCode, `${call.method} ${call.url} (${who})`).toBe(403);
      }
      expect((await server.call({ ...call, key: memberKey })).statusCode, `${call.method} ${call.url} (member key)`).toBe(403);
    }
    // An owner of another workspace reaches neither this workspace's routes nor its model through their own.
    const other = await server.call({ method: 'POST', url: '/api/workspaces', cookie: member.cookie, payload: { name: 'Elsewhere' } });
    expect(other.statusCode, other.body).toBe(201);
    const otherId = other.json().workspace.id;
    const crossed = await server.call({ method: 'PATCH', url: `${base(otherId)}/models/${zz.id}`, cookie: member.cookie, payload: { capabilities: ['embeddings'] } });
    expect(crossed.json().error.code).toBe('model_not_found');
    const crossedProvider = await server.call({ method: 'PATCH', url: `${base(otherId)}/model-providers/lab2`, cookie: member.cookie, payload: { enabled: false } });
    expect(crossedProvider.json().error.code).toBe('provider_not_found');
    expect((await modelsOf(server, owner)).find((model) => model.id === zz.id)?.capabilities).toEqual(['chat']);
    expect(((await server.call({ method: 'GET', url: `${base(owner.workspace.id)}/model-providers`, cookie: owner.cookie })).json().providers as ProviderView[]).find((provider) => provider.name === 'lab2')?.enabled).toBe(true);
  });
}, { config: { egressAllowedHosts: ['127.0.0.1'] } });

/** A fake Ollama on its default port (detection only probes fixed ports). */
const startFakeOllama = async (): Promise<{ close(): Promise<void> } | undefined> => {
  const server = createServer((request, response) => {
    if (request.url === '/api/tags') return void response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ models: [{ name: 'llama3.2:latest', model: 'llama3.2:latest' }] }));
    response.writeHead(404).end();
  });
  if (!(await listenOnFixedPort(server, 11434, 'detect route (fake Ollama)'))) return undefined;
  return {
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};

const fakeOllama = await startFakeOllama();
afterAll(async () => {
  await fakeOllama?.close();
});

describeEachServer('detecting local model servers', (use) => {
  it.skipIf(!fakeOllama)('lists the Ollama on its default port with a free provider name, adds it as local without any egress rule, then names the provider reaching it', async () => {
    const server = use();
    const owner = await setUpOwner(server);
    const url = `${base(owner.workspace.id)}/model-providers`;
    // A provider called ollama already exists (hosted, elsewhere): the suggestion must not clash with it.
    await server.call({ method: 'POST', url, cookie: owner.cookie, payload: { name: 'ollama', type: 'openai-compatible', baseUrl: 'https://api.example.com/v1', locality: 'hosted', discover: false } });
    const detected = await server.call({ method: 'GET', url: `${url}/detect`, cookie: owner.cookie });
    expect(detected.statusCode, detected.body).toBe(200);
    const ollama = (detected.json().servers as LocalServerView[]).find((entry) => entry.label === 'Ollama');
    expect(ollama).toEqual({ label: 'Ollama', models: ['llama3.2:latest'], provider: { name: 'ollama-2', type: 'ollama', baseUrl: 'http://127.0.0.1:11434', locality: 'local' }, existingProvider: null });
    const added = await server.call({ method: 'POST', url, cookie: owner.cookie, payload: ollama!.provider });
    expect(added.statusCode, added.body).toBe(201);
    expect(added.json().models.map((model: ModelView) => model.qualifiedName)).toEqual(['ollama-2/llama3.2:latest']);
    const again = (await server.call({ method: 'GET', url: `${url}/detect`, cookie: owner.cookie })).json().servers as LocalServerView[];
    expect(again.find((entry) => entry.label === 'Ollama')?.existingProvider).toBe('ollama-2');
  });
});
