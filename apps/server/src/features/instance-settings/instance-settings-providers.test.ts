import { afterAll, beforeAll, expect, it } from 'vitest';
import { startOpenAiUpstream } from '../../../test/support/openai-upstream.ts';
import { describeEachServer, setUpOwner } from '../../../test/support/test-server.ts';

/**
 * A model server on the user's own network (here: loopback at a port that is not a model server's default, which
 * needs an administrator's rule like any private address) becomes usable once an instance administrator allows
 * its host in Instance settings, without a restart, and stops being reachable when the rule is removed — the
 * providers' own egress clients follow the instance's allowed hosts.
 */
describeEachServer('instance settings: allowed hosts reach model providers', (use) => {
  let upstream: Awaited<ReturnType<typeof startOpenAiUpstream>>;
  beforeAll(async () => {
    upstream = await startOpenAiUpstream('lan', ['lan-chat']);
  });
  afterAll(async () => {
    await upstream.close();
  });

  it('refuses the provider until its host is allowed, then reaches it at once, and not once the rule is gone', async () => {
    const server = use();
    const owner = await setUpOwner(server);
    const providers = `/api/workspaces/${owner.workspace.id}/model-providers`;
    const payload = { name: 'lan', type: 'openai-compatible', baseUrl: upstream.baseUrl, locality: 'local' };

    const refused = await server.call({ method: 'POST', url: providers, cookie: owner.cookie, payload });
    expect(refused.statusCode, refused.body).toBe(422);
    expect(refused.json().error.code).toBe('egress_blocked');
    expect(refused.json().error.message).toContain('Instance settings → Allowed hosts');
    expect(upstream.received).toEqual([]);

    const rule = await server.call({ method: 'POST', url: '/api/admin/allowed-hosts', cookie: owner.cookie, payload: { rule: '127.0.0.1' } });
    expect(rule.statusCode, rule.body).toBe(201);
    const added = await server.call({ method: 'POST', url: providers, cookie: owner.cookie, payload });
    expect(added.statusCode, added.body).toBe(201);
    expect(upstream.received.map((request) => request.path)).toContain('/v1/models');
    const providerId = (added.json() as { provider: { id: string } }).provider.id;
    expect((await server.call({ method: 'POST', url: `${providers}/${providerId}/test`, cookie: owner.cookie })).statusCode).toBe(200);

    const removed = await server.call({ method: 'DELETE', url: `/api/admin/allowed-hosts/${(rule.json() as { allowedHost: { id: string } }).allowedHost.id}`, cookie: owner.cookie });
    expect(removed.statusCode).toBe(204);
    const seen = upstream.received.length;
    const test = await server.call({ method: 'POST', url: `${providers}/${providerId}/test`, cookie: owner.cookie });
    expect(test.statusCode, test.body).toBe(502);
    expect(test.body).toContain('Allowed hosts');
    expect(upstream.received.length).toBe(seen);
  });
}, { config: { egressAllowedHosts: [] } });
