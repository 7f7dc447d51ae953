import { afterAll, beforeAll, expect, it } from 'vitest';
import { waitFor } from '../../../test/support/http-target.ts';
import { startOpenAiUpstream } from '../../../test/support/openai-upstream.ts';
import { addMember, createKey, describeEachServer, setUpOwner, type TestServer } from '../../../test/support/test-server.ts';
import type { Overview } from './overview.schema.ts';

const overviewOf = async (server: TestServer, workspaceId: string, credentials: { cookie?: string; key?: string; host?: string }) =>
  server.call({ method: 'GET', url: `/api/workspaces/${workspaceId}/overview`, ...credentials });

describeEachServer('workspace overview', (use) => {
  let upstream: Awaited<ReturnType<typeof startOpenAiUpstream>>;
  let owner: Awaited<ReturnType<typeof setUpOwner>>;

  beforeAll(async () => {
    upstream = await startOpenAiUpstream('local', ['llama-3']);
  });
  afterAll(async () => {
    await upstream.close();
  });

  it('shows a fresh workspace with nothing set up, and the /v1 base URL the server advertises', async () => {
    const server = use();
    owner = await setUpOwner(server);
    const response = await overviewOf(server, owner.workspace.id, { cookie: owner.cookie });
    expect(response.statusCode).toBe(200);
    const overview = response.json() as Overview;
    expect(overview.gateway.baseUrl).toBe('http://localhost:80/v1');
    expect(overview.setup).toEqual({ providers: 0, models: 0, keys: 0 });
    expect(overview.usageToday).toMatchObject({ requests: 0, errors: 0, spend: 0, truncated: false });
  });

  it('never builds the base URL on a forged Host', async () => {
    const response = await overviewOf(use(), owner.workspace.id, { cookie: owner.cookie, host: 'attacker.example' });
    expect(response.statusCode).toBe(421);
    expect(response.body).not.toContain('attacker.example/v1');
  });

  it('counts models, usable keys and today’s calls once the workspace is set up', async () => {
    const server = use();
    const added = await server.call({
      method: 'POST', url: `/api/workspaces/${owner.workspace.id}/model-providers`, cookie: owner.cookie,
      payload: { name: 'box', type: 'openai-compatible', baseUrl: upstream.baseUrl, locality: 'local' },
    });
    expect(added.statusCode, added.body).toBe(201);
    const { secret } = await createKey(server, owner.cookie, owner.workspace.id, 'member');
    const revoked = await createKey(server, owner.cookie, owner.workspace.id, 'member');
    await server.call({ method: 'DELETE', url: `/api/workspaces/${owner.workspace.id}/keys/${revoked.key.id}`, cookie: owner.cookie });
    const call = await server.call({ method: 'POST', url: '/v1/chat/completions', key: secret, payload: { model: 'box/llama-3', messages: [{ role: 'user', content: 'hi' }] } });
    expect(call.statusCode).toBe(200);

    const overview = await waitFor(
      async () => (await overviewOf(server, owner.workspace.id, { cookie: owner.cookie })).json() as Overview,
      (body) => body.usageToday.requests === 1,
    );
    expect(overview.setup).toEqual({ providers: 1, models: 1, keys: 1 });
    expect(overview.usageToday.inputTokens + overview.usageToday.outputTokens).toBeGreaterThan(0);
  });

  it('gives viewers the overview without the key count, and refuses outsiders and anonymous callers', async () => {
    const server = use();
    const viewer = await addMember(server, owner.cookie, owner.workspace.id, { name: 'Vera Viewer', email: 'vera@example.com', password: 'viewer-password-1' }, 'viewer');
    const seen = await overviewOf(server, owner.workspace.id, { cookie: viewer.cookie });
    expect(seen.statusCode).toBe(200);
    expect((seen.json() as Overview).setup).toEqual({ providers: 1, models: 1, keys: null });

    const other = (await server.call({ method: 'POST', url: '/api/workspaces', cookie: viewer.cookie, payload: { name: 'Elsewhere' } })).json().workspace as { id: string };
    const otherKey = await createKey(server, viewer.cookie, other.id, 'owner');
    const outsider = await overviewOf(server, owner.workspace.id, { key: otherKey.secret });
    expect(outsider.statusCode).toBe(404);
    expect(outsider.body).not.toContain('baseUrl');
    expect((await overviewOf(server, owner.workspace.id, {})).statusCode).toBe(401);
  });
}, { config: { egressAllowedHosts: ['127.0.0.1'] } });
