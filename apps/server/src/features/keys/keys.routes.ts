import { z } from 'zod';
import { actingUserId, idParam, noContent, workspaceIdParams, workspaceOf, type SteadApp } from '../../platform/http/http.types.ts';
import { apiKeySchema, createKeyBody } from './keys.schema.ts';
import type { KeysService } from './keys.service.ts';

export const registerKeysRoutes = (app: SteadApp, { keys }: { keys: KeysService }): void => {
  app.get('/api/workspaces/:workspaceId/keys', {
    config: { permission: 'keys:read' },
    schema: { tags: ['keys'], summary: 'API keys of a workspace (never their secrets)', params: workspaceIdParams, response: { 200: z.object({ keys: z.array(apiKeySchema) }) } },
  }, async (request) => ({ keys: await keys.list(request.params.workspaceId) }));

  app.post('/api/workspaces/:workspaceId/keys', {
    config: { permission: 'keys:manage', audit: 'key.create' },
    schema: {
      tags: ['keys'],
      summary: 'Create an API key; the secret is in this response only',
      params: workspaceIdParams,
      body: createKeyBody,
      response: { 201: z.object({ key: apiKeySchema, secret: z.string() }) },
    },
  }, async (request, reply) => {
    const access = workspaceOf(request);
    const created = await keys.create(access.workspaceId, request.body, { userId: actingUserId(request), role: access.role });
    request.auditDetails = { targetType: 'key', targetId: created.key.id, metadata: { name: created.key.name, role: created.key.role } };
    return reply.status(201).send(created);
  });

  app.delete('/api/workspaces/:workspaceId/keys/:keyId', {
    config: { permission: 'keys:manage', audit: 'key.revoke' },
    schema: { tags: ['keys'], summary: 'Revoke an API key at once', params: workspaceIdParams.extend({ keyId: idParam() }), response: { 204: noContent } },
  }, async (request, reply) => {
    request.auditDetails = { targetType: 'key', targetId: request.params.keyId };
    await keys.revoke(request.params.workspaceId, request.params.keyId, { role: workspaceOf(request).role });
    return reply.status(204).send(null);
  });
};
