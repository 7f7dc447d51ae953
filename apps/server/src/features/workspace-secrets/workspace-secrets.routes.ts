import { z } from 'zod';
import { actingUserId, noContent, workspaceIdParams, type SteadApp } from '../../platform/http/http.types.ts';
import { createSecretBody, secretNameSchema, updateSecretBody, workspaceSecretSchema } from './workspace-secrets.schema.ts';
import type { WorkspaceSecretsService } from './workspace-secrets.service.ts';

const secretParams = workspaceIdParams.extend({ name: secretNameSchema });
const secretResponse = z.object({ secret: workspaceSecretSchema });
const tags = ['secrets'];

/** Audit metadata of a change: which fields changed, never a value. */
const changedFields = (body: object) => Object.keys(body).filter((field) => (body as Record<string, unknown>)[field] !== undefined);

export const registerWorkspaceSecretsRoutes = (app: SteadApp, { secrets }: { secrets: WorkspaceSecretsService }): void => {
  app.get('/api/workspaces/:workspaceId/secrets', {
    config: { permission: 'secrets:read' },
    schema: { tags, summary: 'Secrets tasks of this workspace may use: names, descriptions and roles, never values', params: workspaceIdParams, response: { 200: z.object({ secrets: z.array(workspaceSecretSchema) }) } },
  }, async (request) => ({ secrets: await secrets.list(request.params.workspaceId) }));

  app.post('/api/workspaces/:workspaceId/secrets', {
    config: { permission: 'secrets:manage', audit: 'secret.create' },
    schema: { tags, summary: 'Create a secret for tasks; its value is stored encrypted and can never be read back', params: workspaceIdParams, body: createSecretBody, response: { 201: secretResponse } },
  }, async (request, reply) => {
    request.auditDetails = { targetType: 'secret', targetId: request.body.name, metadata: { name: request.body.name, usableBy: request.body.usableBy } };
    const secret = await secrets.create(request.params.workspaceId, request.body, { userId: actingUserId(request) || null });
    return reply.status(201).send({ secret });
  });

  app.patch('/api/workspaces/:workspaceId/secrets/:name', {
    config: { permission: 'secrets:manage', audit: 'secret.update' },
    schema: { tags, summary: 'Replace the value, description or usableBy of a secret (fields left out stay)', params: secretParams, body: updateSecretBody, response: { 200: secretResponse } },
  }, async (request) => {
    request.auditDetails = { targetType: 'secret', targetId: request.params.name, metadata: { fields: changedFields(request.body), ...(request.body.usableBy ? { usableBy: request.body.usableBy } : {}) } };
    return { secret: await secrets.update(request.params.workspaceId, request.params.name, request.body) };
  });

  app.delete('/api/workspaces/:workspaceId/secrets/:name', {
    config: { permission: 'secrets:manage', audit: 'secret.delete' },
    schema: { tags, summary: 'Delete a secret and its value; tasks that name it fail with secret_unknown', params: secretParams, response: { 204: noContent } },
  }, async (request, reply) => {
    request.auditDetails = { targetType: 'secret', targetId: request.params.name };
    await secrets.remove(request.params.workspaceId, request.params.name);
    return reply.status(204).send(null);
  });
};
