import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isWorkspacePermission, roleGrants, type WorkspacePermission } from '../../src/platform/http/permissions.ts';
import { serviceUrl } from '../support/services.ts';
import { cookieOf, ownerCredentials, setUpOwner, startTestServer, type TestServer } from '../support/test-server.ts';

/**
 * Walks the route inventory and calls every route with no credentials, a session, an API key, a viewer's
 * session and another workspace's session and key, asserting the access outcome of each. A route added
 * without thought for access shows up here (and one without a declared permission cannot even register).
 */
const streamingRoutes = new Set(['GET /api/events']);
const denied = new Set([401, 403]);

for (const dialect of ['sqlite', 'postgres'] as const) {
  const enabled = dialect === 'sqlite' || serviceUrl('postgres') !== undefined;
  describe.skipIf(!enabled)(`every route enforces its declared permission [${dialect}]`, () => {
    let server: TestServer;
    let ownerId: string;
    let outsider: { cookie: string; key: string };

    const signIn = async (email: string, password: string) => {
      const response = await server.call({ method: 'POST', url: '/api/auth/login', payload: { email, password } });
      expect(response.statusCode).toBe(200);
      return cookieOf(response);
    };

    beforeAll(async () => {
      server = (await startTestServer(dialect, { config: { loginRateLimit: 10_000 } }))!;
      ownerId = (await setUpOwner(server)).user.id;
      const stranger = await server.core.auth.createUser({ name: 'Stranger', email: 'stranger@example.com', password: 'stranger-password', isAdmin: false });
      const strangerSpace = await server.core.workspaces.create('Elsewhere', stranger.id);
      const strangerKey = await server.core.keys.create(strangerSpace.id, { name: 'k', role: 'owner' }, { userId: stranger.id, role: 'owner' });
      outsider = { cookie: await signIn('stranger@example.com', 'stranger-password'), key: strangerKey.secret };
      await server.core.auth.createUser({ name: 'Vera Viewer', email: 'viewer@example.com', password: 'viewer-password', isAdmin: false });
    });
    afterAll(async () => {
      await server?.close();
    });

    it('has an inventory covering the API', () => {
      const routes = server.app.routeInventory.map((route) => `${route.method} ${route.url}`);
      expect(routes).toEqual(expect.arrayContaining(['GET /api/health', 'POST /api/auth/login', 'GET /api/workspaces/:workspaceId/audit', 'POST /api/workspaces/:workspaceId/keys']));
      expect(server.app.routeInventory.every((route) => route.permission)).toBe(true);
    });

    it('answers each credential type as the permission says', async () => {
      const routes = server.app.routeInventory.filter((route) => !route.url.startsWith('/api/docs') && route.url !== '/*' && route.url !== '/');
      expect(routes.length).toBeGreaterThan(25);
      const failures: string[] = [];
      for (const route of routes) {
        // A fresh workspace per call: destructive routes (delete workspace) cannot disturb the next call.
        const viewer = (await server.core.auth.findUserByEmail('viewer@example.com'))!;
        const scratch = async () => {
          const workspace = await server.core.workspaces.create(`Scratch ${route.method} ${route.url}`, ownerId);
          const ownerKey = (await server.core.keys.create(workspace.id, { name: 'walk', role: 'owner' }, { userId: ownerId, role: 'owner' })).secret;
          const invitation = await server.core.workspaces.invite(workspace.id, { role: 'viewer' }, { userId: ownerId, role: 'owner' });
          await server.core.workspaces.acceptInvitation(invitation.token, viewer);
          return { workspaceId: workspace.id, ownerKey };
        };
        const ownerCookie = await signIn(ownerCredentials.email, ownerCredentials.password);
        const viewerCookie = await signIn('viewer@example.com', 'viewer-password');
        const send = async (credentials: { cookie?: string; key?: string | ((target: { ownerKey: string }) => string) }) => {
          const target = await scratch();
          const url = route.url
            .replace(':workspaceId', target.workspaceId)
            .replace(':token', 'x'.repeat(32))
            .replace(/:[A-Za-z]+/g, 'does-not-exist');
          const query = route.workspaceFromQuery ? `?workspaceId=${target.workspaceId}` : '';
          const key = typeof credentials.key === 'function' ? credentials.key(target) : credentials.key;
          return server.call({
            method: route.method as 'GET',
            url: url + query,
            ...(credentials.cookie ? { cookie: credentials.cookie } : {}),
            ...(key ? { key } : {}),
            ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { payload: {} }),
          });
        };
        const label = `${route.method} ${route.url}`;
        const expectStatus = (who: string, status: number, ok: (status: number) => boolean, body: string) => {
          if (!ok(status)) failures.push(`${label} as ${who}: got ${status} ${body.slice(0, 120)}`);
        };
        const permission = route.permission;
        const streaming = streamingRoutes.has(label);

        const anonymous = await send({});
        expectStatus('anonymous', anonymous.statusCode, (s) => (permission === 'public' ? !denied.has(s) : s === 401), anonymous.body);

        if (!streaming) {
          const asOwner = await send({ cookie: ownerCookie });
          expectStatus('owner session', asOwner.statusCode, (s) => !denied.has(s) && s < 500, asOwner.body);
          const asKey = await send({ key: (target) => target.ownerKey });
          expectStatus('owner key', asKey.statusCode, (s) => (permission === 'user' || permission === 'admin' ? s === 403 : !denied.has(s) && s < 500), asKey.body);
        }

        if (isWorkspacePermission(permission)) {
          const granted = roleGrants('viewer', permission as WorkspacePermission);
          if (!(streaming && granted)) {
            const asViewer = await send({ cookie: viewerCookie });
            expectStatus('viewer session', asViewer.statusCode, (s) => (granted ? !denied.has(s) && s < 500 : s === 403), asViewer.body);
          }
          const asOutsider = await send({ cookie: outsider.cookie });
          expectStatus('other workspace session', asOutsider.statusCode, (s) => s === 404 && asOutsider.json().error.code === 'workspace_not_found', asOutsider.body);
          const asOutsiderKey = await send({ key: outsider.key });
          expectStatus('other workspace key', asOutsiderKey.statusCode, (s) => s === 404, asOutsiderKey.body);
        } else if (permission === 'admin') {
          const asOutsider = await send({ cookie: outsider.cookie });
          expectStatus('non-admin session', asOutsider.statusCode, (s) => s === 403, asOutsider.body);
        }
      }
      expect(failures).toEqual([]);
    });
  });
}
