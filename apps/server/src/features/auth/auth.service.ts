import { createHash, randomBytes } from 'node:crypto';
import { APIError } from 'better-auth/api';
import type { Clock, Ids } from '../../platform/clock/clock.ts';
import type { ErrorCode } from '../../platform/errors/error-codes.ts';
import { SteadError } from '../../platform/errors/stead-error.ts';
import type { ClientContext, SessionUser } from '../../platform/http/request-context.ts';
import { resetLinkIdentifierPrefix, type AuthRepository, type SessionRecord, type UserRecord } from './auth.repository.ts';
import { withAuthContext } from './auth-context-scope.ts';
import { clientAddressHeader, type BetterAuth } from './better-auth.ts';

export type { ClientContext } from '../../platform/http/request-context.ts';
export type { SessionRecord, UserRecord } from './auth.repository.ts';

export type SignInResult = { status: 'signed-in'; user: SessionUser } | { status: 'two-factor-required' };

/** The outcome of an auth call, plus the `Set-Cookie` values the browser must receive. */
export interface WithCookies<T> {
  result: T;
  cookies: string[];
}

const betterAuthCodes: Record<string, ErrorCode> = {
  INVALID_EMAIL_OR_PASSWORD: 'invalid_credentials',
  INVALID_PASSWORD: 'invalid_credentials',
  CREDENTIAL_ACCOUNT_NOT_FOUND: 'invalid_credentials',
  USER_ALREADY_EXISTS: 'email_taken',
  USER_ALREADY_EXISTS_USE_ANOTHER_EMAIL: 'email_taken',
  PASSWORD_TOO_SHORT: 'password_too_weak',
  PASSWORD_TOO_LONG: 'password_too_weak',
  INVALID_CODE: 'two_factor_invalid',
  INVALID_BACKUP_CODE: 'two_factor_invalid',
  INVALID_TWO_FACTOR_COOKIE: 'two_factor_invalid',
  OTP_HAS_EXPIRED: 'two_factor_invalid',
  TOO_MANY_ATTEMPTS_REQUEST_NEW_CODE: 'rate_limited',
  ACCOUNT_TEMPORARILY_LOCKED: 'rate_limited',
  TOTP_NOT_ENABLED: 'two_factor_not_enabled',
  TWO_FACTOR_NOT_ENABLED: 'two_factor_not_enabled',
  FAILED_TO_CREATE_SESSION: 'account_disabled',
  USER_NOT_FOUND: 'user_not_found',
};

/** better-auth's errors become Stead codes at this boundary; anything unexpected propagates as a 500. */
const translate = (error: unknown): never => {
  if (error instanceof APIError) {
    const vendorCode = (error.body as { code?: string } | undefined)?.code ?? '';
    const code = betterAuthCodes[vendorCode];
    if (code) throw new SteadError(code, error.body?.message ?? error.message, { cause: error });
    if (error.statusCode === 401) throw new SteadError('unauthenticated', 'Not signed in', { cause: error });
    if (error.statusCode === 400) throw new SteadError('validation_failed', error.body?.message ?? error.message, { cause: error });
  }
  throw error;
};

const toBoolean = (value: unknown): boolean => value === true || value === 1;

export interface AuthServiceOptions {
  auth: BetterAuth;
  repository: AuthRepository;
  clock: Clock;
  ids: Ids;
}

/** How long a password-reset link works: a day, enough to hand it over by chat or in person. */
export const resetLinkTtlHours = 24;
const resetLinkIdentifier = (token: string) => resetLinkIdentifierPrefix + createHash('sha256').update(token).digest('hex');

export interface AuthService {
  hasUsers(): Promise<boolean>;
  sessionFromHeaders(headers: Headers): Promise<{ user: SessionUser; sessionId: string } | null>;
  signIn(input: { email: string; password: string }, client: ClientContext): Promise<WithCookies<SignInResult>>;
  completeTwoFactor(input: { code?: string | undefined; recoveryCode?: string | undefined }, client: ClientContext): Promise<WithCookies<SignInResult>>;
  signOut(client: ClientContext): Promise<string[]>;
  /** Creates an account and signs it in (setup, joining by invitation). */
  signUp(input: { name: string; email: string; password: string }, client: ClientContext): Promise<WithCookies<SessionUser>>;
  /** Creates an account without signing in (the CLI, administrators); without a password, nobody can sign in until a reset link is used. */
  createUser(input: { name: string; email: string; password?: string | undefined; isAdmin: boolean }): Promise<UserRecord>;
  assertPasswordAcceptable(password: string, minimum: number): void;
  /** Makes a user an instance administrator or not; refuses (`last_instance_admin`) to demote the last enabled one. */
  setAdmin(userId: string, isAdmin: boolean): Promise<void>;
  /**
   * A one-time link to set a new password, for an administrator to hand over (there is no email yet). Only the
   * token's SHA-256 is stored; it works once, for `resetLinkTtlHours`, and replaces the user's earlier links.
   */
  createResetLink(userId: string): Promise<{ token: string; expiresAt: string; user: UserRecord }>;
  /** Whose password a link resets; `reset_link_invalid` / `reset_link_expired` for a dead link. */
  previewResetLink(token: string): Promise<{ name: string; email: string; expiresAt: string }>;
  /** Uses a link: sets the password, ends every session of the user and every other link of theirs. */
  resetPasswordWithLink(token: string, newPassword: string): Promise<UserRecord>;
  /** Sets a new password without the old one (the CLI) and ends every session of the user. */
  resetPassword(email: string, newPassword: string): Promise<UserRecord>;
  /** Changes the password and ends every other session of the user; returns the cookies to set. */
  changePassword(input: { currentPassword: string; newPassword: string }, client: ClientContext): Promise<string[]>;
  listSessions(userId: string, currentSessionId: string): Promise<(SessionRecord & { current: boolean })[]>;
  revokeSession(userId: string, sessionId: string): Promise<void>;
  endAllSessions(userId: string): Promise<void>;
  enableTwoFactor(password: string, client: ClientContext): Promise<{ totpUri: string; recoveryCodes: string[] }>;
  verifyTwoFactorSetup(code: string, client: ClientContext): Promise<string[]>;
  disableTwoFactor(password: string, client: ClientContext): Promise<string[]>;
  findUserByEmail(email: string): Promise<UserRecord | undefined>;
  findUserById(id: string): Promise<UserRecord | undefined>;
  findUsersByIds(ids: readonly string[]): Promise<UserRecord[]>;
  listUsers(): Promise<UserRecord[]>;
  /** Disabling takes effect at once: the flag blocks new sessions and existing ones are deleted. Refuses to disable the last enabled administrator. */
  setDisabled(userId: string, disabled: boolean): Promise<void>;
}

export const createAuthService = ({ auth, repository, clock, ids }: AuthServiceOptions) : AuthService => {
  // Only these headers reach better-auth: Stead has already checked origins (CSRF) and resolved the client address.
  const headersOf = (client: ClientContext): Headers => {
    const headers = new Headers({ [clientAddressHeader]: client.clientAddress });
    if (client.cookie) headers.set('cookie', client.cookie);
    if (client.userAgent) headers.set('user-agent', client.userAgent);
    return headers;
  };
  const call = async <T>(run: () => Promise<{ headers: Headers; response: T }>): Promise<WithCookies<T>> => {
    try {
      const { headers, response } = await withAuthContext(run);
      return { result: response, cookies: headers.getSetCookie() };
    } catch (error) {
      return translate(error);
    }
  };
  const sessionUserOf = (user: Record<string, unknown>): SessionUser => ({
    id: String(user.id),
    name: String(user.name),
    email: String(user.email),
    isAdmin: toBoolean(user.isAdmin),
    twoFactorEnabled: toBoolean(user.twoFactorEnabled),
  });
  const context = () => auth.$context;
  const requireUser = async (userId: string): Promise<UserRecord> => {
    const user = await repository.findUserById(userId);
    if (!user) throw new SteadError('user_not_found', 'No such user');
    return user;
  };
  const changeStanding = async (userId: string, change: { isAdmin?: boolean; disabledAt?: Date | null }): Promise<void> => {
    await requireUser(userId);
    if ((await repository.changeStanding(userId, change)) === 'last-admin') {
      throw new SteadError('last_instance_admin', 'This is the last enabled administrator of the instance; promote someone else first');
    }
  };
  const setPassword = (userId: string, newPassword: string) =>
    withAuthContext(async () => {
      const ctx = await context();
      service.assertPasswordAcceptable(newPassword, ctx.password.config.minPasswordLength);
      await ctx.internalAdapter.updatePassword(userId, await ctx.password.hash(newPassword));
    });
  /** The user a link resets, while the link is unexpired and the account enabled; expiry has its own code. */
  const liveLinkUser = async (link: { userId: string; expiresAt: string }): Promise<UserRecord | undefined> => {
    if (link.expiresAt <= clock.now().toISOString()) throw new SteadError('reset_link_expired', 'This password-reset link has expired; ask an administrator for a new one');
    const user = await repository.findUserById(link.userId);
    if (user?.disabledAt) throw new SteadError('account_disabled', 'This account has been disabled by an administrator');
    return user;
  };

  const service = {
    async hasUsers(): Promise<boolean> {
      return (await repository.countUsers()) > 0;
    },

    async sessionFromHeaders(headers: Headers): Promise<{ user: SessionUser; sessionId: string } | null> {
      const cookie = headers.get('cookie') ?? undefined;
      const found = await withAuthContext(() => auth.api.getSession({ headers: new Headers(cookie ? { cookie } : {}) }));
      if (!found) return null;
      if ((found.user as { disabledAt?: unknown }).disabledAt) return null;
      return { user: sessionUserOf(found.user as Record<string, unknown>), sessionId: found.session.id };
    },

    async signIn(input: { email: string; password: string }, client: ClientContext): Promise<WithCookies<SignInResult>> {
      const existing = await repository.findUserByEmail(input.email);
      const outcome = await call(() =>
        auth.api.signInEmail({ body: { email: input.email, password: input.password }, headers: headersOf(client), returnHeaders: true }),
      ).catch((error: unknown) => {
        // The password was right but the session was refused: only a disabled account does that.
        if (error instanceof SteadError && error.code === 'account_disabled' && existing?.disabledAt) {
          throw new SteadError('account_disabled', 'This account has been disabled by an administrator');
        }
        throw error;
      });
      const response = outcome.result as { twoFactorRedirect?: boolean; user?: Record<string, unknown> };
      if (response.twoFactorRedirect) return { result: { status: 'two-factor-required' }, cookies: outcome.cookies };
      return { result: { status: 'signed-in', user: sessionUserOf(response.user!) }, cookies: outcome.cookies };
    },

    async completeTwoFactor(input: { code?: string | undefined; recoveryCode?: string | undefined }, client: ClientContext): Promise<WithCookies<SignInResult>> {
      const headers = headersOf(client);
      const outcome = input.recoveryCode
        ? await call(() => auth.api.verifyBackupCode({ body: { code: input.recoveryCode! }, headers, returnHeaders: true }))
        : await call(() => auth.api.verifyTOTP({ body: { code: input.code ?? '' }, headers, returnHeaders: true }));
      const user = (outcome.result as { user: Record<string, unknown> }).user;
      return { result: { status: 'signed-in', user: sessionUserOf(user) }, cookies: outcome.cookies };
    },

    async signOut(client: ClientContext): Promise<string[]> {
      const outcome = await call(() => auth.api.signOut({ headers: headersOf(client), returnHeaders: true }));
      return outcome.cookies;
    },

    /** Creates an account and signs it in (setup, joining by invitation). */
    async signUp(input: { name: string; email: string; password: string }, client: ClientContext): Promise<WithCookies<SessionUser>> {
      const outcome = await call(() =>
        auth.api.signUpEmail({ body: { name: input.name, email: input.email, password: input.password }, headers: headersOf(client), returnHeaders: true }),
      );
      return { result: sessionUserOf((outcome.result as { user: Record<string, unknown> }).user), cookies: outcome.cookies };
    },

    /** Creates an account without signing in (the CLI). */
    async createUser(input: { name: string; email: string; password?: string | undefined; isAdmin: boolean }): Promise<UserRecord> {
      if (await repository.findUserByEmail(input.email)) throw new SteadError('email_taken', `An account with ${input.email} already exists`);
      // No password given: a random one nobody knows, until the person sets theirs with a reset link.
      const password = input.password ?? randomBytes(32).toString('base64url');
      const user = await withAuthContext(async () => {
        const ctx = await context();
        service.assertPasswordAcceptable(password, ctx.password.config.minPasswordLength);
        const created = await ctx.internalAdapter.createUser({ name: input.name, email: input.email.toLowerCase(), emailVerified: false }, { method: 'email' });
        await ctx.internalAdapter.linkAccount({ userId: created.id, providerId: 'credential', accountId: created.id, password: await ctx.password.hash(password) });
        return created;
      });
      if (input.isAdmin) await repository.setAdmin(user.id, true);
      return (await repository.findUserById(user.id))!;
    },

    assertPasswordAcceptable(password: string, minimum: number): void {
      if (password.length < minimum) throw new SteadError('password_too_weak', `The password must have at least ${minimum} characters`);
    },

    async setAdmin(userId: string, isAdmin: boolean): Promise<void> {
      await changeStanding(userId, { isAdmin });
    },

    /** Sets a new password without the old one (the CLI) and ends every session of the user. */
    async resetPassword(email: string, newPassword: string): Promise<UserRecord> {
      const user = await repository.findUserByEmail(email);
      if (!user) throw new SteadError('user_not_found', `No account has the email ${email}`);
      await setPassword(user.id, newPassword);
      await repository.deleteSessions(user.id);
      return user;
    },

    async createResetLink(userId: string) {
      const user = await requireUser(userId);
      const token = randomBytes(32).toString('base64url');
      const createdAt = clock.now();
      const expiresAt = new Date(createdAt.getTime() + resetLinkTtlHours * 3_600_000);
      await repository.deleteResetLinksOf(user.id);
      await repository.insertResetLink({ id: ids.next(), identifier: resetLinkIdentifier(token), userId: user.id, expiresAt, createdAt });
      return { token, expiresAt: expiresAt.toISOString(), user };
    },

    async previewResetLink(token: string) {
      const link = await repository.findResetLink(resetLinkIdentifier(token));
      const user = link ? await liveLinkUser(link) : undefined;
      if (!link || !user) throw new SteadError('reset_link_invalid', 'This password-reset link is not valid or was already used; ask an administrator for a new one');
      return { name: user.name, email: user.email, expiresAt: link.expiresAt };
    },

    async resetPasswordWithLink(token: string, newPassword: string): Promise<UserRecord> {
      // Checked before the link is used up, so a too-short password does not cost the person their link.
      service.assertPasswordAcceptable(newPassword, (await withAuthContext(context)).password.config.minPasswordLength);
      const link = await repository.takeResetLink(resetLinkIdentifier(token));
      const user = link ? await liveLinkUser(link) : undefined;
      if (!link || !user) throw new SteadError('reset_link_invalid', 'This password-reset link is not valid or was already used; ask an administrator for a new one');
      await setPassword(user.id, newPassword);
      await repository.deleteResetLinksOf(user.id);
      await repository.deleteSessions(user.id);
      return user;
    },

    /** Changes the password and ends every other session of the user. */
    async changePassword(input: { currentPassword: string; newPassword: string }, client: ClientContext): Promise<string[]> {
      const outcome = await call(() =>
        auth.api.changePassword({
          body: { currentPassword: input.currentPassword, newPassword: input.newPassword, revokeOtherSessions: true },
          headers: headersOf(client),
          returnHeaders: true,
        }),
      );
      return outcome.cookies;
    },

    async listSessions(userId: string, currentSessionId: string): Promise<(SessionRecord & { current: boolean })[]> {
      const now = clock.now().toISOString();
      const sessions = await repository.listSessions(userId);
      return sessions
        .filter((session) => session.expiresAt > now)
        .map(({ token: _token, ...session }) => ({ ...session, current: session.id === currentSessionId }));
    },

    async revokeSession(userId: string, sessionId: string): Promise<void> {
      if ((await repository.deleteSession(userId, sessionId)) === 0) throw new SteadError('not_found', 'No such session');
    },

    async endAllSessions(userId: string): Promise<void> {
      await repository.deleteSessions(userId);
    },

    async enableTwoFactor(password: string, client: ClientContext): Promise<{ totpUri: string; recoveryCodes: string[] }> {
      const outcome = await call(() => auth.api.enableTwoFactor({ body: { password }, headers: headersOf(client), returnHeaders: true }));
      const response = outcome.result as { totpURI: string; backupCodes: string[] };
      return { totpUri: response.totpURI, recoveryCodes: response.backupCodes };
    },

    async verifyTwoFactorSetup(code: string, client: ClientContext): Promise<string[]> {
      const outcome = await call(() => auth.api.verifyTOTP({ body: { code }, headers: headersOf(client), returnHeaders: true }));
      return outcome.cookies;
    },

    async disableTwoFactor(password: string, client: ClientContext): Promise<string[]> {
      const outcome = await call(() => auth.api.disableTwoFactor({ body: { password }, headers: headersOf(client), returnHeaders: true }));
      return outcome.cookies;
    },

    findUserByEmail: (email: string) => repository.findUserByEmail(email),
    findUserById: (id: string) => repository.findUserById(id),
    findUsersByIds: (ids: readonly string[]) => repository.findUsersByIds(ids),
    listUsers: () => repository.listUsers(),

    /** Disabling takes effect at once: the flag blocks new sessions and existing ones are deleted. */
    async setDisabled(userId: string, disabled: boolean): Promise<void> {
      await changeStanding(userId, { disabledAt: disabled ? clock.now() : null });
      if (disabled) await repository.deleteSessions(userId);
    },
  };
  return service;
};

