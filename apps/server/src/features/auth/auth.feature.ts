import { hkdfSync } from 'node:crypto';
import type { Kysely } from 'kysely';
import { defineFeature, ownTables } from '../../feature.ts';
import type { ErrorCatalogue } from '../../platform/errors/error-codes.ts';
import { createAuthRepository } from './auth.repository.ts';
import { registerAuthRoutes } from './auth.routes.ts';
import { createAuthService, type AuthService } from './auth.service.ts';
import type { AuthTables } from './auth.tables.ts';
import { createBetterAuth } from './better-auth.ts';

export const authErrorCodes = {
  invalid_credentials: { status: 401, summary: 'Email or password is wrong.' },
  account_disabled: { status: 403, summary: 'The account has been disabled by an administrator.' },
  two_factor_required: { status: 401, summary: 'The password was right; a TOTP or recovery code must now be sent to finish signing in.' },
  two_factor_invalid: { status: 401, summary: 'The two-factor code or recovery code is wrong or expired.' },
  two_factor_not_enabled: { status: 409, summary: 'Two-factor authentication is not enabled for this account.' },
  password_too_weak: { status: 400, summary: 'The new password does not meet the length requirement.' },
  email_taken: { status: 409, summary: 'An account with this email already exists.' },
  user_not_found: { status: 404, summary: 'No user has this id or email.' },
  last_instance_admin: { status: 409, summary: 'The change would leave the instance without an enabled administrator; promote someone else first.' },
  reset_link_invalid: { status: 404, summary: 'The password-reset link does not exist, was replaced by a newer one, or was already used.' },
  reset_link_expired: { status: 410, summary: 'The password-reset link has expired; an administrator can make a new one.' },
} as const satisfies ErrorCatalogue;

declare module '../../feature.ts' { interface SteadServices { auth: AuthService } }

/** Accounts, passwords, sessions and two-factor sign-in (better-auth underneath). */
export const authFeature = defineFeature({
  name: 'auth',
  tables: ownTables<AuthTables>(),
  errorCodes: authErrorCodes,
  create: ({ db, database, config, secretKey, ids, clock, logger, isClosing }) => {
    const repository = createAuthRepository(db, database.sqlDialect);
    const baseURL = config.publicUrl ?? `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}`;
    const betterAuth = createBetterAuth({
      db: db as unknown as Kysely<never>,
      dialect: database.dialect,
      // Cookie signing gets its own key derived from the master key, never the master key itself.
      secret: Buffer.from(hkdfSync('sha256', secretKey.key, Buffer.alloc(0), 'stead/session-cookies', 32)).toString('hex'),
      baseURL,
      trustedOrigins: [baseURL, ...config.allowedOrigins],
      sessionTtlDays: config.sessionTtlDays,
      ids,
      isUserDisabled: async (userId) => Boolean((await repository.findUserById(userId))?.disabledAt),
      // better-auth checks its schema in the background at start; a short-lived CLI run may close the
      // database first, which is not worth reporting.
      log: (level, message) => {
        if (!isClosing()) logger[level]({ component: 'better-auth' }, message);
      },
    });
    return createAuthService({ auth: betterAuth, repository, clock, ids });
  },
  routes: (app, { services, loginRateLimit }) => registerAuthRoutes(app, { auth: services.auth, loginRateLimit }),
});
