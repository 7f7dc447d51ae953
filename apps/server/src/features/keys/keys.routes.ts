import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { actingUserId, idParam, noContent, workspaceIdParams, workspaceOf, type SteadApp } from '../../platform/http/http.types.ts';
import { apiKeySchema, createKeyBody } from './keys.schema.ts';
import type { KeyActor, KeysService } from './keys.service.ts';

/** The person a request acts for in its workspace, their role there, and whether they came signed in or with a key. */
const actorOf = (request: FastifyRequest): Required<KeyActor> => ({
  userId: actingUserId(request),
  role: workspaceOf(request).role,
  through: request.caller.type === 'key' ? 'key' : 'session',
});

export const registerKeysRoutes = (app: SteadApp, { keys }: { keys: KeysService }): void => {
  app.get('/api/workspaces/:workspaceId/keys', {
    config: { permission: 'keys:read' },
    schema: {
      tags: ['keys'],
      summary: "API keys of a workspace, never their secrets: admins and owners see everyone's, members and viewers their own",
      params: workspaceIdParams,
      response: { 200: z.object({ keys: z.array(apiKeySchema) }) },
    },
  }, async (request) => ({ keys: await keys.listVisibleTo(request.params.workspaceId, actorOf(request)) }));

  app.post('/api/workspaces/:workspaceId/keys', {
    config: { permission: 'keys:write', audit: 'key.create' },
    schema: {
      tags: ['keys'],
      summary: "Create an API key acting for the caller, at the caller's role or lower; the secret is in this response only. Members and viewers need the workspace's memberKeys setting on",
      params: workspaceIdParams,
      body: createKeyBody,
      response: { 201: z.object({ key: apiKeySchema, secret: z.string() }) },
    },
  }, async (request, reply) => {
    const created = await keys.create(workspaceOf(request).workspaceId, request.body, actorOf(request));
    request.auditDetails = { targetType: 'key', targetId: created.key.id, metadata: { name: created.key.name, role: created.key.role } };
    return reply.status(201).send(created);
  });

  app.delete('/api/workspaces/:workspaceId/keys/:keyId', {
    config: { permission: 'keys:write', audit: 'key.revoke' },
    schema: {
      tags: ['keys'],
      summary: "Revoke an API key at once (members and viewers: their own; admins: any whose creator does not outrank them)",
      params: workspaceIdParams.extend({ keyId: idParam() }),
      response: { 204: noContent },
    },
  }, async (request, reply) => {
    request.auditDetails = { targetType: 'key', targetId: request.params.keyId };
    await keys.revoke(request.params.workspaceId, request.params.keyId, actorOf(request));
    return reply.status(204).send(null);
  });
};
