import { z } from 'zod';
import { SteadError } from '../../platform/errors/stead-error.ts';
import { idParam, workspaceIdParams, type SteadApp } from '../../platform/http/http.types.ts';
import { addProviderBody, localServerSchema, modelSchema, providerSchema, updateModelBody, updateProviderBody } from './models.schema.ts';
import type { ModelsService } from './models.service.ts';

const providerParams = workspaceIdParams.extend({ providerId: idParam(100).describe('Provider id or name') });
const modelParams = workspaceIdParams.extend({ modelId: idParam(100).describe('Model id (from GET models)') });
const testResultSchema = z.object({ ok: z.boolean(), latencyMs: z.number(), models: z.number(), error: z.string().nullable() });

/** Providers and their models: add, test, detect, change, remove, list, correct. */
export const registerModelProviderRoutes = (app: SteadApp, { models }: { models: ModelsService }): void => {
  app.get('/api/workspaces/:workspaceId/model-providers', {
    config: { permission: 'models:read' },
    schema: { tags: ['models'], summary: 'Model providers of a workspace (API keys are never returned)', params: workspaceIdParams, response: { 200: z.object({ providers: z.array(providerSchema) }) } },
  }, async (request) => ({ providers: await models.listProviders(request.params.workspaceId) }));

  app.post('/api/workspaces/:workspaceId/model-providers', {
    config: { permission: 'models:manage', audit: 'model-provider.create' },
    schema: {
      tags: ['models'],
      summary: 'Add a provider; its models are discovered (and declared ones added). A local provider may use a private or loopback address',
      params: workspaceIdParams,
      body: addProviderBody,
      response: { 201: z.object({ provider: providerSchema, models: z.array(modelSchema), discoveryError: z.string().nullable() }) },
    },
  }, async (request, reply) => {
    const added = await models.addProvider(request.params.workspaceId, request.body);
    request.auditDetails = { targetType: 'model-provider', targetId: added.provider.id, metadata: { name: added.provider.name, type: added.provider.type, baseUrl: added.provider.baseUrl, locality: added.provider.locality } };
    return reply.status(201).send(added);
  });

  app.post('/api/workspaces/:workspaceId/model-providers/:providerId/test', {
    config: { permission: 'models:manage', audit: 'model-provider.test' },
    schema: {
      tags: ['models'],
      summary: 'Check a provider: reach it, list its models (new ones are added), report latency. A provider that fails the test answers 502 provider_test_failed (and is audited as a failure)',
      params: providerParams,
      response: { 200: testResultSchema },
    },
  }, async (request) => {
    request.auditDetails = { targetType: 'model-provider', targetId: request.params.providerId };
    const result = await models.testProvider(request.params.workspaceId, request.params.providerId);
    // A failed test is an error answer, so the audit log (which reads the status) records the real outcome.
    if (!result.ok) throw new SteadError('provider_test_failed', `Provider test failed: ${result.error ?? 'no answer'}`, { details: { latencyMs: result.latencyMs } });
    return result;
  });

  app.get('/api/workspaces/:workspaceId/model-providers/detect', {
    config: { permission: 'models:manage' },
    schema: {
      tags: ['models'],
      summary: 'Look for Ollama, llama.cpp and LM Studio on their default loopback ports of the Stead server; add one with POST model-providers and the `provider` it lists',
      params: workspaceIdParams,
      response: { 200: z.object({ servers: z.array(localServerSchema) }) },
    },
  }, async (request) => ({ servers: await models.detectLocalServers(request.params.workspaceId) }));

  app.patch('/api/workspaces/:workspaceId/model-providers/:providerId', {
    config: { permission: 'models:manage', audit: 'model-provider.update' },
    schema: {
      tags: ['models'],
      summary: 'Rename a provider, change its base URL or locality (checked as when adding), enable or disable it, replace or remove its API key (write-only), change its timeouts. Declared providers answer provider_read_only',
      params: providerParams,
      body: updateProviderBody,
      response: { 200: z.object({ provider: providerSchema }) },
    },
  }, async (request) => {
    request.auditDetails = { targetType: 'model-provider', targetId: request.params.providerId };
    const provider = await models.updateProvider(request.params.workspaceId, request.params.providerId, request.body);
    const { apiKey, ...changes } = request.body;
    request.auditDetails = { targetType: 'model-provider', targetId: provider.id, metadata: { ...changes, apiKeyChanged: apiKey !== undefined } };
    return { provider };
  });

  app.delete('/api/workspaces/:workspaceId/model-providers/:providerId', {
    config: { permission: 'models:manage', audit: 'model-provider.delete' },
    schema: { tags: ['models'], summary: 'Remove a provider, its models and its stored API key', params: providerParams, response: { 200: z.object({ provider: providerSchema }) } },
  }, async (request) => {
    const provider = await models.removeProvider(request.params.workspaceId, request.params.providerId);
    request.auditDetails = { targetType: 'model-provider', targetId: provider.id, metadata: { name: provider.name } };
    return { provider };
  });

  app.get('/api/workspaces/:workspaceId/models', {
    config: { permission: 'models:read' },
    schema: {
      tags: ['models'],
      summary: 'Models of the enabled providers, with capabilities, locality and prices; `all=true` adds disabled models and those of disabled providers',
      params: workspaceIdParams,
      querystring: z.strictObject({ all: z.enum(['true', 'false']).optional().describe('Include disabled models') }),
      response: { 200: z.object({ models: z.array(modelSchema) }) },
    },
  }, async (request) => ({ models: await models.listModels(request.params.workspaceId, { includeDisabled: request.query.all === 'true' }) }));

  app.patch('/api/workspaces/:workspaceId/models/:modelId', {
    config: { permission: 'models:manage', audit: 'model.update' },
    schema: {
      tags: ['models'],
      summary: "Correct a model: capabilities (routing sends chat only to models with `chat`), context length, prices, enabled. Models of declared providers answer provider_read_only",
      params: modelParams,
      body: updateModelBody,
      response: { 200: z.object({ model: modelSchema }) },
    },
  }, async (request) => {
    request.auditDetails = { targetType: 'model', targetId: request.params.modelId, metadata: request.body };
    return { model: await models.updateModel(request.params.workspaceId, request.params.modelId, request.body) };
  });
};
