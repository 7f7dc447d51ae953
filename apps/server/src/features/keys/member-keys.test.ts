import { expect, it } from 'vitest';
import { addMember, describeEachServer, setUpOwner, type TestServer } from '../../../test/support/test-server.ts';

type Person = { cookie: string; userId: string };
type KeyList = { keys: { id: string; name: string; role: string; createdBy: { id: string }; revokedAt: string | null }[] };

/**
 * Self-service API keys: members and viewers create keys acting for themselves at their own role or lower, see
 * and revoke only their own, and only while the workspace's `memberKeys` setting is on; admins still see and
 * revoke everyone's. Least privilege: a viewer may create viewer keys (nothing the viewer could not do already).
 */
describeEachServer('self-service API keys', (use) => {
  let owner: Awaited<ReturnType<typeof setUpOwner>>;
  let admin: Person;
  let member: Person;
  let viewer: Person;
  const keysUrl = () => `/api/workspaces/${owner.workspace.id}/keys`;
  const create = (server: TestServer, credentials: { cookie?: string; key?: string }, role: string, name = `${role} key`) =>
    server.call({ method: 'POST', url: keysUrl(), ...credentials, payload: { name, role } });
  const list = async (server: TestServer, credentials: { cookie?: string; key?: string }) =>
    ((await server.call({ method: 'GET', url: keysUrl(), ...credentials })).json() as KeyList).keys;
  const setMemberKeys = (server: TestServer, cookie: string, memberKeys: 'on' | 'off') =>
    server.call({ method: 'PATCH', url: `/api/workspaces/${owner.workspace.id}/settings`, cookie, payload: { memberKeys } });

  it('lets a member create a key for themselves at their role or lower, never above', async () => {
    const server = use();
    owner = await setUpOwner(server);
    admin = await addMember(server, owner.cookie, owner.workspace.id, { name: 'Ada Admin', email: 'ada@example.com', password: 'ada-password-1' }, 'admin');
    member = await addMember(server, owner.cookie, owner.workspace.id, { name: 'Max Member', email: 'max@example.com', password: 'max-password-1' }, 'member');
    viewer = await addMember(server, owner.cookie, owner.workspace.id, { name: 'Val Viewer', email: 'val@example.com', password: 'val-password-1' }, 'viewer');

    const settings = await server.call({ method: 'GET', url: `/api/workspaces/${owner.workspace.id}/settings`, cookie: member.cookie });
    expect(settings.json()).toEqual({ settings: { memberKeys: 'on' } });

    const made = await create(server, { cookie: member.cookie }, 'member', 'laptop script');
    expect(made.statusCode).toBe(201);
    const { key, secret } = made.json() as { key: { id: string; role: string; createdBy: { id: string } }; secret: string };
    expect(key).toMatchObject({ role: 'member', createdBy: { id: member.userId } });
    expect((await server.call({ method: 'GET', url: `/api/workspaces/${owner.workspace.id}/members`, key: secret })).statusCode).toBe(200);
    expect((await create(server, { cookie: member.cookie }, 'viewer')).statusCode).toBe(201);

    for (const role of ['admin', 'owner']) {
      const above = await create(server, { cookie: member.cookie }, role);
      expect(above.statusCode).toBe(403);
      expect(above.json().error.code).toBe('role_not_assignable');
    }
  });

  it('lets a viewer create viewer keys only', async () => {
    const server = use();
    const made = await create(server, { cookie: viewer.cookie }, 'viewer');
    expect(made.statusCode).toBe(201);
    const above = await create(server, { cookie: viewer.cookie }, 'member');
    expect(above.json().error.code).toBe('role_not_assignable');
    // The viewer's key reads what a viewer reads and changes nothing a viewer cannot.
    const { secret } = made.json() as { secret: string };
    expect((await server.call({ method: 'POST', url: `/api/workspaces/${owner.workspace.id}/tasks`, key: secret, payload: { kind: 'http.request', input: {} } })).statusCode).toBe(403);
  });

  it("shows members and viewers only their own keys, and admins everyone's", async () => {
    const server = use();
    await create(server, { cookie: admin.cookie }, 'admin', 'admin automation');
    const mine = await list(server, { cookie: member.cookie });
    expect(mine.length).toBe(2);
    expect(mine.every((key) => key.createdBy.id === member.userId)).toBe(true);
    expect((await list(server, { cookie: viewer.cookie })).every((key) => key.createdBy.id === viewer.userId)).toBe(true);
    const everyone = new Set((await list(server, { cookie: admin.cookie })).map((key) => key.createdBy.id));
    expect(everyone).toEqual(new Set([member.userId, viewer.userId, admin.userId]));
  });

  it("refuses to revoke someone else's key as if it did not exist, and revokes one's own", async () => {
    const server = use();
    const adminsKey = (await list(server, { cookie: admin.cookie })).find((key) => key.name === 'admin automation')!;
    const viewersKey = (await list(server, { cookie: viewer.cookie }))[0]!;
    for (const target of [adminsKey, viewersKey]) {
      const refused = await server.call({ method: 'DELETE', url: `${keysUrl()}/${target.id}`, cookie: member.cookie });
      expect(refused.statusCode).toBe(404);
      expect(refused.json().error.code).toBe('key_not_found');
    }
    expect((await list(server, { cookie: admin.cookie })).find((key) => key.id === adminsKey.id)?.revokedAt).toBeNull();

    const own = (await list(server, { cookie: member.cookie })).find((key) => key.name === 'viewer key')!;
    expect((await server.call({ method: 'DELETE', url: `${keysUrl()}/${own.id}`, cookie: member.cookie })).statusCode).toBe(204);
    // An admin revokes a member's key; the rule about higher-ranked creators still holds for the owner's.
    const ownersKey = (await create(server, { cookie: owner.cookie }, 'member', 'owner automation')).json() as { key: { id: string } };
    expect((await server.call({ method: 'DELETE', url: `${keysUrl()}/${ownersKey.key.id}`, cookie: admin.cookie })).json().error.code).toBe('key_not_revocable');
    const anotherOfMember = (await create(server, { cookie: member.cookie }, 'member', 'second')).json() as { key: { id: string } };
    expect((await server.call({ method: 'DELETE', url: `${keysUrl()}/${anotherOfMember.key.id}`, cookie: admin.cookie })).statusCode).toBe(204);
  });

  it("does not let a member's key mint more keys", async () => {
    const server = use();
    const { secret } = (await create(server, { cookie: member.cookie }, 'member', 'cannot mint')).json() as { secret: string };
    const minted = await create(server, { key: secret }, 'viewer');
    expect(minted.statusCode).toBe(403);
    expect(minted.json().error.code).toBe('forbidden');
  });

  it('turned off by an admin, refuses members and viewers with member_keys_disabled; admins still create keys', async () => {
    const server = use();
    const asMember = await setMemberKeys(server, member.cookie, 'off');
    expect(asMember.statusCode).toBe(403);
    expect(asMember.json().error.code).toBe('forbidden');
    const off = await setMemberKeys(server, admin.cookie, 'off');
    expect(off.statusCode).toBe(200);
    expect(off.json()).toEqual({ settings: { memberKeys: 'off' } });

    for (const person of [member, viewer]) {
      const refused = await create(server, { cookie: person.cookie }, 'viewer');
      expect(refused.statusCode).toBe(403);
      expect(refused.json().error.code).toBe('member_keys_disabled');
    }
    expect((await create(server, { cookie: admin.cookie }, 'member')).statusCode).toBe(201);
    // Existing keys keep working and stay listed: the setting governs new keys (an admin revokes old ones).
    expect((await list(server, { cookie: member.cookie })).length).toBeGreaterThan(0);

    const audit = (await server.call({ method: 'GET', url: `/api/workspaces/${owner.workspace.id}/audit?action=workspace.settings-change`, cookie: owner.cookie })).json().events;
    expect(audit[0]).toMatchObject({ outcome: 'success', metadata: { memberKeys: 'off' } });
    expect((await setMemberKeys(server, owner.cookie, 'on')).statusCode).toBe(200);
    expect((await create(server, { cookie: member.cookie }, 'member')).statusCode).toBe(201);
  });

  it('rejects a bad setting value with a validation error', async () => {
    const server = use();
    const bad = await server.call({ method: 'PATCH', url: `/api/workspaces/${owner.workspace.id}/settings`, cookie: owner.cookie, payload: { memberKeys: 'maybe' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.code).toBe('validation_failed');
  });

  it("keeps a member's key bounded by the member's current role, and revokes it when they leave", async () => {
    const server = use();
    const workspaceId = owner.workspace.id;
    const { key, secret } = (await create(server, { cookie: member.cookie }, 'member', 'bounded')).json() as { key: { id: string }; secret: string };
    expect((await server.call({ method: 'PATCH', url: `/api/workspaces/${workspaceId}/members/${member.userId}`, cookie: owner.cookie, payload: { role: 'viewer' } })).statusCode).toBe(200);
    expect((await create(server, { cookie: member.cookie }, 'member')).json().error.code).toBe('role_not_assignable');
    const asViewer = await server.call({ method: 'POST', url: `/api/workspaces/${workspaceId}/tasks`, key: secret, payload: { kind: 'http.request', input: {} } });
    expect(asViewer.statusCode).toBe(403);

    expect((await server.call({ method: 'DELETE', url: `/api/workspaces/${workspaceId}/members/${member.userId}`, cookie: owner.cookie })).statusCode).toBe(204);
    expect((await server.call({ method: 'GET', url: `/api/workspaces/${workspaceId}/members`, key: secret })).statusCode).toBe(401);
    expect((await list(server, { cookie: owner.cookie })).find((item) => item.id === key.id)?.revokedAt).toEqual(expect.any(String));
  });
});
