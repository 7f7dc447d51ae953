import { expect, it } from 'vitest';
import { cookieOf, describeEachServer, ownerCredentials, setUpOwner, type TestServer } from '../../../test/support/test-server.ts';

/** A clock a test moves forward; better-auth's own session times stay on the system clock. */
const shiftedClock = { offsetMs: 0, now: () => new Date(Date.now() + shiftedClock.offsetMs) };

type CreatedUser = { user: { id: string; email: string; isAdmin: boolean }; resetLink: { url: string; expiresAt: string } };

const tokenOf = (url: string) => url.split('/reset-password#')[1]!;
const preview = (server: TestServer, token: string) => server.call({ method: 'POST', url: '/api/auth/password-reset/preview', payload: { token } });
const signIn = (server: TestServer, email: string, password: string) => server.call({ method: 'POST', url: '/api/auth/login', payload: { email, password } });
const resetWith = (server: TestServer, token: string, newPassword: string) =>
  server.call({ method: 'POST', url: '/api/auth/password-reset', payload: { token, newPassword } });

describeEachServer('instance administration of users', (use) => {
  let owner: Awaited<ReturnType<typeof setUpOwner>>;
  let created: CreatedUser;

  it('creates an account with a one-time link to set its password, shown once and stored hashed', async () => {
    const server = use();
    owner = await setUpOwner(server);
    const response = await server.call({ method: 'POST', url: '/api/admin/users', cookie: owner.cookie, payload: { name: 'Nina New', email: 'Nina@Example.com' } });
    expect(response.statusCode).toBe(201);
    created = response.json() as CreatedUser;
    expect(created.user).toMatchObject({ email: 'nina@example.com', isAdmin: false });
    // The token is after `#`: browsers never send it to the server, so no request log records it.
    expect(created.resetLink.url).toMatch(/^http:\/\/localhost(:80)?\/reset-password#[\w-]{43}$/);
    expect(Date.parse(created.resetLink.expiresAt) - Date.now()).toBeGreaterThan(23.9 * 3_600_000);

    const token = tokenOf(created.resetLink.url);
    const stored = await server.core.database.db.selectFrom('verification').selectAll().execute();
    expect(JSON.stringify(stored)).not.toContain(token);
    const audit = (await server.call({ method: 'GET', url: '/api/admin/audit?action=user.create', cookie: owner.cookie })).json();
    expect(JSON.stringify(audit)).not.toContain(token);

    const taken = await server.call({ method: 'POST', url: '/api/admin/users', cookie: owner.cookie, payload: { name: 'Again', email: 'nina@example.com' } });
    expect(taken.json().error.code).toBe('email_taken');
    const bad = await server.call({ method: 'POST', url: '/api/admin/users', cookie: owner.cookie, payload: { name: 'x', email: 'not-an-email' } });
    expect(bad.json().error.code).toBe('validation_failed');
  });

  it('lets the person set a password with the link once, then sign in with it', async () => {
    const server = use();
    const token = tokenOf(created.resetLink.url);
    expect((await preview(server, token)).json()).toMatchObject({ name: 'Nina New', email: 'nina@example.com' });

    const short = await resetWith(server, token, 'short');
    expect(short.json().error.code).toBe('validation_failed');
    expect((await resetWith(server, token, 'nina-password-1')).statusCode).toBe(204);
    expect((await signIn(server, 'nina@example.com', 'nina-password-1')).statusCode).toBe(200);

    const again = await resetWith(server, token, 'another-password');
    expect(again.statusCode).toBe(404);
    expect(again.json().error.code).toBe('reset_link_invalid');
    expect((await preview(server, token)).json().error.code).toBe('reset_link_invalid');
    const audit = (await server.call({ method: 'GET', url: '/api/admin/audit?action=auth.password-reset', cookie: owner.cookie })).json().events as { outcome: string }[];
    expect(audit.find((event) => event.outcome === 'success')).toMatchObject({ target: { type: 'user', id: created.user.id } });
    expect(audit.filter((event) => event.outcome === 'failure').length).toBeGreaterThan(0);
  });

  it("resets a password: the new link replaces older ones, and using it ends the user's sessions", async () => {
    const server = use();
    const session = cookieOf(await signIn(server, 'nina@example.com', 'nina-password-1'));
    expect((await server.call({ method: 'GET', url: '/api/auth/session', cookie: session })).statusCode).toBe(200);
    const first = await server.call({ method: 'POST', url: `/api/admin/users/${created.user.id}/reset-link`, cookie: owner.cookie });
    expect(first.statusCode).toBe(201);
    const second = (await server.call({ method: 'POST', url: `/api/admin/users/${created.user.id}/reset-link`, cookie: owner.cookie })).json() as { url: string };
    expect((await resetWith(server, tokenOf((first.json() as { url: string }).url), 'replaced-password')).json().error.code).toBe('reset_link_invalid');

    expect((await resetWith(server, tokenOf(second.url), 'nina-password-2')).statusCode).toBe(204);
    expect((await server.call({ method: 'GET', url: '/api/auth/session', cookie: session })).statusCode).toBe(401);
    expect((await signIn(server, 'nina@example.com', 'nina-password-1')).json().error.code).toBe('invalid_credentials');
    expect((await signIn(server, 'nina@example.com', 'nina-password-2')).statusCode).toBe(200);
    expect((await server.call({ method: 'POST', url: '/api/admin/users/nobody/reset-link', cookie: owner.cookie })).json().error.code).toBe('user_not_found');
  });

  it('expires a link after 24 hours', async () => {
    const server = use();
    const { url } = (await server.call({ method: 'POST', url: `/api/admin/users/${created.user.id}/reset-link`, cookie: owner.cookie })).json() as { url: string };
    shiftedClock.offsetMs = 24 * 3_600_000 + 60_000;
    try {
      const expired = await resetWith(server, tokenOf(url), 'too-late-password');
      expect(expired.statusCode).toBe(410);
      expect(expired.json().error.code).toBe('reset_link_expired');
    } finally {
      shiftedClock.offsetMs = 0;
    }
    expect((await signIn(server, 'nina@example.com', 'nina-password-2')).statusCode).toBe(200);
  });

  it('refuses a link of a disabled account', async () => {
    const server = use();
    const { url } = (await server.call({ method: 'POST', url: `/api/admin/users/${created.user.id}/reset-link`, cookie: owner.cookie })).json() as { url: string };
    expect((await server.call({ method: 'POST', url: `/api/admin/users/${created.user.id}/disable`, cookie: owner.cookie })).statusCode).toBe(204);
    expect((await resetWith(server, tokenOf(url), 'while-disabled')).json().error.code).toBe('account_disabled');
    expect((await server.call({ method: 'POST', url: `/api/admin/users/${created.user.id}/enable`, cookie: owner.cookie })).statusCode).toBe(204);
  });

  it('promotes and demotes administrators, never the last enabled one', async () => {
    const server = use();
    const nina = cookieOf(await signIn(server, 'nina@example.com', 'nina-password-2'));
    expect((await server.call({ method: 'GET', url: '/api/admin/users', cookie: nina })).statusCode).toBe(403);
    expect((await server.call({ method: 'POST', url: `/api/admin/users/${owner.user.id}/demote`, cookie: nina })).statusCode).toBe(403);

    const lastAdmin = await server.call({ method: 'POST', url: `/api/admin/users/${owner.user.id}/demote`, cookie: owner.cookie });
    expect(lastAdmin.statusCode).toBe(409);
    expect(lastAdmin.json().error.code).toBe('last_instance_admin');

    expect((await server.call({ method: 'POST', url: `/api/admin/users/${created.user.id}/promote`, cookie: owner.cookie })).statusCode).toBe(204);
    // Takes effect on the promoted person's existing session.
    expect((await server.call({ method: 'GET', url: '/api/admin/users', cookie: nina })).statusCode).toBe(200);
    // With a second administrator, the owner may step down; then Nina is the last one.
    expect((await server.call({ method: 'POST', url: `/api/admin/users/${owner.user.id}/demote`, cookie: nina })).statusCode).toBe(204);
    expect((await server.call({ method: 'GET', url: '/api/admin/users', cookie: owner.cookie })).statusCode).toBe(403);
    expect((await server.call({ method: 'POST', url: `/api/admin/users/${created.user.id}/demote`, cookie: nina })).json().error.code).toBe('last_instance_admin');
    expect((await server.call({ method: 'POST', url: `/api/admin/users/${owner.user.id}/promote`, cookie: nina })).statusCode).toBe(204);
    const events = (await server.call({ method: 'GET', url: '/api/admin/audit?action=user.demote', cookie: owner.cookie })).json().events as { outcome: string }[];
    expect(events.filter((event) => event.outcome === 'success')).toHaveLength(1);
    expect(events.filter((event) => event.outcome === 'failure').length).toBeGreaterThanOrEqual(2);
  });

  it('never disables the last enabled administrator, even from the command line', async () => {
    const server = use();
    expect((await server.call({ method: 'POST', url: `/api/admin/users/${created.user.id}/demote`, cookie: owner.cookie })).statusCode).toBe(204);
    await expect(server.core.users.disable(owner.user.id)).rejects.toMatchObject({ code: 'last_instance_admin' });
    await expect(server.core.users.setAdmin(owner.user.id, false)).rejects.toMatchObject({ code: 'last_instance_admin' });
    expect((await signIn(server, ownerCredentials.email, ownerCredentials.password)).statusCode).toBe(200);
  });

  it('of two administrators demoting each other at the same moment, exactly one succeeds', async () => {
    const server = use();
    expect((await server.call({ method: 'POST', url: `/api/admin/users/${created.user.id}/promote`, cookie: owner.cookie })).statusCode).toBe(204);
    const nina = cookieOf(await signIn(server, 'nina@example.com', 'nina-password-2'));
    const [first, second] = await Promise.all([
      server.call({ method: 'POST', url: `/api/admin/users/${created.user.id}/demote`, cookie: owner.cookie }),
      server.call({ method: 'POST', url: `/api/admin/users/${owner.user.id}/demote`, cookie: nina }),
    ]);
    // The loser is refused either as the last administrator (409) or, once the winner's demotion landed before
    // its own access check, as no longer an administrator (403); never do both succeed.
    const statuses = [first.statusCode, second.statusCode];
    expect(statuses.filter((status) => status === 204)).toHaveLength(1);
    expect(statuses.find((status) => status !== 204)).toBeOneOf([403, 409]);
    expect((await server.core.users.list()).filter((user) => user.isAdmin)).toHaveLength(1);
    // Past the access check, the lock alone decides: two services demoting both administrators at once.
    await server.core.users.setAdmin(owner.user.id, true);
    await server.core.users.setAdmin(created.user.id, true);
    const outcomes = await Promise.allSettled([server.core.users.setAdmin(owner.user.id, false), server.core.users.setAdmin(created.user.id, false)]);
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    expect(outcomes.find((outcome) => outcome.status === 'rejected')).toMatchObject({ reason: { code: 'last_instance_admin' } });
    // Put the owner back in charge for the next test, whoever won.
    await server.core.users.setAdmin(owner.user.id, true);
    await server.core.users.setAdmin(created.user.id, false);
  });

  it('answers a forged or unknown link with reset_link_invalid, never a 500', async () => {
    const server = use();
    for (const token of ['x'.repeat(43), 'short']) {
      const response = await resetWith(server, token, 'some-password-1');
      expect(response.statusCode).toBeLessThan(500);
    }
    expect((await resetWith(server, 'x'.repeat(43), 'some-password-1')).json().error.code).toBe('reset_link_invalid');
  });
}, { clock: shiftedClock });
