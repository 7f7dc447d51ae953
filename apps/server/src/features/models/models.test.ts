import OpenAI from 'openai';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { waitFor } from '../../../test/support/http-target.ts';
import { fixtureChatText, fixtureStreamEvents, startOpenAiUpstream } from '../../../test/support/openai-upstream.ts';
import { createKey, describeEachServer, setUpOwner, type TestServer } from '../../../test/support/test-server.ts';
import type { Task } from '../tasks/tasks.schema.ts';

type Upstream = Awaited<ReturnType<typeof startOpenAiUpstream>>;

const addProvider = async (server: TestServer, cookie: string, workspaceId: string, body: object) => {
  const response = await server.call({ method: 'POST', url: `/api/workspaces/${workspaceId}/model-providers`, cookie, payload: body });
  if (response.statusCode !== 201) throw new Error(`add provider failed: ${response.body}`);
  return response.json() as { provider: { id: string; name: string }; models: { qualifiedName: string }[]; discoveryError: string | null };
};

/**
 * The upstreams are local OpenAI-compatible servers replaying the recorded protocol fixtures: hosted model APIs
 * and model weights cannot run here. Everything between the client and the upstream is the real gateway.
 */
describeEachServer('model gateway', (use) => {
  let local: Upstream;
  let localBackup: Upstream;
  let hosted: Upstream;
  let owner: Awaited<ReturnType<typeof setUpOwner>>;
  let secret: string;
  let client: OpenAI;
  let origin: string;

  beforeAll(async () => {
    local = await startOpenAiUpstream('local', ['llama-3', 'nomic-embed']);
    localBackup = await startOpenAiUpstream('local-backup', ['llama-3']);
    hosted = await startOpenAiUpstream('hosted', ['gpt-x', 'llama-3']);
  });
  afterAll(async () => {
    await Promise.all([local.close(), localBackup.close(), hosted.close()]);
  });

  it('adds providers, discovers their models and lists them to OpenAI clients with a Stead API key', async () => {
    const server = use();
    owner = await setUpOwner(server);
    const added = await addProvider(server, owner.cookie, owner.workspace.id, { name: 'ollama-box', type: 'openai-compatible', baseUrl: local.baseUrl, locality: 'local' });
    expect(added.discoveryError).toBeNull();
    expect(added.models.map((model) => model.qualifiedName).sort()).toEqual(['ollama-box/llama-3', 'ollama-box/nomic-embed']);
    await addProvider(server, owner.cookie, owner.workspace.id, { name: 'backup', type: 'openai-compatible', baseUrl: localBackup.baseUrl, locality: 'local' });
    const cloud = await addProvider(server, owner.cookie, owner.workspace.id, { name: 'cloud', type: 'openai-compatible', baseUrl: hosted.baseUrl, locality: 'hosted', apiKey: 'sk-upstream-secret-1234' });
    expect(JSON.stringify(cloud)).not.toContain('sk-upstream-secret-1234');
    const listedProviders = await server.call({ method: 'GET', url: `/api/workspaces/${owner.workspace.id}/model-providers`, cookie: owner.cookie });
    expect(listedProviders.body).not.toContain('sk-upstream-secret-1234');
    expect(listedProviders.json().providers.find((provider: { name: string }) => provider.name === 'cloud')).toMatchObject({ hasApiKey: true, locality: 'hosted' });

    await server.app.listen({ host: '127.0.0.1', port: 0 });
    const address = server.app.server.address() as { port: number };
    origin = `http://127.0.0.1:${address.port}`;
    secret = (await createKey(server, owner.cookie, owner.workspace.id, 'member')).secret;
    client = new OpenAI({ apiKey: secret, baseURL: `${origin}/v1`, maxRetries: 0 });
    const models = await client.models.list();
    expect(models.data.map((model) => model.id).sort()).toEqual(['backup/llama-3', 'cloud/gpt-x', 'cloud/llama-3', 'ollama-box/llama-3', 'ollama-box/nomic-embed']);
  });

  it('answers the official openai client, streaming and not, and sends the upstream its API key', async () => {
    const completion = await client.chat.completions.create({ model: 'cloud/gpt-x', messages: [{ role: 'user', content: 'Weather in Paris?' }] });
    expect(completion.choices[0]!.message.content).toBe(fixtureChatText());
    expect(hosted.chatRequests().at(-1)!.body).toMatchObject({ model: 'gpt-x', messages: [{ role: 'user', content: 'Weather in Paris?' }] });

    const stream = await client.chat.completions.create({ model: 'ollama-box/llama-3', messages: [{ role: 'user', content: 'Weather in Paris?' }], stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe(fixtureChatText());

    const embeddings = await client.embeddings.create({ model: 'nomic-embed', input: 'hello' });
    expect(embeddings.data[0]!.embedding.length).toBeGreaterThan(0);
  });

  it('streams the upstream\'s chunks on as it sent them, with the held-back role moved onto the first token', async () => {
    const response = await fetch(`${origin}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'ollama-box/llama-3', messages: [{ role: 'user', content: 'Weather in Paris?' }], stream: true }),
    });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const sent = (await response.text()).split('\n\n').filter(Boolean).map((event) => event.replace(/^data: /, ''));
    const upstream = fixtureStreamEvents();
    expect(sent.at(-1)).toBe('[DONE]');
    // The upstream's first chunk carries only the role: it is held back, and its role joins the first token.
    expect(JSON.parse(upstream[0]!).choices[0].delta).toEqual({ role: 'assistant', content: '', refusal: null });
    expect(JSON.parse(sent[0]!)).toEqual({ ...JSON.parse(upstream[1]!), model: 'ollama-box/llama-3', choices: [{ ...JSON.parse(upstream[1]!).choices[0], delta: { role: 'assistant', content: 'Il' } }] });
    // Every later chunk leaves byte for byte as it came, vendor fields (`service_tier`) included, except `model`: the
    // id a client can send back, as /v1/models lists it, instead of the upstream's own name.
    expect(sent.slice(1)).toEqual(upstream.slice(2).map((event) => event.replace('"model":"gpt-4o-mini-2024-07-18"', '"model":"ollama-box/llama-3"')));
    expect(sent.slice(0, -1).every((event) => JSON.parse(event).model === 'ollama-box/llama-3')).toBe(true);
  });

  it('keeps private requests on local models: no byte reaches a hosted upstream, even when every local target fails', async () => {
    const privateClient = new OpenAI({ apiKey: secret, baseURL: `${origin}/v1`, maxRetries: 0, defaultHeaders: { 'x-stead-data-class': 'private' } });
    const hostedBefore = hosted.chatRequests().length;
    // `llama-3` exists locally (two providers) and hosted: private goes local only.
    const ok = await privateClient.chat.completions.create({ model: 'llama-3', messages: [{ role: 'user', content: 'my medical notes' }] });
    expect(ok.choices[0]!.message.content).toBe(fixtureChatText());

    local.setMode('503');
    localBackup.setMode('503');
    const failed = await privateClient.chat.completions.create({ model: 'llama-3', messages: [{ role: 'user', content: 'my medical notes' }] }).catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(OpenAI.APIError);
    expect((failed as InstanceType<typeof OpenAI.APIError>).status).toBe(502);
    const onlyHosted = await privateClient.chat.completions.create({ model: 'gpt-x', messages: [{ role: 'user', content: 'my medical notes' }] }).catch((error: unknown) => error);
    expect((onlyHosted as InstanceType<typeof OpenAI.APIError>).status).toBe(422);
    expect((onlyHosted as InstanceType<typeof OpenAI.APIError>).code).toBe('route_no_private_target');
    expect((onlyHosted as InstanceType<typeof OpenAI.APIError>).message).toMatch(/add a local model/i);
    expect(hosted.chatRequests().length).toBe(hostedBefore);
    expect(JSON.stringify(hosted.received)).not.toContain('medical');

    // The same request as internal data may fall back to the hosted target.
    const internal = await client.chat.completions.create({ model: 'llama-3', messages: [{ role: 'user', content: 'release notes' }] });
    expect(internal.choices[0]!.message.content).toBe(fixtureChatText());
    expect(hosted.chatRequests().length).toBe(hostedBefore + 1);
    local.setMode('ok');
    localBackup.setMode('ok');
  });

  it('falls back to the next target on 503 and 429 before the first token, and never on a 400', async () => {
    local.setMode('429');
    const served = await client.chat.completions.create({ model: 'llama-3', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    expect(served.response.headers.get('x-stead-target')).toBe('backup/llama-3');
    local.setMode('503');
    const again = await client.chat.completions.create({ model: 'llama-3', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    expect(again.response.headers.get('x-stead-target')).toBe('backup/llama-3');
    local.setMode('400');
    const backupBefore = localBackup.chatRequests().length;
    const rejected = await client.chat.completions.create({ model: 'llama-3', messages: [{ role: 'user', content: 'hi' }] }).catch((error: unknown) => error);
    expect((rejected as InstanceType<typeof OpenAI.APIError>).status).toBeGreaterThanOrEqual(400);
    expect(localBackup.chatRequests().length).toBe(backupBefore);
    local.setMode('ok');
  });

  it('reports a failure after the first token inside the stream, as an error event', async () => {
    local.setMode('cut-mid-stream');
    const stream = await client.chat.completions.create({ model: 'ollama-box/llama-3', messages: [{ role: 'user', content: 'hi' }], stream: true });
    let text = '';
    const failure = await (async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    })().catch((error: unknown) => error);
    expect(text.length).toBeGreaterThan(0);
    expect(failure).toBeInstanceOf(Error);
    expect(String((failure as Error).message)).toMatch(/after the stream started/);
    local.setMode('ok');
  });

  it('answers bad input with clear OpenAI-style errors, never a 500', async () => {
    const server = use();
    const call = (payload: object) => server.call({ method: 'POST', url: '/v1/chat/completions', key: secret, payload });
    const unknown = await call({ model: 'no-such-model', messages: [{ role: 'user', content: 'x' }] });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().error).toMatchObject({ code: 'model_not_found', type: 'invalid_request_error' });
    const noMessages = await call({ model: 'llama-3', messages: [] });
    expect(noMessages.statusCode).toBe(400);
    expect(noMessages.json().error.message).toContain('messages');
    const badRole = await call({ model: 'llama-3', messages: [{ role: 'wizard', content: 'x' }] });
    expect(badRole.statusCode).toBe(400);
    const badTool = await call({ model: 'llama-3', messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'string' } } }] });
    expect(badTool.statusCode).toBe(400);
    expect(badTool.json().error.type).toBe('invalid_request_error');
    const badClass = await server.call({ method: 'POST', url: '/v1/chat/completions', key: secret, headers: { 'x-stead-data-class': 'secret' }, payload: { model: 'llama-3', messages: [{ role: 'user', content: 'x' }] } });
    expect(badClass.statusCode).toBe(400);
    const noKey = await server.call({ method: 'POST', url: '/v1/chat/completions', payload: { model: 'llama-3', messages: [{ role: 'user', content: 'x' }] } });
    expect(noKey.statusCode).toBe(401);
  });

  it('explains routing without calling a model, and records every call with its decision in the usage ledger', async () => {
    const server = use();
    const before = local.chatRequests().length + localBackup.chatRequests().length + hosted.chatRequests().length;
    const decision = await server.call({ method: 'GET', url: `/api/workspaces/${owner.workspace.id}/model-routes/test?model=llama-3&dataClass=private`, cookie: owner.cookie });
    expect(decision.statusCode).toBe(200);
    expect(decision.json()).toMatchObject({ dataClass: 'private', candidates: [{ model: 'ollama-box/llama-3', locality: 'local' }, { model: 'backup/llama-3', locality: 'local' }] });
    expect(local.chatRequests().length + localBackup.chatRequests().length + hosted.chatRequests().length).toBe(before);

    const usage = (await server.call({ method: 'GET', url: `/api/workspaces/${owner.workspace.id}/model-usage`, cookie: owner.cookie })).json().records as { requestedModel: string; target: string | null; status: string; dataClass: string; keyId: string | null; reason: string; errorCode: string | null }[];
    expect(usage.some((record) => record.dataClass === 'private' && record.errorCode === 'route_no_private_target' && record.target === null)).toBe(true);
    expect(usage.some((record) => record.target === 'backup/llama-3' && record.status === 'ok')).toBe(true);
    expect(usage.every((record) => record.keyId !== null)).toBe(true);
  });

  it('routes aliases, rules and latency tiers, and applies key and workspace default data classes', async () => {
    const server = use();
    const base = `/api/workspaces/${owner.workspace.id}`;
    const alias = await server.call({ method: 'PUT', url: `${base}/model-aliases/fast`, cookie: owner.cookie, payload: { targets: ['backup/llama-3', 'cloud/gpt-x'] } });
    expect(alias.statusCode).toBe(200);
    const viaAlias = await client.chat.completions.create({ model: 'fast', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    expect(viaAlias.response.headers.get('x-stead-target')).toBe('backup/llama-3');

    const rules = await server.call({
      method: 'PUT',
      url: `${base}/model-rules`,
      cookie: owner.cookie,
      payload: { rules: [{ name: 'long prompts to the cloud', match: { minEstimatedTokens: 100 }, targets: ['cloud/gpt-x'] }, { name: 'fast tier', match: { latencyTier: 'fast' }, targets: ['backup/llama-3'] }] },
    });
    expect(rules.statusCode).toBe(200);
    const long = await client.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'x'.repeat(800) }] }).withResponse();
    expect(long.response.headers.get('x-stead-target')).toBe('cloud/gpt-x');
    const fastClient = new OpenAI({ apiKey: secret, baseURL: `${origin}/v1`, maxRetries: 0, defaultHeaders: { 'x-stead-latency': 'fast' } });
    const fast = await fastClient.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    expect(fast.response.headers.get('x-stead-target')).toBe('backup/llama-3');
    const tester = await server.call({ method: 'GET', url: `${base}/model-routes/test?model=auto&estimatedTokens=500`, cookie: owner.cookie });
    expect(tester.json().reason).toContain('rule "long prompts to the cloud"');

    // No header: the workspace default applies, and a key's own default overrides it.
    await server.call({ method: 'PUT', url: `${base}/model-data-classes`, cookie: owner.cookie, payload: { dataClass: 'private' } });
    const refused = await client.chat.completions.create({ model: 'cloud/gpt-x', messages: [{ role: 'user', content: 'hi' }] }).catch((error: unknown) => error);
    expect((refused as InstanceType<typeof OpenAI.APIError>).code).toBe('route_no_private_target');
    const keys = (await server.call({ method: 'GET', url: `${base}/keys`, cookie: owner.cookie })).json().keys as { id: string; prefix: string }[];
    const keyId = keys.find((key) => secret.startsWith(key.prefix))!.id;
    await server.call({ method: 'PUT', url: `${base}/model-data-classes`, cookie: owner.cookie, payload: { keyId, dataClass: 'public' } });
    const allowed = await client.chat.completions.create({ model: 'cloud/gpt-x', messages: [{ role: 'user', content: 'hi' }] });
    expect(allowed.choices[0]!.message.content).toBe(fixtureChatText());
    // The tester answers the same: without a data class the workspace's default, with the key the key's.
    const testRoute = async (query: string) => (await server.call({ method: 'GET', url: `${base}/model-routes/test?model=cloud/gpt-x${query}`, cookie: owner.cookie })).json();
    expect((await testRoute('')).error.code).toBe('route_no_private_target');
    expect(await testRoute(`&keyId=${keyId}`)).toMatchObject({ dataClass: 'public', candidates: [{ model: 'cloud/gpt-x' }] });
    expect((await testRoute(`&keyId=${keyId}&dataClass=private`)).error.code).toBe('route_no_private_target');
    expect((await testRoute('&keyId=no-such-key')).error.code).toBe('key_not_found');
    await server.call({ method: 'PUT', url: `${base}/model-data-classes`, cookie: owner.cookie, payload: { keyId, dataClass: null } });
    await server.call({ method: 'PUT', url: `${base}/model-data-classes`, cookie: owner.cookie, payload: { dataClass: 'internal' } });
    await server.call({ method: 'PUT', url: `${base}/model-rules`, cookie: owner.cookie, payload: { rules: [] } });
  });

  it('enforces request and spend limits per key and per workspace with 429 budget_exceeded, and exports the ledger as CSV', { timeout: 30_000 }, async () => {
    const server = use();
    const base = `/api/workspaces/${owner.workspace.id}`;
    const keys = (await server.call({ method: 'GET', url: `${base}/keys`, cookie: owner.cookie })).json().keys as { id: string; prefix: string }[];
    const keyId = keys.find((key) => secret.startsWith(key.prefix))!.id;
    const set = await server.call({ method: 'PUT', url: `${base}/model-budgets`, cookie: owner.cookie, payload: { keyId, requestsPerMinute: 2 } });
    expect(set.statusCode).toBe(200);
    // Limits and defaults may name only this workspace's keys: a made-up one is refused, nothing is stored.
    const unknownKey = await server.call({ method: 'PUT', url: `${base}/model-budgets`, cookie: owner.cookie, payload: { keyId: 'no-such-key', requestsPerMinute: 2 } });
    expect([unknownKey.statusCode, unknownKey.json().error.code]).toEqual([404, 'key_not_found']);
    const unknownDefault = await server.call({ method: 'PUT', url: `${base}/model-data-classes`, cookie: owner.cookie, payload: { keyId: 'no-such-key', dataClass: 'public' } });
    expect([unknownDefault.statusCode, unknownDefault.json().error.code]).toEqual([404, 'key_not_found']);
    expect((await server.call({ method: 'GET', url: `${base}/model-budgets`, cookie: owner.cookie })).json().budgets.map((budget: { keyId: string | null }) => budget.keyId)).toEqual([keyId]);
    // Windows are whole UTC minutes: start well inside one so the three calls share it.
    const intoMinute = Date.now() % 60_000;
    if (intoMinute > 50_000) await new Promise((resolve) => setTimeout(resolve, 60_100 - intoMinute));
    const results: unknown[] = [];
    for (let index = 0; index < 3; index += 1) results.push(await client.chat.completions.create({ model: 'llama-3', messages: [{ role: 'user', content: 'hi' }] }).catch((error: unknown) => error));
    expect(results[1]).not.toBeInstanceOf(Error);
    const third = results[2] as InstanceType<typeof OpenAI.APIError>;
    expect(third).toBeInstanceOf(OpenAI.APIError);
    expect(third.status).toBe(429);
    expect(third.code).toBe('budget_exceeded');
    expect(third.message).toMatch(/requests per minute limit of 2 for API key .* resets at/);
    const budgets = (await server.call({ method: 'GET', url: `${base}/model-budgets`, cookie: owner.cookie })).json().budgets;
    expect(budgets[0]).toMatchObject({ keyId, limits: { requestsPerMinute: 2 }, usage: { requestsThisMinute: 2 } });
    await server.call({ method: 'PUT', url: `${base}/model-budgets`, cookie: owner.cookie, payload: { keyId } });

    // Spend: a priced model, a tiny daily limit; the first call is allowed and costs, the next is refused.
    await addProvider(server, owner.cookie, owner.workspace.id, { name: 'priced', type: 'openai-compatible', baseUrl: hosted.baseUrl, locality: 'hosted', discover: false, models: [{ name: 'gpt-priced', inputPricePerMillion: 5, outputPricePerMillion: 15 }] });
    await server.call({ method: 'PUT', url: `${base}/model-budgets`, cookie: owner.cookie, payload: { spendPerDay: 0.000001 } });
    await client.chat.completions.create({ model: 'priced/gpt-priced', messages: [{ role: 'user', content: 'hi' }] });
    const refused = await client.chat.completions.create({ model: 'priced/gpt-priced', messages: [{ role: 'user', content: 'hi' }] }).catch((error: unknown) => error);
    expect((refused as InstanceType<typeof OpenAI.APIError>).status).toBe(429);
    expect((refused as InstanceType<typeof OpenAI.APIError>).message).toMatch(/spend per day \(USD\) limit .* for the workspace/);
    await server.call({ method: 'PUT', url: `${base}/model-budgets`, cookie: owner.cookie, payload: {} });

    const csv = await server.call({ method: 'GET', url: `${base}/model-usage.csv`, cookie: owner.cookie });
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    const [header, ...rows] = csv.body.trim().split('\r\n');
    expect(header).toBe('at,requestedModel,target,dataClass,status,errorCode,inputTokens,outputTokens,cost,firstTokenMs,totalMs,stream,keyId,userId,reason');
    expect(rows.some((row) => row.includes('priced/gpt-priced') && row.includes(',ok,'))).toBe(true);
    expect(rows.some((row) => row.includes('budget_exceeded'))).toBe(true);
  });

  it('caches deterministic answers of a rule with a TTL, and never sampled or streamed ones', async () => {
    const server = use();
    const base = `/api/workspaces/${owner.workspace.id}`;
    await server.call({ method: 'PUT', url: `${base}/model-rules`, cookie: owner.cookie, payload: { rules: [{ name: 'cache llama', match: { models: ['llama-3'] }, targets: ['backup/llama-3'], cacheTtlSeconds: 60 }] } });
    const before = localBackup.chatRequests().length;
    const ask = (temperature: number) => client.chat.completions.create({ model: 'llama-3', temperature, messages: [{ role: 'user', content: 'cache me' }] }).withResponse();
    const first = await ask(0);
    expect(first.response.headers.get('x-stead-cache')).toBe('miss');
    const second = await ask(0);
    expect(second.response.headers.get('x-stead-cache')).toBe('hit');
    expect(second.data.choices[0]!.message.content).toBe(fixtureChatText());
    expect(localBackup.chatRequests().length).toBe(before + 1);
    const sampled = await ask(0.7);
    expect(sampled.response.headers.get('x-stead-cache')).toBeNull();
    expect(localBackup.chatRequests().length).toBe(before + 2);
    await server.call({ method: 'PUT', url: `${base}/model-rules`, cookie: owner.cookie, payload: { rules: [] } });
  });

  it('disables a provider so it serves nothing while the list still counts its models, and enables it again', async () => {
    const server = use();
    const url = `/api/workspaces/${owner.workspace.id}/model-providers/ollama-box`;
    const disabled = await server.call({ method: 'PATCH', url, cookie: owner.cookie, payload: { enabled: false } });
    expect(disabled.statusCode).toBe(200);
    expect(disabled.json().provider).toMatchObject({ enabled: false, modelCount: 2 });
    // A disabled provider keeps its models: the list counts them although none serves.
    const listed = (await server.call({ method: 'GET', url: `/api/workspaces/${owner.workspace.id}/model-providers`, cookie: owner.cookie })).json().providers as { name: string; enabled: boolean; modelCount: number; declared: boolean }[];
    expect(listed.find((provider) => provider.name === 'ollama-box')).toMatchObject({ enabled: false, modelCount: 2, declared: false });
    const before = local.chatRequests().length;
    const served = await client.chat.completions.create({ model: 'llama-3', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    expect(served.response.headers.get('x-stead-target')).toBe('backup/llama-3');
    expect(local.chatRequests().length).toBe(before);
    expect((await client.models.list()).data.map((model) => model.id)).not.toContain('ollama-box/llama-3');
    // Asked for by its full name, the model exists but cannot serve: the error says why instead of "no such model".
    const named = (await client.chat.completions.create({ model: 'ollama-box/llama-3', messages: [{ role: 'user', content: 'hi' }] }).catch((error: unknown) => error)) as InstanceType<typeof OpenAI.APIError>;
    expect([named.status, named.code]).toEqual([404, 'model_not_found']);
    expect(named.message).toContain('its provider ollama-box is disabled');
    expect(local.chatRequests().length).toBe(before);
    await server.call({ method: 'PATCH', url, cookie: owner.cookie, payload: { enabled: true } });
    const back = await client.chat.completions.create({ model: 'llama-3', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    expect(back.response.headers.get('x-stead-target')).toBe('ollama-box/llama-3');
  });

  it('runs model.prompt tasks through the gateway and stores the answer', async () => {
    const server = use();
    const created = await server.call({ method: 'POST', url: `/api/workspaces/${owner.workspace.id}/tasks`, cookie: owner.cookie, payload: { kind: 'model.prompt', input: { model: 'llama-3', prompt: 'Summarise', dataClass: 'private' } } });
    expect(created.statusCode).toBe(201);
    const id = (created.json().task as Task).id;
    const done = await waitFor(async () => (await server.call({ method: 'GET', url: `/api/workspaces/${owner.workspace.id}/tasks/${id}`, cookie: owner.cookie })).json().task as Task, (task) => ['succeeded', 'failed'].includes(task.state));
    expect(done.state).toBe('succeeded');
    expect(done.output).toMatchObject({ text: fixtureChatText(), target: 'ollama-box/llama-3' });
    const refused = await server.call({ method: 'POST', url: `/api/workspaces/${owner.workspace.id}/tasks`, cookie: owner.cookie, payload: { kind: 'model.prompt', input: { model: 'gpt-x', prompt: 'Summarise', dataClass: 'private' } } });
    const refusedId = (refused.json().task as Task).id;
    const failed = await waitFor(async () => (await server.call({ method: 'GET', url: `/api/workspaces/${owner.workspace.id}/tasks/${refusedId}`, cookie: owner.cookie })).json().task as Task, (task) => ['succeeded', 'failed'].includes(task.state));
    expect(failed).toMatchObject({ state: 'failed', attempts: 1 });
    expect(failed.error).toMatch(/private/);
  });
  it('writes a ledger row for every one of many concurrent calls', async () => {
    const { db } = use().core.database;
    const count = async () => Number((await db.selectFrom('modelUsage').select((eb) => eb.fn.countAll().as('rows')).where('requestedModel', '=', 'backup/llama-3').executeTakeFirstOrThrow()).rows);
    const before = await count();
    const calls = 130;
    await Promise.all(Array.from({ length: calls }, () => client.chat.completions.create({ model: 'backup/llama-3', messages: [{ role: 'user', content: 'hi' }] })));
    expect(await waitFor(count, (rows) => rows >= before + calls)).toBe(before + calls);
  });
  // Breakers stay closed here (threshold 1,000): these tests are about routing; the breaker suite below trips them.
}, { config: { egressAllowedHosts: ['127.0.0.1'], modelBreakerThreshold: 1_000 } });

describeEachServer('model gateway circuit breakers', (use) => {
  let flaky: Upstream;
  let steady: Upstream;
  let owner: Awaited<ReturnType<typeof setUpOwner>>;
  let client: OpenAI;
  beforeAll(async () => {
    flaky = await startOpenAiUpstream('flaky', ['llama-3']);
    steady = await startOpenAiUpstream('steady', ['llama-3']);
  });
  afterAll(async () => {
    await Promise.all([flaky.close(), steady.close()]);
  });

  it('opens a breaker after repeated failures, skips the target without calling it, shows it, and closes after a good probe', async () => {
    const server = use();
    owner = await setUpOwner(server);
    await addProvider(server, owner.cookie, owner.workspace.id, { name: 'flaky', type: 'openai-compatible', baseUrl: flaky.baseUrl, locality: 'local' });
    await addProvider(server, owner.cookie, owner.workspace.id, { name: 'steady', type: 'openai-compatible', baseUrl: steady.baseUrl, locality: 'local' });
    await server.app.listen({ host: '127.0.0.1', port: 0 });
    const { secret } = await createKey(server, owner.cookie, owner.workspace.id, 'member');
    client = new OpenAI({ apiKey: secret, baseURL: `http://127.0.0.1:${(server.app.server.address() as { port: number }).port}/v1`, maxRetries: 0 });
    const target = async () => (await client.chat.completions.create({ model: 'llama-3', messages: [{ role: 'user', content: 'hi' }] }).withResponse()).response.headers.get('x-stead-target');

    flaky.setMode('503');
    expect(await target()).toBe('steady/llama-3'); // flaky fails twice (one retry), steady serves
    expect(await target()).toBe('steady/llama-3'); // the third failure opens the breaker (threshold 3): no retry
    const callsWhenOpened = flaky.chatRequests().length;
    expect(callsWhenOpened).toBe(3);
    expect(await target()).toBe('steady/llama-3');
    expect(flaky.chatRequests().length).toBe(callsWhenOpened);
    const listed = (await server.call({ method: 'GET', url: `/api/workspaces/${owner.workspace.id}/models`, cookie: owner.cookie })).json().models as { qualifiedName: string; health: { breaker: string; retryAt: string | null; errorRate: number | null } }[];
    expect(listed.find((model) => model.qualifiedName === 'flaky/llama-3')!.health).toMatchObject({ breaker: 'open', retryAt: expect.any(String), errorRate: 1 });
    const usage = (await server.call({ method: 'GET', url: `/api/workspaces/${owner.workspace.id}/model-usage?limit=1`, cookie: owner.cookie })).json().records[0];
    expect(usage.reason).toContain('flaky/llama-3: breaker open');

    flaky.setMode('ok');
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    expect(await target()).toBe('flaky/llama-3'); // the half-open probe succeeds and closes the breaker
    const after = (await server.call({ method: 'GET', url: `/api/workspaces/${owner.workspace.id}/models`, cookie: owner.cookie })).json().models as { qualifiedName: string; health: { breaker: string } }[];
    expect(after.find((model) => model.qualifiedName === 'flaky/llama-3')!.health.breaker).toBe('closed');
  });
}, { config: { egressAllowedHosts: ['127.0.0.1'], modelBreakerThreshold: 3, modelBreakerCooldownMs: 1_000 } });

describeEachServer('model gateway upstream faults', (use) => {
  let faulty: Upstream;
  let healthy: Upstream;
  let client: OpenAI;
  beforeAll(async () => {
    faulty = await startOpenAiUpstream('faulty', ['llama-3']);
    healthy = await startOpenAiUpstream('healthy', ['llama-3']);
  });
  afterAll(async () => {
    await Promise.all([faulty.close(), healthy.close()]);
  });

  const served = async (stream: boolean) => {
    if (!stream) return (await client.chat.completions.create({ model: 'llama-3', messages: [{ role: 'user', content: 'hi' }] }).withResponse()).response.headers.get('x-stead-target');
    const { data, response } = await client.chat.completions.create({ model: 'llama-3', messages: [{ role: 'user', content: 'hi' }], stream: true }).withResponse();
    let text = '';
    for await (const chunk of data) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe(fixtureChatText());
    return response.headers.get('x-stead-target');
  };

  it('falls back before the first token on a hung upstream, a reset connection and a slow first token', async () => {
    const server = use();
    const owner = await setUpOwner(server);
    const timeouts = { connectMs: 400, firstTokenMs: 400, totalMs: 800 };
    await addProvider(server, owner.cookie, owner.workspace.id, { name: 'faulty', type: 'openai-compatible', baseUrl: faulty.baseUrl, locality: 'local', timeouts });
    await addProvider(server, owner.cookie, owner.workspace.id, { name: 'healthy', type: 'openai-compatible', baseUrl: healthy.baseUrl, locality: 'local' });
    await server.app.listen({ host: '127.0.0.1', port: 0 });
    const { secret } = await createKey(server, owner.cookie, owner.workspace.id, 'member');
    client = new OpenAI({ apiKey: secret, baseURL: `http://127.0.0.1:${(server.app.server.address() as { port: number }).port}/v1`, maxRetries: 0 });

    expect(await served(false)).toBe('faulty/llama-3');
    for (const [mode, stream] of [['hang', false], ['hang', true], ['reset', false], ['reset', true], ['slow-first-token', true]] as const) {
      faulty.setMode(mode);
      const started = Date.now();
      expect(await served(stream), `${mode} stream=${stream}`).toBe('healthy/llama-3');
      // Two attempts on the faulty target at most, each bounded by its timeout.
      expect(Date.now() - started).toBeLessThan(5_000);
    }
    const usage = (await server.call({ method: 'GET', url: `/api/workspaces/${owner.workspace.id}/model-usage?limit=5`, cookie: owner.cookie })).json().records as { reason: string; status: string }[];
    expect(usage.every((record) => record.status === 'ok' && record.reason.includes('tried before: faulty/llama-3'))).toBe(true);
  });
}, { config: { egressAllowedHosts: ['127.0.0.1'], modelBreakerThreshold: 1_000 } });
