import { getCurrentAuthContextAsyncLocalStorage, getCurrentDBAdapterAsyncLocalStorage, getRequestStateAsyncLocalStorage } from '@better-auth/core/context';
import { expect, it } from 'vitest';
import { totpCodeFor } from '../../../test/support/totp.ts';
import { addMember, cookieOf, createKey, describeEachServer, ownerCredentials, type TestServer } from '../../../test/support/test-server.ts';

const signIn = (server: TestServer, email: string, password: string) => server.call({ method: 'POST', url: '/api/auth/login', payload: { email, password } });

describeEachServer('accounts and sessions', (use) => {
  let ownerCookie = '';
  let workspaceId = '';

  it('asks for setup on first run, creates the owner once, then refuses', async () => {
    const server = use();
    expect((await server.call({ method: 'GET', url: '/api/setup' })).json()).toEqual({ needsSetup: true });
    const setup = await server.call({ method: 'POST', url: '/api/setup', payload: ownerCredentials });
    expect(setup.statusCode).toBe(201);
    expect(setup.json().user).toMatchObject({ email: ownerCredentials.email, isAdmin: true, twoFactorEnabled: false });
    const cookie = String(setup.headers['set-cookie']);
    expect(cookie).toMatch(/stead\.session_token=/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    ownerCookie = cookieOf(setup);
    workspaceId = setup.json().workspace.id;
    expect((await server.call({ method: 'GET', url: '/api/setup' })).json()).toEqual({ needsSetup: false });
    const again = await server.call({ method: 'POST', url: '/api/setup', payload: { ...ownerCredentials, email: 'second@example.com' } });
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('setup_already_done');
  });

  it('stores passwords as argon2id hashes', async () => {
    const { db } = use().core.database;
    const account = await db.selectFrom('account').select('password').where('providerId', '=', 'credential').executeTakeFirstOrThrow();
    expect(account.password).toMatch(/^\$argon2id\$/);
    expect(account.password).not.toContain(ownerCredentials.password);
  });

  it('signs in, tells who is signed in, and signs out', async () => {
    const server = use();
    const wrong = await signIn(server, ownerCredentials.email, 'not-the-password');
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.code).toBe('invalid_credentials');
    const unknown = await signIn(server, 'nobody@example.com', 'whatever-password');
    expect(unknown.json().error.code).toBe('invalid_credentials');

    const response = await signIn(server, ownerCredentials.email, ownerCredentials.password);
    expect(response.json()).toMatchObject({ status: 'signed-in', user: { email: ownerCredentials.email } });
    const cookie = cookieOf(response);
    expect((await server.call({ method: 'GET', url: '/api/auth/session', cookie })).json().user.email).toBe(ownerCredentials.email);
    expect((await server.call({ method: 'POST', url: '/api/auth/logout', cookie })).statusCode).toBe(204);
    const after = await server.call({ method: 'GET', url: '/api/auth/session', cookie });
    expect(after.statusCode).toBe(401);
    expect(after.json().error.code).toBe('unauthenticated');
  });

  it('switches better-auth\'s request storages off between calls (Node 20 would hook every promise), and concurrent calls still work', async () => {
    const server = use();
    const storages = await Promise.all([getCurrentAuthContextAsyncLocalStorage(), getRequestStateAsyncLocalStorage(), getCurrentDBAdapterAsyncLocalStorage()]);
    const answers = await Promise.all([
      ...Array.from({ length: 4 }, () => signIn(server, ownerCredentials.email, ownerCredentials.password)),
      ...Array.from({ length: 4 }, () => server.call({ method: 'GET', url: '/api/auth/session', cookie: ownerCookie })),
      signIn(server, ownerCredentials.email, 'not-the-password'),
    ]);
    expect(answers.map((answer) => answer.statusCode)).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 401]);
    expect(answers.slice(4, 8).map((answer) => answer.json().user.email)).toEqual(Array(4).fill(ownerCredentials.email));
    // `enabled` is the storage's own switch on Node 20 and 22: while it is on, promise hooks run for every promise.
    expect(storages.map((storage) => (storage as unknown as { enabled: boolean }).enabled)).toEqual([false, false, false]);
    for (const answer of answers.slice(0, 4)) expect((await server.call({ method: 'POST', url: '/api/auth/logout', cookie: cookieOf(answer) })).statusCode).toBe(204);
  });

  it('lists sessions and revokes one', async () => {
    const server = use();
    const second = cookieOf(await signIn(server, ownerCredentials.email, ownerCredentials.password));
    const sessions = (await server.call({ method: 'GET', url: '/api/account/sessions', cookie: ownerCookie })).json().sessions as { id: string; current: boolean }[];
    expect(sessions.filter((session) => session.current)).toHaveLength(1);
    const other = sessions.find((session) => !session.current)!;
    expect((await server.call({ method: 'DELETE', url: `/api/account/sessions/${other.id}`, cookie: ownerCookie })).statusCode).toBe(204);
    const stillOwn = (await server.call({ method: 'GET', url: '/api/account/sessions', cookie: ownerCookie })).json().sessions as { id: string }[];
    expect(stillOwn.map((session) => session.id)).not.toContain(other.id);
    // The revoked session was the second sign-in or an earlier one; either way, at most one of them still works.
    const secondWorks = (await server.call({ method: 'GET', url: '/api/auth/session', cookie: second })).statusCode === 200;
    expect(stillOwn.length).toBe(secondWorks ? 2 : 1);
  });

  it('changing the password ends every other session', async () => {
    const server = use();
    const other = cookieOf(await signIn(server, ownerCredentials.email, ownerCredentials.password));
    const wrong = await server.call({ method: 'PUT', url: '/api/account/password', cookie: ownerCookie, payload: { currentPassword: 'wrong-one', newPassword: 'brand-new-password' } });
    expect(wrong.json().error.code).toBe('invalid_credentials');
    const weak = await server.call({ method: 'PUT', url: '/api/account/password', cookie: ownerCookie, payload: { currentPassword: ownerCredentials.password, newPassword: 'short' } });
    expect(weak.statusCode).toBe(400);
    const changed = await server.call({ method: 'PUT', url: '/api/account/password', cookie: ownerCookie, payload: { currentPassword: ownerCredentials.password, newPassword: 'brand-new-password' } });
    expect(changed.statusCode).toBe(204);
    ownerCookie = cookieOf(changed, ownerCookie);
    expect((await server.call({ method: 'GET', url: '/api/auth/session', cookie: other })).statusCode).toBe(401);
    expect((await server.call({ method: 'GET', url: '/api/auth/session', cookie: ownerCookie })).statusCode).toBe(200);
    expect((await signIn(server, ownerCredentials.email, ownerCredentials.password)).statusCode).toBe(401);
    expect((await signIn(server, ownerCredentials.email, 'brand-new-password')).statusCode).toBe(200);
  });

  it('enables TOTP two-factor, then requires a code or a single-use recovery code to sign in', async () => {
    const server = use();
    const password = 'brand-new-password';
    const enable = await server.call({ method: 'POST', url: '/api/account/two-factor/enable', cookie: ownerCookie, payload: { password } });
    expect(enable.statusCode).toBe(200);
    const { totpUri, recoveryCodes } = enable.json() as { totpUri: string; recoveryCodes: string[] };
    expect(totpUri).toMatch(/^otpauth:\/\/totp\/Stead:/);
    expect(recoveryCodes.length).toBeGreaterThanOrEqual(8);

    const badVerify = await server.call({ method: 'POST', url: '/api/account/two-factor/verify', cookie: ownerCookie, payload: { code: totpCodeFor(totpUri, Date.now() - 10 * 60_000) } });
    expect(badVerify.json().error.code).toBe('two_factor_invalid');
    const verify = await server.call({ method: 'POST', url: '/api/account/two-factor/verify', cookie: ownerCookie, payload: { code: totpCodeFor(totpUri) } });
    expect(verify.statusCode).toBe(204);
    ownerCookie = cookieOf(verify, ownerCookie);
    expect((await server.call({ method: 'GET', url: '/api/auth/session', cookie: ownerCookie })).json().user.twoFactorEnabled).toBe(true);

    const first = await signIn(server, ownerCredentials.email, password);
    expect(first.json()).toEqual({ status: 'two-factor-required' });
    const pending = cookieOf(first);
    expect((await server.call({ method: 'GET', url: '/api/auth/session', cookie: pending })).statusCode).toBe(401);
    const wrongCode = await server.call({ method: 'POST', url: '/api/auth/login/two-factor', cookie: pending, payload: { code: '000000' === totpCodeFor(totpUri) ? '111111' : '000000' } });
    expect(wrongCode.json().error.code).toBe('two_factor_invalid');
    const done = await server.call({ method: 'POST', url: '/api/auth/login/two-factor', cookie: pending, payload: { code: totpCodeFor(totpUri) } });
    expect(done.json()).toMatchObject({ status: 'signed-in', user: { email: ownerCredentials.email } });
    expect((await server.call({ method: 'GET', url: '/api/auth/session', cookie: cookieOf(done, pending) })).statusCode).toBe(200);

    const recovery = async () => {
      const step = cookieOf(await signIn(server, ownerCredentials.email, password));
      return server.call({ method: 'POST', url: '/api/auth/login/two-factor', cookie: step, payload: { recoveryCode: recoveryCodes[0] } });
    };
    expect((await recovery()).json().status).toBe('signed-in');
    expect((await recovery()).json().error.code).toBe('two_factor_invalid');

    const disable = await server.call({ method: 'POST', url: '/api/account/two-factor/disable', cookie: ownerCookie, payload: { password } });
    expect(disable.statusCode).toBe(204);
    ownerCookie = cookieOf(disable, ownerCookie);
    expect((await signIn(server, ownerCredentials.email, password)).json().status).toBe('signed-in');
  });

  it('disabling a user ends every session and key at once and blocks sign-in; enabling restores sign-in', async () => {
    const server = use();
    const person = { name: 'Dana', email: 'dana@example.com', password: 'dana-password-1' };
    const { cookie, userId } = await addMember(server, ownerCookie, workspaceId, person, 'admin');
    const key = await createKey(server, cookie, workspaceId, 'admin');
    expect((await server.call({ method: 'GET', url: `/api/workspaces/${workspaceId}/members`, key: key.secret })).statusCode).toBe(200);

    const byNonAdmin = await server.call({ method: 'POST', url: `/api/admin/users/${userId}/disable`, cookie });
    expect(byNonAdmin.statusCode).toBe(403);
    const self = await server.call({ method: 'GET', url: '/api/auth/session', cookie: ownerCookie });
    const selfDisable = await server.call({ method: 'POST', url: `/api/admin/users/${self.json().user.id}/disable`, cookie: ownerCookie });
    expect(selfDisable.statusCode).toBe(403);

    expect((await server.call({ method: 'POST', url: `/api/admin/users/${userId}/disable`, cookie: ownerCookie })).statusCode).toBe(204);
    expect((await server.call({ method: 'GET', url: '/api/auth/session', cookie })).statusCode).toBe(401);
    expect((await server.call({ method: 'GET', url: `/api/workspaces/${workspaceId}/members`, key: key.secret })).statusCode).toBe(401);
    const blocked = await signIn(server, person.email, person.password);
    expect(blocked.statusCode).toBe(403);
    expect(blocked.json().error.code).toBe('account_disabled');
    const users = (await server.call({ method: 'GET', url: '/api/admin/users', cookie: ownerCookie })).json().users as { id: string; disabledAt: string | null }[];
    expect(users.find((user) => user.id === userId)?.disabledAt).toEqual(expect.any(String));

    expect((await server.call({ method: 'POST', url: `/api/admin/users/${userId}/enable`, cookie: ownerCookie })).statusCode).toBe(204);
    expect((await signIn(server, person.email, person.password)).statusCode).toBe(200);
    // Keys stay revoked: re-enabling a person does not resurrect credentials they may have leaked.
    expect((await server.call({ method: 'GET', url: `/api/workspaces/${workspaceId}/members`, key: key.secret })).statusCode).toBe(401);
  });

  it('has no open registration: signing up needs a valid invitation', async () => {
    const server = use();
    const response = await server.call({ method: 'POST', url: '/api/auth/sign-up', payload: { name: 'Eve', email: 'eve@example.com', password: 'eve-password-1', invitationToken: 'x'.repeat(30) } });
    expect(response.statusCode).toBe(404);
    expect(response.json().error.code).toBe('invitation_not_found');
    expect(await server.core.auth.findUserByEmail('eve@example.com')).toBeUndefined();
  });
});
