import { z } from 'zod';
import type { FastifyRequest } from 'fastify';
import { idParam, noContent, userOf, type SteadApp } from '../../platform/http/http.types.ts';
import { emailSchema, personNameSchema } from '../auth/auth.schema.ts';
import type { UsersService } from './users.service.ts';

const userSchema = z.object({
  id: z.string(),
  name: z.string(),
  email: z.string(),
  isAdmin: z.boolean(),
  twoFactorEnabled: z.boolean(),
  disabledAt: z.string().nullable(),
  createdAt: z.string(),
});

const resetLinkSchema = z.object({ url: z.string().describe('One-time link to set a password; shown once'), expiresAt: z.string() });
const createUserBody = z.strictObject({ name: personNameSchema, email: emailSchema, isAdmin: z.boolean().default(false) });

export interface UsersRoutesDeps {
  users: UsersService;
  /** Origin of the links people open: `STEAD_PUBLIC_URL`, else the request's own origin once its Host passed the allowlist. */
  linkOrigin: (request: Pick<FastifyRequest, 'protocol' | 'host'>) => string;
  /** What the settings page shows: version, data location and the effective configuration with secrets masked. */
  describeInstance: () => Promise<{ version: string; dataDir: string; database: { dialect: string; location: string }; config: Record<string, unknown> }>;
}

export const registerUsersRoutes = (app: SteadApp, { users, describeInstance, linkOrigin }: UsersRoutesDeps): void => {
  const resetUrl = (request: FastifyRequest, token: string) => `${linkOrigin(request)}/reset-password#${token}`;

  app.get('/api/admin/users', {
    config: { permission: 'admin' },
    schema: { tags: ['admin'], summary: 'Every account of this instance', response: { 200: z.object({ users: z.array(userSchema) }) } },
  }, async () => ({ users: await users.list() }));

  app.post('/api/admin/users', {
    config: { permission: 'admin', audit: 'user.create' },
    schema: {
      tags: ['admin'],
      summary: 'Create an account; the answer carries a one-time link for the person to set their password (shown once)',
      body: createUserBody,
      response: { 201: z.object({ user: userSchema, resetLink: resetLinkSchema }) },
    },
  }, async (request, reply) => {
    const { user, resetLink } = await users.create(request.body);
    request.auditDetails = { targetType: 'user', targetId: user.id, metadata: { email: user.email, admin: user.isAdmin } };
    return reply.status(201).send({ user, resetLink: { url: resetUrl(request, resetLink!.token), expiresAt: resetLink!.expiresAt } });
  });

  const params = z.object({ userId: idParam() });
  app.post('/api/admin/users/:userId/reset-link', {
    config: { permission: 'admin', audit: 'user.reset-link-create' },
    schema: {
      tags: ['admin'],
      summary: 'Make a one-time password-reset link (24 h; shown once) to hand to the person; earlier links stop working',
      params,
      response: { 201: resetLinkSchema },
    },
  }, async (request, reply) => {
    request.auditDetails = { targetType: 'user', targetId: request.params.userId };
    const { token, expiresAt } = await users.createResetLink(request.params.userId);
    return reply.status(201).send({ url: resetUrl(request, token), expiresAt });
  });

  for (const [action, isAdmin] of [['promote', true], ['demote', false]] as const) {
    app.post(`/api/admin/users/:userId/${action}`, {
      config: { permission: 'admin', audit: `user.${action}` },
      schema: {
        tags: ['admin'],
        summary: isAdmin ? 'Make the account an instance administrator' : 'Take instance administration away (never from the last enabled administrator)',
        params,
        response: { 204: noContent },
      },
    }, async (request, reply) => {
      request.auditDetails = { targetType: 'user', targetId: request.params.userId };
      await users.setAdmin(request.params.userId, isAdmin);
      return reply.status(204).send(null);
    });
  }

  app.post('/api/admin/users/:userId/disable', {
    config: { permission: 'admin', audit: 'user.disable' },
    schema: { tags: ['admin'], summary: 'Disable an account: ends its sessions and revokes its API keys at once', params, response: { 204: noContent } },
  }, async (request, reply) => {
    request.auditDetails = { targetType: 'user', targetId: request.params.userId };
    await users.disable(request.params.userId, userOf(request).user.id);
    return reply.status(204).send(null);
  });

  app.post('/api/admin/users/:userId/enable', {
    config: { permission: 'admin', audit: 'user.enable' },
    schema: { tags: ['admin'], summary: 'Re-enable a disabled account', params, response: { 204: noContent } },
  }, async (request, reply) => {
    request.auditDetails = { targetType: 'user', targetId: request.params.userId };
    await users.enable(request.params.userId);
    return reply.status(204).send(null);
  });

  app.get('/api/admin/settings', {
    config: { permission: 'admin' },
    schema: {
      tags: ['admin'],
      summary: 'Version, data location and effective configuration (secrets masked)',
      response: {
        200: z.object({
          version: z.string(),
          dataDir: z.string(),
          database: z.object({ dialect: z.string(), location: z.string() }),
          config: z.record(z.string(), z.unknown()),
        }),
      },
    },
  }, async () => describeInstance());
};
