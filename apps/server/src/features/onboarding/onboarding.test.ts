import { expect, it } from 'vitest';
import { describeEachServer, ownerCredentials } from '../../../test/support/test-server.ts';

describeEachServer('first-run setup', (use) => {
  it('a failed setup (weak password) leaves setup open', async () => {
    const server = use();
    const weak = await server.call({ method: 'POST', url: '/api/setup', payload: { ...ownerCredentials, password: 'short' } });
    expect(weak.statusCode).toBe(400);
    expect((await server.call({ method: 'GET', url: '/api/setup' })).json()).toEqual({ needsSetup: true });
  });

  it('of several setups racing, exactly one creates the owner', async () => {
    const server = use();
    const responses = await Promise.all(
      ['a', 'b', 'c', 'd', 'e'].map((letter) =>
        server.call({ method: 'POST', url: '/api/setup', payload: { ...ownerCredentials, email: `${letter}@example.com`, workspaceName: `Space ${letter}` } }),
      ),
    );
    const statuses = responses.map((response) => response.statusCode).sort();
    expect(statuses).toEqual([201, 409, 409, 409, 409]);
    expect(responses.filter((response) => response.statusCode === 409).every((response) => response.json().error.code === 'setup_already_done')).toBe(true);
    expect(await server.core.auth.listUsers()).toHaveLength(1);
    expect(await server.core.workspaces.listAll()).toHaveLength(1);
  });
});
