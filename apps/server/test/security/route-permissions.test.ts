import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accessPolicy } from '../../src/feature-list.ts';
import { serviceUrl } from '../support/services.ts';
import { cookieOf, ownerCredentials, setUpOwner, startTestServer, type TestServer } from '../support/test-server.ts';

/**
 * Walks the route inventory and calls every route with no credentials, a session, an API key, a viewer's
 * session, another workspace's session and key, the key of an admin since demoted to viewer (it must act as a
 * viewer's key), the key of a removed member (401), and a foreign Host header (421, public routes included),
 * asserting the access outcome of each. A route added without thought for access shows up here (and one
 * without a declared permission cannot even register).
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
      await server.core.auth.createUser({ name: 'Dee Demoted', email: 'demoted@example.com', password: 'demoted-password', isAdmin: false });
      await server.core.auth.createUser({ name: 'Rae Removed', email: 'removed@example.com', password: 'removed-password', isAdmin: false });
    });
    afterAll(async () => {
      await server?.close();
    });

    it('has an inventory covering the API', () => {
      const routes = server.app.routeInventory.map((route) => `${route.method} ${route.url}`);
      expect(routes).toEqual(expect.arrayContaining(['GET /api/health', 'POST /api/auth/login', 'GET /api/workspaces/:workspaceId/audit', 'POST /api/workspaces/:workspaceId/keys']));
      expect(server.app.routeInventory.every((route) => route.permission)).toBe(true);
    });

    // Around ten calls per route, each on a fresh workspace: longer than the default timeout on PostgreSQL.
    it('answers each credential type as the permission says', { timeout: 180_000 }, async () => {
      const routes = server.app.routeInventory.filter((route) => !route.url.startsWith('/api/docs') && route.url !== '/*' && route.url !== '/');
      expect(routes.length).toBeGreaterThan(25);
      const failures: string[] = [];
      for (const route of routes) {
        // A fresh workspace per call: destructive routes (delete workspace) cannot disturb the next call.
        const viewer = (await server.core.auth.findUserByEmail('viewer@example.com'))!;
        const demoted = (await server.core.auth.findUserByEmail('demoted@example.com'))!;
        const removed = (await server.core.auth.findUserByEmail('removed@example.com'))!;
        // The former admins' keys are made only for the calls that use them (they cost a few writes each).
        const scratch = async (formerAdmins: boolean) => {
          const workspace = await server.core.workspaces.create(`Scratch ${route.method} ${route.url}`, ownerId);
          const ownerKey = (await server.core.keys.create(workspace.id, { name: 'walk', role: 'owner' }, { userId: ownerId, role: 'owner' })).secret;
          const join = async (person: { id: string; email: string }, role: 'viewer' | 'admin') => {
            const invitation = await server.core.workspaces.invite(workspace.id, { role }, { userId: ownerId, role: 'owner' });
            await server.core.workspaces.acceptInvitation(invitation.token, person);
          };
          await join(viewer, 'viewer');
          if (!formerAdmins) return { workspaceId: workspace.id, ownerKey, demotedKey: '', removedKey: '' };
          // Admins who made admin keys, then lost their role: their keys were used first, so the server has
          // their old role cached and must drop it.
          await join(demoted, 'admin');
          await join(removed, 'admin');
          const demotedKey = (await server.core.keys.create(workspace.id, { name: 'demoted', role: 'admin' }, { userId: demoted.id, role: 'admin' })).secret;
          const removedKey = (await server.core.keys.create(workspace.id, { name: 'removed', role: 'admin' }, { userId: removed.id, role: 'admin' })).secret;
          for (const key of [demotedKey, removedKey]) {
            expect((await server.call({ method: 'GET', url: `/api/workspaces/${workspace.id}/keys`, key })).statusCode).toBe(200);
          }
          await server.core.workspaces.changeRole(workspace.id, 'owner', demoted.id, 'viewer');
          await server.core.workspaces.removeMember(workspace.id, 'owner', removed.id);
          return { workspaceId: workspace.id, ownerKey, demotedKey, removedKey };
        };
        const ownerCookie = await signIn(ownerCredentials.email, ownerCredentials.password);
        const viewerCookie = await signIn('viewer@example.com', 'viewer-password');
        type Target = Awaited<ReturnType<typeof scratch>>;
        const send = async (credentials: { cookie?: string; key?: string | ((target: Target) => string); host?: string; formerAdmins?: boolean }) => {
          const target = await scratch(credentials.formerAdmins === true);
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
            ...(credentials.host ? { host: credentials.host } : {}),
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

        // DNS rebinding: whoever calls, through a name the server does not serve, nothing answers but 421.
        for (const [who, credentials] of [['anonymous', {}], ['owner session', { cookie: ownerCookie }], ['owner key', { key: (target: Target) => target.ownerKey }]] as const) {
          const foreign = await send({ ...credentials, host: 'evil.example' });
          expectStatus(`${who} via a foreign Host`, foreign.statusCode, (s) => s === 421 && foreign.json().error.code === 'host_not_allowed', foreign.body);
        }

        if (permission !== 'public') {
          const asRemovedKey = await send({ key: (target) => target.removedKey, formerAdmins: true });
          expectStatus("removed member's key", asRemovedKey.statusCode, (s) => s === 401 && asRemovedKey.json().error.code === 'unauthenticated', asRemovedKey.body);
        }

        if (!streaming) {
          const asOwner = await send({ cookie: ownerCookie });
          expectStatus('owner session', asOwner.statusCode, (s) => !denied.has(s) && s < 500, asOwner.body);
          const asKey = await send({ key: (target) => target.ownerKey });
          expectStatus('owner key', asKey.statusCode, (s) => (permission === 'user' || permission === 'admin' ? s === 403 : !denied.has(s) && s < 500), asKey.body);
        }

        if (accessPolicy.isWorkspacePermission(permission)) {
          const granted = accessPolicy.grants('viewer', permission);
          if (!(streaming && granted)) {
            const asViewer = await send({ cookie: viewerCookie });
            expectStatus('viewer session', asViewer.statusCode, (s) => (granted ? !denied.has(s) && s < 500 : s === 403), asViewer.body);
            const asDemotedKey = await send({ key: (target) => target.demotedKey, formerAdmins: true });
            expectStatus("admin key of a member demoted to viewer", asDemotedKey.statusCode, (s) => (granted ? !denied.has(s) && s < 500 : s === 403), asDemotedKey.body);
          }
          const asOutsider = await send({ cookie: outsider.cookie });
          expectStatus('other workspace session', asOutsider.statusCode, (s) => s === 404 && asOutsider.json().error.code === 'workspace_not_found', asOutsider.body);
          const asOutsiderKey = await send({ key: outsider.key });
          expectStatus('other workspace key', asOutsiderKey.statusCode, (s) => s === 404, asOutsiderKey.body);
        } else if (permission === 'admin') {
          const asOutsider = await send({ cookie: outsider.cookie });
          expectStatus('non-admin session', asOutsider.statusCode, (s) => s === 403, asOutsider.body);
        }
        if (permission === 'user' || permission === 'admin') {
          const asDemotedKey = await send({ key: (target) => target.demotedKey, formerAdmins: true });
          expectStatus('key of a demoted member', asDemotedKey.statusCode, (s) => s === 403, asDemotedKey.body);
        }
      }
      expect(failures).toEqual([]);
    });
  });
}
