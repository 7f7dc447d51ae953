import OpenAI from 'openai';
import { afterAll, expect, it } from 'vitest';
import { waitFor } from '../../../test/support/http-target.ts';
import { fixtureChatText, startOpenAiUpstream } from '../../../test/support/openai-upstream.ts';
import { createKey, describeEachServer, setUpOwner, type TestServer } from '../../../test/support/test-server.ts';
import { createCore, type SteadCore } from '../../app.ts';
import { isSteadError } from '../../platform/errors/stead-error.ts';
import { declaredGatewaySchema, type AliasView, type ModelView, type ProviderView, type RouteRuleView } from './models.schema.ts';

/**
 * Providers, aliases and rules declared in `stead.config.yaml` (the `gateway` block): synced into every
 * workspace, served like the others, read-only everywhere, removed when they leave the file. The upstreams are
 * local OpenAI-compatible servers replaying recorded fixtures.
 */
const local = await startOpenAiUpstream('declared-local', ['llama-3']);
const hosted = await startOpenAiUpstream('declared-hosted', ['gpt-priced']);
const discoverable = await startOpenAiUpstream('declared-lan', ['lan-chat', 'lan-embed']);
afterAll(async () => {
  await Promise.all([local.close(), hosted.close(), discoverable.close()]);
});

const apiKeyVariable = 'STEAD_DECLARED_TEST_UPSTREAM_KEY';
const upstreamKey = 'sk-declared-upstream-5678';
process.env[apiKeyVariable] = upstreamKey;

const declaredRule = { name: 'private-stays-local', match: { dataClasses: ['private' as const] }, targets: ['box/llama-3'] };
const gateway = {
  providers: [
    { name: 'box', type: 'openai-compatible' as const, baseUrl: local.baseUrl, locality: 'local' as const, models: [{ name: 'llama-3', capabilities: ['chat' as const, 'tools' as const], inputPricePerMillion: 0, outputPricePerMillion: 0 }] },
    // $5 / $15 per million: one fixture answer (31 tokens in, 24 out) costs $0.000515.
    { name: 'cloud', type: 'openai-compatible' as const, baseUrl: hosted.baseUrl, locality: 'hosted' as const, apiKeyEnv: apiKeyVariable, timeouts: { totalMs: 20_000 }, models: [{ name: 'gpt-priced', inputPricePerMillion: 5, outputPricePerMillion: 15 }] },
  ],
  aliases: { smart: ['cloud/gpt-priced', 'box/llama-3'] },
  rules: [declaredRule],
};

type ErrorBody = { error: { code: string; message: string } };

/** Releases a second core started on the test server's database, leaving the database to the test server. */
const release = async (core: SteadCore) => {
  await core.queue.close();
  await core.egress.close();
  await core.models.close();
  await core.keyValue.close();
  await core.events.close();
};

describeEachServer('declared model gateway (stead.config.yaml)', (use) => {
  let owner: Awaited<ReturnType<typeof setUpOwner>>;
  let client: OpenAI;
  let origin: string;
  let secret: string;
  const base = () => `/api/workspaces/${owner.workspace.id}`;
  const get = async <T>(server: TestServer, path: string): Promise<T> => (await server.call({ method: 'GET', url: `${base()}${path}`, cookie: owner.cookie })).json() as T;

  it('lists declared providers, models, aliases and rules as declared in a new workspace, and keeps the API key in the secrets', async () => {
    const server = use();
    owner = await setUpOwner(server);
    const { providers } = await get<{ providers: ProviderView[] }>(server, '/model-providers');
    expect(providers.map((provider) => [provider.name, provider.declared, provider.modelCount, provider.hasApiKey, provider.locality])).toEqual([
      ['box', true, 1, false, 'local'],
      ['cloud', true, 1, true, 'hosted'],
    ]);
    expect(providers[1]!.timeouts).toEqual({ totalMs: 20_000 });
    expect(JSON.stringify(providers)).not.toContain(upstreamKey);
    expect(await server.core.secrets.reveal(owner.workspace.id, `model-provider:${providers[1]!.id}`)).toBe(upstreamKey);

    const { models } = await get<{ models: ModelView[] }>(server, '/models');
    expect(models.map((model) => [model.qualifiedName, model.declared, model.source, model.inputPricePerMillion])).toEqual([
      ['box/llama-3', true, 'declared', 0],
      ['cloud/gpt-priced', true, 'declared', 5],
    ]);
    const { aliases } = await get<{ aliases: AliasView[] }>(server, '/model-aliases');
    expect(aliases).toMatchObject([{ name: 'smart', targets: ['cloud/gpt-priced', 'box/llama-3'], declared: true }]);
    const { rules } = await get<{ rules: RouteRuleView[] }>(server, '/model-rules');
    expect(rules).toMatchObject([{ ...declaredRule, enabled: true, cacheTtlSeconds: null, declared: true }]);

    // Made in the dashboard next to them: not declared.
    const mine = await server.call({ method: 'POST', url: `${base()}/model-providers`, cookie: owner.cookie, payload: { name: 'mine', type: 'openai-compatible', baseUrl: local.baseUrl, locality: 'local', discover: false, models: [{ name: 'llama-3' }] } });
    expect(mine.statusCode).toBe(201);
    expect(mine.json().provider).toMatchObject({ name: 'mine', declared: false, modelCount: 1 });
  });

  it('routes /v1 chat requests through the declared providers, alias and rule', async () => {
    const server = use();
    await server.app.listen({ host: '127.0.0.1', port: 0 });
    origin = `http://127.0.0.1:${(server.app.server.address() as { port: number }).port}`;
    secret = (await createKey(server, owner.cookie, owner.workspace.id, 'member')).secret;
    client = new OpenAI({ apiKey: secret, baseURL: `${origin}/v1`, maxRetries: 0 });

    const viaAlias = await client.chat.completions.create({ model: 'smart', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    expect(viaAlias.response.headers.get('x-stead-target')).toBe('cloud/gpt-priced');
    expect(viaAlias.data.choices[0]!.message.content).toBe(fixtureChatText());
    expect(hosted.chatRequests().at(-1)!.body).toMatchObject({ model: 'gpt-priced' });

    const hostedBefore = hosted.chatRequests().length;
    const privateClient = new OpenAI({ apiKey: secret, baseURL: `${origin}/v1`, maxRetries: 0, defaultHeaders: { 'x-stead-data-class': 'private' } });
    const stream = await privateClient.chat.completions.create({ model: 'auto', messages: [{ role: 'user', content: 'my notes' }], stream: true }).withResponse();
    let text = '';
    for await (const chunk of stream.data) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe(fixtureChatText());
    expect(stream.response.headers.get('x-stead-target')).toBe('box/llama-3');
    expect(hosted.chatRequests().length).toBe(hostedBefore);
    const decision = await get<{ reason: string }>(server, '/model-routes/test?model=auto&dataClass=private');
    expect(decision.reason).toContain('rule "private-stays-local"');
  });

  it('refuses every change to a declared entry with 409 provider_read_only, and lets dashboard-made ones change as before', async () => {
    const server = use();
    const refused = async (method: 'PATCH' | 'DELETE' | 'PUT' | 'POST', path: string, payload?: object) => {
      const response = await server.call({ method, url: `${base()}${path}`, cookie: owner.cookie, ...(payload ? { payload } : {}) });
      expect(response.statusCode, `${method} ${path}: ${response.body}`).toBe(409);
      const { error } = response.json() as ErrorBody;
      expect(error.code).toBe('provider_read_only');
      expect(error.message).toMatch(/declared in stead\.config\.yaml/);
      return error.message;
    };
    expect(await refused('PATCH', '/model-providers/box', { enabled: false })).toMatch(/^Provider box is declared in stead\.config\.yaml and read-only here: change or remove it there and restart Stead$/);
    await refused('PATCH', '/model-providers/cloud', { apiKey: 'sk-other-key-0000' });
    await refused('DELETE', '/model-providers/box');
    await refused('PATCH', '/model-providers/box', { name: 'renamed-box', locality: 'hosted' });
    const declaredModel = (await get<{ models: ModelView[] }>(server, '/models')).models.find((model) => model.providerName === 'box')!;
    expect(await refused('PATCH', `/models/${declaredModel.id}`, { capabilities: ['embeddings'] })).toMatch(/^Model box\/.+ is declared in stead\.config\.yaml/);
    await refused('POST', '/model-providers', { name: 'cloud', type: 'openai-compatible', baseUrl: hosted.baseUrl, locality: 'hosted', discover: false });
    await refused('PUT', '/model-aliases/smart', { targets: ['box/llama-3'] });
    await refused('DELETE', '/model-aliases/smart');
    const own = { name: 'mine first', match: { models: ['llama-3'] }, targets: ['mine/llama-3'] };
    // Changed, moved behind a rule made here, or a rule made here taking its name.
    await refused('PUT', '/model-rules', { rules: [{ ...declaredRule, targets: ['cloud/gpt-priced'] }, own] });
    await refused('PUT', '/model-rules', { rules: [own, declaredRule] });
    await refused('PUT', '/model-rules', { rules: [declaredRule, { ...own, name: declaredRule.name }] });
    await refused('PUT', '/model-rules', { rules: [{ ...declaredRule, enabled: false }] });
    expect((await get<{ providers: ProviderView[] }>(server, '/model-providers')).providers.find((provider) => provider.name === 'box')).toMatchObject({ enabled: true });
    expect(await server.core.secrets.reveal(owner.workspace.id, `model-provider:${(await get<{ providers: ProviderView[] }>(server, '/model-providers')).providers[1]!.id}`)).toBe(upstreamKey);

    // The list of rules made here, alone or behind the declared ones sent back unchanged: declared stay first.
    const onlyOwn = await server.call({ method: 'PUT', url: `${base()}/model-rules`, cookie: owner.cookie, payload: { rules: [own] } });
    expect(onlyOwn.statusCode).toBe(200);
    expect((onlyOwn.json().rules as RouteRuleView[]).map((rule) => [rule.name, rule.declared])).toEqual([[declaredRule.name, true], [own.name, false]]);
    const roundTrip = (await get<{ rules: RouteRuleView[] }>(server, '/model-rules')).rules.map(({ name, match, targets, enabled, cacheTtlSeconds }) => ({ name, match, targets, enabled, cacheTtlSeconds }));
    const again = await server.call({ method: 'PUT', url: `${base()}/model-rules`, cookie: owner.cookie, payload: { rules: [...roundTrip, { ...own, name: 'second' }] } });
    expect(again.statusCode, again.body).toBe(200);
    expect((again.json().rules as RouteRuleView[]).map((rule) => [rule.name, rule.declared, rule.position])).toEqual([[declaredRule.name, true, 0], [own.name, false, 0], ['second', false, 1]]);
    const served = await client.chat.completions.create({ model: 'llama-3', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    expect(served.response.headers.get('x-stead-target')).toBe('mine/llama-3');

    // Entries made here change as before.
    const disabled = await server.call({ method: 'PATCH', url: `${base()}/model-providers/mine`, cookie: owner.cookie, payload: { enabled: false } });
    expect(disabled.statusCode).toBe(200);
    expect(disabled.json().provider).toMatchObject({ enabled: false, declared: false, modelCount: 1 });
    expect((await server.call({ method: 'PUT', url: `${base()}/model-aliases/cheap`, cookie: owner.cookie, payload: { targets: ['box/llama-3'] } })).json().alias).toMatchObject({ name: 'cheap', declared: false });
    expect((await server.call({ method: 'DELETE', url: `${base()}/model-aliases/cheap`, cookie: owner.cookie })).statusCode).toBe(204);
    expect((await server.call({ method: 'PUT', url: `${base()}/model-rules`, cookie: owner.cookie, payload: { rules: [] } })).json().rules).toMatchObject([{ name: declaredRule.name, declared: true }]);
    expect((await server.call({ method: 'DELETE', url: `${base()}/model-providers/mine`, cookie: owner.cookie })).statusCode).toBe(200);
  });

  it('routes to the stated target once less than the stated share of the spend budget is left, and not before; the tester shows it', async () => {
    const server = use();
    const rule = { name: 'thrifty', match: { models: ['smart'], budgetRemainingBelowPercent: 50 }, targets: ['box/llama-3'] };
    expect((await server.call({ method: 'PUT', url: `${base()}/model-rules`, cookie: owner.cookie, payload: { rules: [rule] } })).statusCode).toBe(200);
    // One answer from cloud/gpt-priced costs $0.000515: 64% of this limit, leaving 35.6%.
    expect((await server.call({ method: 'PUT', url: `${base()}/model-budgets`, cookie: owner.cookie, payload: { spendPerDay: 0.0008 } })).statusCode).toBe(200);
    // Windows are UTC days: two calls a few seconds apart across midnight would count in two.
    const intoDay = Date.now() % 86_400_000;
    if (intoDay > 86_400_000 - 10_000) await new Promise((resolve) => setTimeout(resolve, 86_400_000 - intoDay + 100));

    const before = await get<{ reason: string; candidates: { model: string }[] }>(server, '/model-routes/test?model=smart');
    expect(before.reason).toMatch(/^alias smart/);
    expect(before.candidates[0]!.model).toBe('cloud/gpt-priced');
    const first = await client.chat.completions.create({ model: 'smart', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    expect(first.response.headers.get('x-stead-target')).toBe('cloud/gpt-priced');

    const after = await get<{ reason: string; candidates: { model: string }[] }>(server, '/model-routes/test?model=smart');
    expect(after.reason).toContain('rule "thrifty" (35.6% of the spend budget left, below 50%)');
    expect(after.candidates.map((candidate) => candidate.model)).toEqual(['box/llama-3']);
    const second = await client.chat.completions.create({ model: 'smart', messages: [{ role: 'user', content: 'hi' }] }).withResponse();
    expect(second.response.headers.get('x-stead-target')).toBe('box/llama-3');
    const usage = (await get<{ records: { reason: string; target: string }[] }>(server, '/model-usage?limit=1')).records[0]!;
    expect(usage).toMatchObject({ target: 'box/llama-3', reason: expect.stringContaining('rule "thrifty"') });

    await server.call({ method: 'PUT', url: `${base()}/model-budgets`, cookie: owner.cookie, payload: {} });
    await server.call({ method: 'PUT', url: `${base()}/model-rules`, cookie: owner.cookie, payload: { rules: [] } });
  });

  it('removes declared entries that left the file at the next start, keeps the others, and refuses to start over an entry made here with a declared name', async () => {
    const server = use();
    const made = await server.call({ method: 'POST', url: `${base()}/model-providers`, cookie: owner.cookie, payload: { name: 'mine2', type: 'openai-compatible', baseUrl: local.baseUrl, locality: 'local', discover: false, models: [{ name: 'llama-3' }] } });
    expect(made.statusCode).toBe(201);
    await server.call({ method: 'PUT', url: `${base()}/model-aliases/cheap`, cookie: owner.cookie, payload: { targets: ['mine2/llama-3'] } });
    await server.call({ method: 'PUT', url: `${base()}/model-rules`, cookie: owner.cookie, payload: { rules: [{ name: 'own', targets: ['mine2/llama-3'] }] } });
    const cloudId = (await get<{ providers: ProviderView[] }>(server, '/model-providers')).providers.find((provider) => provider.name === 'cloud')!.id;

    // The same database, started again with only `box` left in the file (and `box` now with two models).
    const restart = (next: object) => createCore({ ...server.core.config, gateway: declaredGatewaySchema.parse(next) }, { database: server.core.database, migrate: false });
    const smaller = { providers: [{ ...gateway.providers[0]!, models: [...gateway.providers[0]!.models, { name: 'llama-3-long', contextLength: 131_072 }] }] };
    const core = await restart(smaller);
    try {
      const workspaceId = owner.workspace.id;
      expect((await core.models.listProviders(workspaceId)).map((provider) => [provider.name, provider.declared, provider.modelCount])).toEqual([
        ['box', true, 2],
        ['mine2', false, 1],
      ]);
      expect(await core.secrets.reveal(workspaceId, `model-provider:${cloudId}`)).toBeUndefined();
      expect((await core.models.listAliases(workspaceId)).map((alias) => [alias.name, alias.declared])).toEqual([['cheap', false]]);
      expect((await core.models.listRules(workspaceId)).map((rule) => [rule.name, rule.declared])).toEqual([['own', false]]);
      // A second start with the same file changes nothing.
      const ids = (await core.models.listProviders(workspaceId)).map((provider) => provider.id);
      await core.models.syncDeclared([{ id: workspaceId }]);
      expect((await core.models.listProviders(workspaceId)).map((provider) => provider.id)).toEqual(ids);
    } finally {
      await release(core);
    }

    const clash = await restart({ ...smaller, providers: [...smaller.providers, { ...gateway.providers[0]!, name: 'mine2' }], aliases: { cheap: ['box/llama-3'] } }).catch((error: unknown) => error);
    expect(isSteadError(clash) && clash.code).toBe('config_invalid');
    expect((clash as Error).message).toMatch(/Stead does not overwrite those: workspace acme has provider mine2, alias cheap\. Rename/);
    const providers = (await get<{ providers: ProviderView[] }>(server, '/model-providers')).providers;
    expect(providers.find((provider) => provider.name === 'mine2')).toMatchObject({ declared: false, modelCount: 1 });
  });
}, { config: { egressAllowedHosts: ['127.0.0.1'], modelBreakerThreshold: 1_000, gateway } });

describeEachServer('declared model gateway egress', (use) => {
  it('lets a declared local provider reach its own loopback address and discovers its models; a declared hosted one stays refused', async () => {
    const server = use();
    const owner = await setUpOwner(server);
    const base = `/api/workspaces/${owner.workspace.id}`;
    const models = await waitFor(
      async () => ((await server.call({ method: 'GET', url: `${base}/models`, cookie: owner.cookie })).json() as { models: ModelView[] }).models,
      (list) => list.length >= 2,
    );
    expect(models.map((model) => [model.qualifiedName, model.source, model.declared])).toEqual([
      ['lan/lan-chat', 'discovered', true],
      ['lan/lan-embed', 'discovered', true],
    ]);
    const { secret } = await createKey(server, owner.cookie, owner.workspace.id, 'member');
    const answer = await server.call({ method: 'POST', url: '/v1/chat/completions', key: secret, payload: { model: 'lan/lan-chat', messages: [{ role: 'user', content: 'hi' }] } });
    expect(answer.statusCode, answer.body).toBe(200);
    const test = await server.call({ method: 'POST', url: `${base}/model-providers/lan-hosted/test`, cookie: owner.cookie });
    expect(test.statusCode).toBe(502);
    expect(test.json().error).toMatchObject({ code: 'provider_test_failed', message: expect.stringMatching(/refused/i) });
  });
}, {
  config: {
    gateway: {
      providers: [
        { name: 'lan', type: 'openai-compatible', baseUrl: discoverable.baseUrl, locality: 'local' },
        { name: 'lan-hosted', type: 'openai-compatible', baseUrl: discoverable.baseUrl, locality: 'hosted' },
      ],
    },
  },
});
