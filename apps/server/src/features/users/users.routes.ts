import { z } from 'zod';
import { idParam, noContent, userOf, type SteadApp } from '../../platform/http/http.types.ts';
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

export interface UsersRoutesDeps {
  users: UsersService;
  /** What the settings page shows: version, data location and the effective configuration with secrets masked. */
  describeInstance: () => Promise<{ version: string; dataDir: string; database: { dialect: string; location: string }; config: Record<string, unknown> }>;
}

export const registerUsersRoutes = (app: SteadApp, { users, describeInstance }: UsersRoutesDeps): void => {
  app.get('/api/admin/users', {
    config: { permission: 'admin' },
    schema: { tags: ['admin'], summary: 'Every account of this instance', response: { 200: z.object({ users: z.array(userSchema) }) } },
  }, async () => ({ users: await users.list() }));

  const params = z.object({ userId: idParam() });
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
