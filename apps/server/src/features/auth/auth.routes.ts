import { z } from 'zod';
import { idParam, noContent, setCookies, userOf, type SteadApp } from '../../platform/http/http.types.ts';
import {
  changePasswordBody,
  loginBody,
  passwordBody,
  resetLinkPreviewSchema,
  resetPasswordBody,
  resetTokenSchema,
  sessionSchema,
  sessionUserSchema,
  signInResultSchema,
  totpCodeBody,
  twoFactorLoginBody,
} from './auth.schema.ts';
import { clientOf } from '../../platform/http/request-context.ts';
import type { AuthService } from './auth.service.ts';

export interface AuthRoutesDeps {
  auth: AuthService;
  /** Rate limit applied to sign-in and token endpoints. */
  loginRateLimit: { max: number; timeWindow: string };
}

export const registerAuthRoutes = (app: SteadApp, { auth, loginRateLimit }: AuthRoutesDeps): void => {
  const limited = { rateLimit: loginRateLimit };

  app.post('/api/auth/login', {
    config: { permission: 'public', audit: 'auth.login', ...limited },
    schema: { tags: ['auth'], summary: 'Sign in with email and password', body: loginBody, response: { 200: signInResultSchema } },
  }, async (request, reply) => {
    request.auditDetails = { metadata: { email: request.body.email } };
    const { result, cookies } = await auth.signIn(request.body, clientOf(request));
    setCookies(reply, cookies);
    if (result.status === 'signed-in') {
      request.auditDetails = { targetType: 'user', targetId: result.user.id, actor: { type: 'user', id: result.user.id, label: result.user.email } };
    }
    return result;
  });

  app.post('/api/auth/login/two-factor', {
    config: { permission: 'public', audit: 'auth.login-two-factor', ...limited },
    schema: { tags: ['auth'], summary: 'Finish signing in with a TOTP code or a recovery code', body: twoFactorLoginBody, response: { 200: signInResultSchema } },
  }, async (request, reply) => {
    const { result, cookies } = await auth.completeTwoFactor(request.body, clientOf(request));
    setCookies(reply, cookies);
    if (result.status === 'signed-in') {
      request.auditDetails = {
        targetType: 'user',
        targetId: result.user.id,
        actor: { type: 'user', id: result.user.id, label: result.user.email },
        metadata: { method: request.body.recoveryCode ? 'recovery-code' : 'totp' },
      };
    }
    return result;
  });

  // The token travels in bodies only, never in a URL the server sees (links carry it after `#`), so request
  // logs and proxies never record a credential that can take over an account.
  app.post('/api/auth/password-reset/preview', {
    config: { permission: 'public', auditExempt: 'reads whose link it is and changes nothing', rateLimit: { max: 30, timeWindow: '1 minute' } },
    schema: {
      tags: ['auth'],
      summary: 'Whose password a reset link sets, and until when it works (for the reset page)',
      body: z.strictObject({ token: resetTokenSchema }),
      response: { 200: resetLinkPreviewSchema },
    },
  }, async (request) => auth.previewResetLink(request.body.token));

  app.post('/api/auth/password-reset', {
    config: { permission: 'public', audit: 'auth.password-reset', ...limited },
    schema: {
      tags: ['auth'],
      summary: 'Set a new password with a one-time reset link an administrator made; ends every session of the account',
      body: resetPasswordBody,
      response: { 204: noContent },
    },
  }, async (request, reply) => {
    const user = await auth.resetPasswordWithLink(request.body.token, request.body.newPassword);
    request.auditDetails = { targetType: 'user', targetId: user.id, actor: { type: 'user', id: user.id, label: user.email } };
    return reply.status(204).send(null);
  });

  app.post('/api/auth/logout', {
    config: { permission: 'user', audit: 'auth.logout' },
    schema: { tags: ['auth'], summary: 'Sign out of this session', response: { 204: noContent } },
  }, async (request, reply) => {
    setCookies(reply, await auth.signOut(clientOf(request)));
    return reply.status(204).send(null);
  });

  app.get('/api/auth/session', {
    config: { permission: 'user' },
    schema: {
      tags: ['auth'],
      summary: 'The signed-in user and session',
      response: { 200: z.object({ user: sessionUserSchema, session: z.object({ id: z.string() }) }) },
    },
  }, async (request) => {
    const caller = userOf(request);
    return { user: caller.user, session: { id: caller.sessionId } };
  });

  app.put('/api/account/password', {
    config: { permission: 'user', audit: 'account.password-change', ...limited },
    schema: { tags: ['account'], summary: 'Change the password; every other session is ended', body: changePasswordBody, response: { 204: noContent } },
  }, async (request, reply) => {
    request.auditDetails = { targetType: 'user', targetId: userOf(request).user.id };
    setCookies(reply, await auth.changePassword(request.body, clientOf(request)));
    return reply.status(204).send(null);
  });

  app.get('/api/account/sessions', {
    config: { permission: 'user' },
    schema: { tags: ['account'], summary: 'Active sessions of the signed-in user', response: { 200: z.object({ sessions: z.array(sessionSchema) }) } },
  }, async (request) => {
    const caller = userOf(request);
    return { sessions: await auth.listSessions(caller.user.id, caller.sessionId) };
  });

  app.delete('/api/account/sessions/:sessionId', {
    config: { permission: 'user', audit: 'account.session-revoke' },
    schema: { tags: ['account'], summary: 'End one session', params: z.object({ sessionId: idParam() }), response: { 204: noContent } },
  }, async (request, reply) => {
    request.auditDetails = { targetType: 'session', targetId: request.params.sessionId };
    await auth.revokeSession(userOf(request).user.id, request.params.sessionId);
    return reply.status(204).send(null);
  });

  app.post('/api/account/two-factor/enable', {
    config: { permission: 'user', audit: 'account.two-factor-enable', ...limited },
    schema: {
      tags: ['account'],
      summary: 'Start enabling TOTP two-factor; returns the authenticator URI and recovery codes (shown once)',
      body: passwordBody,
      response: { 200: z.object({ totpUri: z.string(), recoveryCodes: z.array(z.string()) }) },
    },
  }, async (request) => {
    request.auditDetails = { targetType: 'user', targetId: userOf(request).user.id };
    return auth.enableTwoFactor(request.body.password, clientOf(request));
  });

  app.post('/api/account/two-factor/verify', {
    config: { permission: 'user', audit: 'account.two-factor-verify', ...limited },
    schema: { tags: ['account'], summary: 'Confirm two-factor setup with a first code', body: totpCodeBody, response: { 204: noContent } },
  }, async (request, reply) => {
    request.auditDetails = { targetType: 'user', targetId: userOf(request).user.id };
    setCookies(reply, await auth.verifyTwoFactorSetup(request.body.code, clientOf(request)));
    return reply.status(204).send(null);
  });

  app.post('/api/account/two-factor/disable', {
    config: { permission: 'user', audit: 'account.two-factor-disable', ...limited },
    schema: { tags: ['account'], summary: 'Turn two-factor off', body: passwordBody, response: { 204: noContent } },
  }, async (request, reply) => {
    request.auditDetails = { targetType: 'user', targetId: userOf(request).user.id };
    setCookies(reply, await auth.disableTwoFactor(request.body.password, clientOf(request)));
    return reply.status(204).send(null);
  });
};
