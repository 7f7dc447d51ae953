import { expect, it } from 'vitest';
import { addMember, createKey, describeEachServer, setUpOwner } from '../../../test/support/test-server.ts';

describeEachServer('API keys', (use) => {
  let owner: Awaited<ReturnType<typeof setUpOwner>>;

  it('shows a key once, stores only its hash, and accepts it as a Bearer token for its workspace', async () => {
    const server = use();
    owner = await setUpOwner(server);
    const created = await server.call({ method: 'POST', url: `/api/workspaces/${owner.workspace.id}/keys`, cookie: owner.cookie, payload: { name: 'deploy bot', role: 'member' } });
    expect(created.statusCode).toBe(201);
    const { key, secret } = created.json() as { key: { id: string; prefix: string; lastUsedAt: string | null }; secret: string };
    expect(secret).toMatch(/^stead_[\w-]{43}$/);
    expect(secret.startsWith(key.prefix)).toBe(true);
    expect(key.prefix.length).toBeLessThan(16);
    expect(key.lastUsedAt).toBeNull();

    const row = await server.core.database.db.selectFrom('apiKey').selectAll().where('id', '=', key.id).executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(secret.slice(key.prefix.length));
    const listed = await server.call({ method: 'GET', url: `/api/workspaces/${owner.workspace.id}/keys`, cookie: owner.cookie });
    expect(listed.body).not.toContain(secret);
    expect(listed.json().keys[0]).toMatchObject({ id: key.id, name: 'deploy bot', role: 'member', createdBy: { id: owner.user.id } });

    const used = await server.call({ method: 'GET', url: `/api/workspaces/${owner.workspace.id}/members`, key: secret });
    expect(used.statusCode).toBe(200);
    const after = (await server.call({ method: 'GET', url: `/api/workspaces/${owner.workspace.id}/keys`, cookie: owner.cookie })).json().keys[0];
    expect(after.lastUsedAt).toEqual(expect.any(String));
  });

  it("limits a key to its role and its workspace", async () => {
    const server = use();
    const { secret } = (await server.call({ method: 'POST', url: `/api/workspaces/${owner.workspace.id}/keys`, cookie: owner.cookie, payload: { name: 'viewer key', role: 'viewer' } })).json();
    const forbidden = await server.call({ method: 'POST', url: `/api/workspaces/${owner.workspace.id}/invitations`, key: secret, payload: { role: 'member' } });
    expect(forbidden.statusCode).toBe(403);
    const other = (await server.call({ method: 'POST', url: '/api/workspaces', cookie: owner.cookie, payload: { name: 'Other' } })).json().workspace;
    const elsewhere = await server.call({ method: 'GET', url: `/api/workspaces/${other.id}/members`, key: secret });
    expect(elsewhere.statusCode).toBe(404);
    const accountRoute = await server.call({ method: 'GET', url: '/api/account/sessions', key: secret });
    expect(accountRoute.statusCode).toBe(403);
  });

  it('refuses to mint a key above the creator’s role', async () => {
    const server = use();
    const admin = await addMember(server, owner.cookie, owner.workspace.id, { name: 'Kim', email: 'kim@example.com', password: 'kim-password-1' }, 'admin');
    const response = await server.call({ method: 'POST', url: `/api/workspaces/${owner.workspace.id}/keys`, cookie: admin.cookie, payload: { name: 'too strong', role: 'owner' } });
    expect(response.statusCode).toBe(403);
    expect(response.json().error.code).toBe('role_not_assignable');
  });

  it('stops accepting a key the moment it is revoked, and rejects unknown or malformed keys', async () => {
    const server = use();
    const { key, secret } = (await server.call({ method: 'POST', url: `/api/workspaces/${owner.workspace.id}/keys`, cookie: owner.cookie, payload: { name: 'short-lived', role: 'member' } })).json();
    expect((await server.call({ method: 'DELETE', url: `/api/workspaces/${owner.workspace.id}/keys/${key.id}`, cookie: owner.cookie })).statusCode).toBe(204);
    const revoked = await server.call({ method: 'GET', url: `/api/workspaces/${owner.workspace.id}/members`, key: secret });
    expect(revoked.statusCode).toBe(401);
    expect(revoked.json().error.code).toBe('unauthenticated');
    expect((await server.call({ method: 'GET', url: `/api/workspaces/${owner.workspace.id}/members`, key: 'stead_forged' })).statusCode).toBe(401);
    expect((await server.call({ method: 'GET', url: `/api/workspaces/${owner.workspace.id}/members`, key: 'not-a-stead-key' })).statusCode).toBe(401);
    expect((await server.call({ method: 'DELETE', url: `/api/workspaces/${owner.workspace.id}/keys/nope`, cookie: owner.cookie })).json().error.code).toBe('key_not_found');
  });

  it('expires keys created with an expiry', async () => {
    const server = use();
    const { key } = (await server.call({ method: 'POST', url: `/api/workspaces/${owner.workspace.id}/keys`, cookie: owner.cookie, payload: { name: 'week', role: 'member', expiresInDays: 7 } })).json();
    expect(Date.parse(key.expiresAt) - Date.now()).toBeGreaterThan(6.9 * 86_400_000);
    const invalid = await server.call({ method: 'POST', url: `/api/workspaces/${owner.workspace.id}/keys`, cookie: owner.cookie, payload: { name: 'bad', role: 'member', expiresInDays: 0 } });
    expect(invalid.statusCode).toBe(400);
  });

  it("never grants more than its creator holds now: a demoted admin's admin key acts as a viewer from the very next request", async () => {
    const server = use();
    const workspaceId = owner.workspace.id;
    const admin = await addMember(server, owner.cookie, workspaceId, { name: 'Dana', email: 'dana@example.com', password: 'dana-password-1' }, 'admin');
    const { secret } = await createKey(server, admin.cookie, workspaceId, 'admin');
    // The first call caches the creator's role; the demotion must reach that cache, not wait for it to expire.
    expect((await server.call({ method: 'GET', url: `/api/workspaces/${workspaceId}/keys`, key: secret })).statusCode).toBe(200);
    const setRole = (role: string) => server.call({ method: 'PATCH', url: `/api/workspaces/${workspaceId}/members/${admin.userId}`, cookie: owner.cookie, payload: { role } });
    expect((await setRole('viewer')).statusCode).toBe(200);

    const invitationsAfter = await server.call({ method: 'GET', url: `/api/workspaces/${workspaceId}/invitations`, key: secret });
    expect(invitationsAfter.statusCode).toBe(403);
    expect(invitationsAfter.json().error.code).toBe('forbidden');
    // As a viewer's key it sees only the keys its creator made, no longer everyone's.
    const keysAfter = await server.call({ method: 'GET', url: `/api/workspaces/${workspaceId}/keys`, key: secret });
    expect((keysAfter.json().keys as { createdBy: { id: string } }[]).every((key) => key.createdBy.id === admin.userId)).toBe(true);
    const mint = await server.call({ method: 'POST', url: `/api/workspaces/${workspaceId}/keys`, key: secret, payload: { name: 'escalate', role: 'admin' } });
    expect(mint.statusCode).toBe(403);
    const invite = await server.call({ method: 'POST', url: `/api/workspaces/${workspaceId}/invitations`, key: secret, payload: { role: 'admin' } });
    expect(invite.statusCode).toBe(403);
    // What a viewer may do, the key still may.
    expect((await server.call({ method: 'GET', url: `/api/workspaces/${workspaceId}/members`, key: secret })).statusCode).toBe(200);

    // Promoted back, the key is what it was made as again (never more: an admin key of an owner stays admin).
    expect((await setRole('owner')).statusCode).toBe(200);
    expect((await server.call({ method: 'GET', url: `/api/workspaces/${workspaceId}/invitations`, key: secret })).statusCode).toBe(200);
    expect((await server.call({ method: 'DELETE', url: `/api/workspaces/${workspaceId}`, key: secret })).statusCode).toBe(403);
    expect((await setRole('member')).statusCode).toBe(200);
  });

  it("stops a removed member's keys at once and shows them revoked, with an audit event per key", async () => {
    const server = use();
    const workspaceId = owner.workspace.id;
    const admin = await addMember(server, owner.cookie, workspaceId, { name: 'Remy', email: 'remy@example.com', password: 'remy-password-1' }, 'admin');
    const { key, secret } = await createKey(server, admin.cookie, workspaceId, 'admin');
    expect((await server.call({ method: 'GET', url: `/api/workspaces/${workspaceId}/members`, key: secret })).statusCode).toBe(200);
    expect((await server.call({ method: 'DELETE', url: `/api/workspaces/${workspaceId}/members/${admin.userId}`, cookie: owner.cookie })).statusCode).toBe(204);

    const refused = await server.call({ method: 'POST', url: `/api/workspaces/${workspaceId}/invitations`, key: secret, payload: { role: 'admin' } });
    expect(refused.statusCode).toBe(401);
    expect(refused.json().error.code).toBe('unauthenticated');
    const listed = (await server.call({ method: 'GET', url: `/api/workspaces/${workspaceId}/keys`, cookie: owner.cookie })).json().keys as { id: string; revokedAt: string | null }[];
    expect(listed.find((item) => item.id === key.id)?.revokedAt).toEqual(expect.any(String));
    const audit = (await server.call({ method: 'GET', url: `/api/workspaces/${workspaceId}/audit?action=key.revoke&targetId=${key.id}`, cookie: owner.cookie })).json().events;
    expect(audit).toEqual([expect.objectContaining({ action: 'key.revoke', outcome: 'success', actor: expect.objectContaining({ type: 'system' }), metadata: { reason: 'creator-removed', creatorId: admin.userId } })]);

    // Invited again, the person starts without their old keys.
    const again = await server.call({ method: 'POST', url: `/api/workspaces/${workspaceId}/invitations`, cookie: owner.cookie, payload: { email: 'remy@example.com', role: 'admin' } });
    const token = (again.json() as { url: string }).url.split('/invite/')[1]!;
    expect((await server.call({ method: 'POST', url: `/api/invitations/${token}/accept`, cookie: admin.cookie })).statusCode).toBe(200);
    expect((await server.call({ method: 'GET', url: `/api/workspaces/${workspaceId}/members`, key: secret })).statusCode).toBe(401);
  });

  it("lets nobody revoke a key whose creator ranks above them; an owner revokes any", async () => {
    const server = use();
    const workspaceId = owner.workspace.id;
    const admin = await addMember(server, owner.cookie, workspaceId, { name: 'Abe', email: 'abe@example.com', password: 'abe-password-1' }, 'admin');
    const ownersKey = await createKey(server, owner.cookie, workspaceId, 'member');
    const adminsKey = await createKey(server, admin.cookie, workspaceId, 'admin');

    for (const credentials of [{ cookie: admin.cookie }, { key: adminsKey.secret }]) {
      const refused = await server.call({ method: 'DELETE', url: `/api/workspaces/${workspaceId}/keys/${ownersKey.key.id}`, ...credentials });
      expect(refused.statusCode).toBe(403);
      expect(refused.json().error.code).toBe('key_not_revocable');
    }
    expect((await server.call({ method: 'GET', url: `/api/workspaces/${workspaceId}/members`, key: ownersKey.secret })).statusCode).toBe(200);
    expect((await server.call({ method: 'DELETE', url: `/api/workspaces/${workspaceId}/keys/${adminsKey.key.id}`, cookie: owner.cookie })).statusCode).toBe(204);
    expect((await server.call({ method: 'DELETE', url: `/api/workspaces/${workspaceId}/keys/${ownersKey.key.id}`, cookie: owner.cookie })).statusCode).toBe(204);
  });
});
