import { expect, it } from 'vitest';
import { addMember, cookieOf, describeEachServer, setUpOwner, type TestServer } from '../../../test/support/test-server.ts';

const clock = { offsetMs: 0, now: () => new Date(Date.now() + clock.offsetMs) };

describeEachServer('workspaces, members and invitations', (use) => {
  let owner: Awaited<ReturnType<typeof setUpOwner>>;
  const invite = (server: TestServer, cookie: string, workspaceId: string, payload: object) =>
    server.call({ method: 'POST', url: `/api/workspaces/${workspaceId}/invitations`, cookie, payload });
  const tokenOf = (url: string) => url.split('/invite/')[1]!;

  it('creates, lists, renames and switches between workspaces', async () => {
    const server = use();
    owner = await setUpOwner(server);
    const created = await server.call({ method: 'POST', url: '/api/workspaces', cookie: owner.cookie, payload: { name: 'Side Project' } });
    expect(created.statusCode).toBe(201);
    expect(created.json().workspace).toMatchObject({ name: 'Side Project', slug: 'side-project' });
    const duplicate = await server.call({ method: 'POST', url: '/api/workspaces', cookie: owner.cookie, payload: { name: 'Side Project' } });
    expect(duplicate.json().workspace.slug).toMatch(/^side-project-[0-9a-f]{6}$/);
    const list = (await server.call({ method: 'GET', url: '/api/workspaces', cookie: owner.cookie })).json().workspaces as { name: string; role: string }[];
    expect(list.map((workspace) => workspace.name)).toEqual(['Acme', 'Side Project', 'Side Project']);
    expect(list.every((workspace) => workspace.role === 'owner')).toBe(true);
    const renamed = await server.call({ method: 'PATCH', url: `/api/workspaces/${created.json().workspace.id}`, cookie: owner.cookie, payload: { name: 'Renamed' } });
    expect(renamed.json().workspace.name).toBe('Renamed');
    const empty = await server.call({ method: 'PATCH', url: `/api/workspaces/${created.json().workspace.id}`, cookie: owner.cookie, payload: { name: '   ' } });
    expect(empty.statusCode).toBe(400);
  });

  it('invites by link: the invitee signs up, accepts, and sees the workspace with the granted role', async () => {
    const server = use();
    const response = await invite(server, owner.cookie, owner.workspace.id, { email: 'mia@example.com', role: 'admin' });
    expect(response.statusCode).toBe(201);
    const { url, invitation } = response.json() as { url: string; invitation: { id: string; status: string; expiresAt: string } };
    expect(url).toMatch(/^http:\/\/localhost:80\/invite\/[\w-]{20,}$/);
    expect(invitation.status).toBe('pending');
    expect(Date.parse(invitation.expiresAt) - Date.now()).toBeGreaterThan(6 * 24 * 3_600_000);

    const preview = await server.call({ method: 'GET', url: `/api/invitations/${tokenOf(url)}` });
    expect(preview.json()).toMatchObject({ workspaceName: 'Acme', role: 'admin', email: 'mia@example.com' });

    const wrongEmail = await server.call({ method: 'POST', url: '/api/auth/sign-up', payload: { name: 'Not Mia', email: 'other@example.com', password: 'password-123', invitationToken: tokenOf(url) } });
    expect(wrongEmail.json().error.code).toBe('invitation_email_mismatch');

    const signUp = await server.call({ method: 'POST', url: '/api/auth/sign-up', payload: { name: 'Mia', email: 'mia@example.com', password: 'mia-password-1', invitationToken: tokenOf(url) } });
    expect(signUp.statusCode).toBe(201);
    const mia = cookieOf(signUp);
    const accepted = await server.call({ method: 'POST', url: `/api/invitations/${tokenOf(url)}/accept`, cookie: mia });
    expect(accepted.json().workspace.id).toBe(owner.workspace.id);
    const mine = (await server.call({ method: 'GET', url: '/api/workspaces', cookie: mia })).json().workspaces;
    expect(mine).toEqual([expect.objectContaining({ id: owner.workspace.id, role: 'admin' })]);

    const reused = await server.call({ method: 'POST', url: `/api/invitations/${tokenOf(url)}/accept`, cookie: owner.cookie });
    expect(reused.json().error.code).toBe('invitation_used');
    const statuses = (await server.call({ method: 'GET', url: `/api/workspaces/${owner.workspace.id}/invitations`, cookie: owner.cookie })).json().invitations;
    // An accepted invitation says when and by whom, not when it would have expired.
    expect(statuses.find((item: { id: string }) => item.id === invitation.id)).toMatchObject({
      status: 'accepted',
      acceptedAt: expect.any(String),
      acceptedBy: { id: signUp.json().user.id, name: 'Mia', email: 'mia@example.com' },
    });
    expect(statuses.find((item: { id: string }) => item.id === invitation.id).acceptedAt <= new Date().toISOString()).toBe(true);
  });

  it('uses an invitation once: of several sign-ups with one link (even at the same moment, with different emails) one creates an account', async () => {
    const server = use();
    const link = (await invite(server, owner.cookie, owner.workspace.id, { role: 'member' })).json() as { url: string; invitation: { id: string } };
    const usersBefore = (await server.core.auth.listUsers()).length;
    const signUp = (email: string) =>
      server.call({ method: 'POST', url: '/api/auth/sign-up', payload: { name: 'Racer', email, password: 'racer-password-1', invitationToken: tokenOf(link.url) } });
    const responses = await Promise.all(['r1', 'r2', 'r3', 'r4', 'r5'].map((name) => signUp(`${name}@example.com`)));
    expect(responses.map((response) => response.statusCode).sort()).toEqual([201, 409, 409, 409, 409]);
    expect(responses.filter((response) => response.statusCode === 409).every((response) => response.json().error.code === 'invitation_used')).toBe(true);
    const later = await signUp('late@example.com');
    expect(later.json().error.code).toBe('invitation_used');
    expect(await server.core.auth.listUsers()).toHaveLength(usersBefore + 1);

    // The one account is a member already (signing up joined), and accepting the link again only names the workspace.
    const winner = responses.find((response) => response.statusCode === 201)!;
    const winnerCookie = cookieOf(winner);
    expect((await server.call({ method: 'GET', url: '/api/workspaces', cookie: winnerCookie })).json().workspaces).toEqual([expect.objectContaining({ id: owner.workspace.id, role: 'member' })]);
    expect((await server.call({ method: 'POST', url: `/api/invitations/${tokenOf(link.url)}/accept`, cookie: winnerCookie })).statusCode).toBe(200);
    const statuses = (await server.call({ method: 'GET', url: `/api/workspaces/${owner.workspace.id}/invitations`, cookie: owner.cookie })).json().invitations;
    expect(statuses.find((item: { id: string }) => item.id === link.invitation.id).status).toBe('accepted');
  });

  it('gives the link back when the sign-up fails, and binds an invitation to its email for sign-up and acceptance', async () => {
    const server = use();
    const open = (await invite(server, owner.cookie, owner.workspace.id, { role: 'viewer' })).json() as { url: string };
    const taken = await server.call({ method: 'POST', url: '/api/auth/sign-up', payload: { name: 'Dup', email: 'owner@example.com', password: 'dup-password-1', invitationToken: tokenOf(open.url) } });
    expect(taken.json().error.code).toBe('email_taken');
    const retried = await server.call({ method: 'POST', url: '/api/auth/sign-up', payload: { name: 'Nia', email: 'nia@example.com', password: 'nia-password-1', invitationToken: tokenOf(open.url) } });
    expect(retried.statusCode).toBe(201);

    const bound = (await invite(server, owner.cookie, owner.workspace.id, { email: 'bound@example.com', role: 'admin' })).json() as { url: string };
    const other = await server.call({ method: 'POST', url: '/api/auth/sign-up', payload: { name: 'Not Bound', email: 'BOUNDX@example.com', password: 'nb-password-12', invitationToken: tokenOf(bound.url) } });
    expect(other.statusCode).toBe(403);
    expect(other.json().error.code).toBe('invitation_email_mismatch');
    // Someone signed in with another address cannot accept it either.
    const acceptedByOther = await server.call({ method: 'POST', url: `/api/invitations/${tokenOf(bound.url)}/accept`, cookie: cookieOf(retried) });
    expect(acceptedByOther.statusCode).toBe(403);
    expect(acceptedByOther.json().error.code).toBe('invitation_email_mismatch');
    const right = await server.call({ method: 'POST', url: '/api/auth/sign-up', payload: { name: 'Bound', email: 'Bound@Example.com', password: 'bound-password-1', invitationToken: tokenOf(bound.url) } });
    expect(right.statusCode).toBe(201);
  });

  it('refuses expired and revoked invitations', async () => {
    const server = use();
    const revoked = (await invite(server, owner.cookie, owner.workspace.id, { role: 'member' })).json();
    expect((await server.call({ method: 'DELETE', url: `/api/workspaces/${owner.workspace.id}/invitations/${revoked.invitation.id}`, cookie: owner.cookie })).statusCode).toBe(204);
    expect((await server.call({ method: 'GET', url: `/api/invitations/${tokenOf(revoked.url)}` })).json().error.code).toBe('invitation_not_found');

    const expiring = (await invite(server, owner.cookie, owner.workspace.id, { role: 'member' })).json();
    clock.offsetMs = 8 * 24 * 3_600_000;
    try {
      const preview = await server.call({ method: 'GET', url: `/api/invitations/${tokenOf(expiring.url)}` });
      expect(preview.statusCode).toBe(410);
      expect(preview.json().error.code).toBe('invitation_expired');
      const list = (await server.call({ method: 'GET', url: `/api/workspaces/${owner.workspace.id}/invitations`, cookie: owner.cookie })).json().invitations;
      expect(list.find((item: { id: string }) => item.id === expiring.invitation.id).status).toBe('expired');
    } finally {
      clock.offsetMs = 0;
    }
  });

  it('enforces roles: no granting above your own, no removing the last owner, viewers read only', async () => {
    const server = use();
    const admin = await addMember(server, owner.cookie, owner.workspace.id, { name: 'Ada', email: 'ada@example.com', password: 'ada-password-1' }, 'admin');
    const viewer = await addMember(server, owner.cookie, owner.workspace.id, { name: 'Vic', email: 'vic@example.com', password: 'vic-password-1' }, 'viewer');

    const mintOwner = await invite(server, admin.cookie, owner.workspace.id, { role: 'owner' });
    expect(mintOwner.statusCode).toBe(403);
    expect(mintOwner.json().error.code).toBe('role_not_assignable');
    const promoteSelf = await server.call({ method: 'PATCH', url: `/api/workspaces/${owner.workspace.id}/members/${admin.userId}`, cookie: admin.cookie, payload: { role: 'owner' } });
    expect(promoteSelf.json().error.code).toBe('role_not_assignable');
    const demoteOwner = await server.call({ method: 'PATCH', url: `/api/workspaces/${owner.workspace.id}/members/${owner.user.id}`, cookie: owner.cookie, payload: { role: 'admin' } });
    expect(demoteOwner.json().error.code).toBe('workspace_last_owner');
    const removeOwner = await server.call({ method: 'DELETE', url: `/api/workspaces/${owner.workspace.id}/members/${owner.user.id}`, cookie: admin.cookie });
    expect(removeOwner.json().error.code).toBe('role_not_assignable');

    expect((await server.call({ method: 'GET', url: `/api/workspaces/${owner.workspace.id}/members`, cookie: viewer.cookie })).statusCode).toBe(200);
    const viewerInvites = await invite(server, viewer.cookie, owner.workspace.id, { role: 'viewer' });
    expect(viewerInvites.statusCode).toBe(403);
    expect(viewerInvites.json().error.code).toBe('forbidden');

    const changed = await server.call({ method: 'PATCH', url: `/api/workspaces/${owner.workspace.id}/members/${viewer.userId}`, cookie: admin.cookie, payload: { role: 'member' } });
    expect(changed.json().member).toMatchObject({ email: 'vic@example.com', role: 'member' });
    expect((await server.call({ method: 'DELETE', url: `/api/workspaces/${owner.workspace.id}/members/${viewer.userId}`, cookie: admin.cookie })).statusCode).toBe(204);
    expect((await server.call({ method: 'GET', url: `/api/workspaces/${owner.workspace.id}`, cookie: viewer.cookie })).json().error.code).toBe('workspace_not_found');
  });

  it('only owners delete a workspace, and deleting removes its members, invitations and keys', async () => {
    const server = use();
    const doomed = (await server.call({ method: 'POST', url: '/api/workspaces', cookie: owner.cookie, payload: { name: 'Doomed' } })).json().workspace;
    const admin = await addMember(server, owner.cookie, doomed.id, { name: 'Al', email: 'al@example.com', password: 'al-password-12' }, 'admin');
    expect((await server.call({ method: 'DELETE', url: `/api/workspaces/${doomed.id}`, cookie: admin.cookie })).statusCode).toBe(403);
    const key = (await server.call({ method: 'POST', url: `/api/workspaces/${doomed.id}/keys`, cookie: owner.cookie, payload: { name: 'k', role: 'owner' } })).json();
    expect((await server.call({ method: 'DELETE', url: `/api/workspaces/${doomed.id}`, cookie: owner.cookie })).statusCode).toBe(204);
    expect((await server.call({ method: 'GET', url: `/api/workspaces/${doomed.id}/members`, key: key.secret })).statusCode).toBe(401);
    expect((await server.call({ method: 'GET', url: '/api/workspaces', cookie: admin.cookie })).json().workspaces).toEqual([]);
  });
}, { clock });
