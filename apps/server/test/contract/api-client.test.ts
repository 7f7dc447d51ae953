import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSteadClient, SteadApiError, unwrap } from '../../../../packages/api-client/src/index.ts';
import { buildOpenApiDocument } from '../../src/openapi-document.ts';
import { createKey, setUpOwner, startTestServer, type TestServer } from '../support/test-server.ts';

describe('generated API client', () => {
  it('is generated from the current OpenAPI document (run `npm run api:generate` after changing routes)', async () => {
    const committed = JSON.parse(readFileSync(new URL('../../../../packages/api-client/openapi.json', import.meta.url), 'utf8'));
    expect(committed).toEqual(await buildOpenApiDocument());
  });

  describe('against a real server', () => {
    let server: TestServer;
    beforeAll(async () => {
      server = (await startTestServer('sqlite'))!;
    });
    afterAll(() => server.close());

    // The client's requests are served by the in-process server, as they would be over the network.
    const injectFetch = (request: Request) =>
      request.text().then(async (body) => {
        const response = await server.app.inject({
          method: request.method as 'GET',
          url: new URL(request.url).pathname + new URL(request.url).search,
          headers: Object.fromEntries(request.headers),
          ...(body ? { payload: body } : {}),
        });
        return new Response(response.statusCode === 204 ? null : response.body, { status: response.statusCode, headers: response.headers as Record<string, string> });
      });

    it('calls typed routes with an API key and surfaces error codes', async () => {
      const owner = await setUpOwner(server);
      const { secret } = await createKey(server, owner.cookie, owner.workspace.id);
      const client = createSteadClient({ baseUrl: 'http://localhost', apiKey: secret, fetch: injectFetch as typeof fetch });
      const members = await unwrap(client.GET('/api/workspaces/{workspaceId}/members', { params: { path: { workspaceId: owner.workspace.id } } }));
      expect(members.members[0]).toMatchObject({ email: owner.user.email, role: 'owner' });
      const failure = unwrap(client.POST('/api/workspaces/{workspaceId}/keys', { params: { path: { workspaceId: owner.workspace.id } }, body: { name: '', role: 'member' } }));
      await expect(failure).rejects.toBeInstanceOf(SteadApiError);
      await expect(failure).rejects.toMatchObject({ status: 400, code: 'validation_failed' });
      // An answer that is not Stead's (a proxy's error page) still becomes a SteadApiError.
      const proxied = createSteadClient({ baseUrl: 'http://localhost', fetch: (async () => new Response('<html>Bad gateway</html>', { status: 502, headers: { 'content-type': 'text/html' } })) as typeof fetch });
      await expect(unwrap(proxied.GET('/api/health'))).rejects.toMatchObject({ status: 502, code: 'http_error' });
    });
  });
});
