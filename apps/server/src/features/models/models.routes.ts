import { z } from 'zod';
import { SteadError } from '../../platform/errors/stead-error.ts';
import { idParam, noContent, workspaceIdParams, type SteadApp } from '../../platform/http/http.types.ts';
import {
  addProviderBody,
  aliasBody,
  aliasName,
  budgetBody,
  budgetsSchema,
  localServerSchema,
  aliasSchema,
  dataClassDefaultBody,
  dataClassDefaultsSchema,
  modelSchema,
  providerSchema,
  routeDecisionSchema,
  routeRuleSchema,
  routeRulesBody,
  routeTestQuery,
  updateModelBody,
  updateProviderBody,
  usageRecordSchema,
} from './models.schema.ts';
import type { ModelsService } from './models.service.ts';

const providerParams = workspaceIdParams.extend({ providerId: idParam(100).describe('Provider id or name') });
const aliasParams = workspaceIdParams.extend({ name: aliasName });
const modelParams = workspaceIdParams.extend({ modelId: idParam(100).describe('Model id (from GET models)') });
const testResultSchema = z.object({ ok: z.boolean(), latencyMs: z.number(), models: z.number(), error: z.string().nullable() });

/** Managing the gateway: providers, their models, the routing tester and the usage ledger. */
export const registerModelsRoutes = (app: SteadApp, { models }: { models: ModelsService }): void => {
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

  app.get('/api/workspaces/:workspaceId/model-routes/test', {
    config: { permission: 'models:read' },
    schema: { tags: ['models'], summary: 'Which targets would serve a request, in order, and why; no model is called', params: workspaceIdParams, querystring: routeTestQuery, response: { 200: routeDecisionSchema } },
  }, async (request) => models.explainRoute(request.params.workspaceId, request.query));

  app.get('/api/workspaces/:workspaceId/model-usage.csv', {
    config: { permission: 'models:read' },
    schema: { tags: ['models'], summary: 'The usage ledger as CSV (newest first, up to 100,000 rows)', params: workspaceIdParams, produces: ['text/csv'] },
  }, async (request, reply) => {
    const csv = await models.usageCsv(request.params.workspaceId);
    return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="model-usage.csv"').send(csv);
  });

  app.get('/api/workspaces/:workspaceId/model-budgets', {
    config: { permission: 'models:read' },
    schema: { tags: ['models'], summary: 'Limits of the workspace and of API keys (requests and tokens per minute, spend per day and month) with current use', params: workspaceIdParams, response: { 200: budgetsSchema } },
  }, async (request) => ({ budgets: await models.budgets(request.params.workspaceId) }));

  app.put('/api/workspaces/:workspaceId/model-budgets', {
    config: { permission: 'models:manage', audit: 'model-budget.set' },
    schema: { tags: ['models'], summary: 'Set the limits of the workspace or of one API key (all null removes them); a call over a limit answers 429 budget_exceeded', params: workspaceIdParams, body: budgetBody, response: { 200: budgetsSchema } },
  }, async (request) => {
    const { keyId, ...limits } = request.body;
    request.auditDetails = { targetType: keyId ? 'key' : 'workspace', targetId: keyId ?? request.params.workspaceId, metadata: limits };
    return { budgets: await models.setBudget(request.params.workspaceId, keyId, limits) };
  });

  app.get('/api/workspaces/:workspaceId/model-aliases', {
    config: { permission: 'models:read' },
    schema: { tags: ['models'], summary: 'Aliases clients may send as `model` (e.g. fast, smart, private), each an ordered list of targets', params: workspaceIdParams, response: { 200: z.object({ aliases: z.array(aliasSchema) }) } },
  }, async (request) => ({ aliases: await models.listAliases(request.params.workspaceId) }));

  app.put('/api/workspaces/:workspaceId/model-aliases/:name', {
    config: { permission: 'models:manage', audit: 'model-alias.set' },
    schema: { tags: ['models'], summary: 'Create or replace an alias', params: aliasParams, body: aliasBody.omit({ name: true }), response: { 200: z.object({ alias: aliasSchema }) } },
  }, async (request) => {
    const parsed = aliasBody.parse({ name: request.params.name, targets: request.body.targets });
    request.auditDetails = { targetType: 'model-alias', targetId: parsed.name, metadata: { targets: parsed.targets } };
    return { alias: await models.setAlias(request.params.workspaceId, parsed) };
  });

  app.delete('/api/workspaces/:workspaceId/model-aliases/:name', {
    config: { permission: 'models:manage', audit: 'model-alias.delete' },
    schema: { tags: ['models'], summary: 'Remove an alias', params: aliasParams, response: { 204: noContent } },
  }, async (request, reply) => {
    request.auditDetails = { targetType: 'model-alias', targetId: request.params.name };
    await models.removeAlias(request.params.workspaceId, request.params.name);
    return reply.status(204).send(null);
  });

  app.get('/api/workspaces/:workspaceId/model-rules', {
    config: { permission: 'models:read' },
    schema: { tags: ['models'], summary: 'Route rules in order: the first enabled rule whose conditions hold picks the targets', params: workspaceIdParams, response: { 200: z.object({ rules: z.array(routeRuleSchema) }) } },
  }, async (request) => ({ rules: await models.listRules(request.params.workspaceId) }));

  app.put('/api/workspaces/:workspaceId/model-rules', {
    config: { permission: 'models:manage', audit: 'model-rules.replace' },
    schema: { tags: ['models'], summary: 'Replace the ordered list of route rules', params: workspaceIdParams, body: routeRulesBody, response: { 200: z.object({ rules: z.array(routeRuleSchema) }) } },
  }, async (request) => {
    request.auditDetails = { targetType: 'model-rules', targetId: request.params.workspaceId, metadata: { count: request.body.rules.length } };
    return { rules: await models.replaceRules(request.params.workspaceId, request.body.rules) };
  });

  app.get('/api/workspaces/:workspaceId/model-data-classes', {
    config: { permission: 'models:read' },
    schema: { tags: ['models'], summary: 'Default data class of requests that send no x-stead-data-class: per API key, else for the workspace', params: workspaceIdParams, response: { 200: dataClassDefaultsSchema } },
  }, async (request) => models.dataClassDefaults(request.params.workspaceId));

  app.put('/api/workspaces/:workspaceId/model-data-classes', {
    config: { permission: 'models:manage', audit: 'model-data-class.set' },
    schema: { tags: ['models'], summary: 'Set the default data class of the workspace or of one API key', params: workspaceIdParams, body: dataClassDefaultBody, response: { 200: dataClassDefaultsSchema } },
  }, async (request) => {
    request.auditDetails = { targetType: request.body.keyId ? 'key' : 'workspace', targetId: request.body.keyId ?? request.params.workspaceId, metadata: { dataClass: request.body.dataClass } };
    return models.setDataClassDefault(request.params.workspaceId, request.body.keyId, request.body.dataClass);
  });

  app.get('/api/workspaces/:workspaceId/model-usage', {
    config: { permission: 'models:read' },
    schema: {
      tags: ['models'],
      summary: 'The usage ledger: every gateway call with its routing decision, tokens, cost and timings, newest first',
      params: workspaceIdParams,
      querystring: z.strictObject({ cursor: z.string().max(64).optional(), limit: z.coerce.number().int().min(1).max(500).default(100) }),
      response: { 200: z.object({ records: z.array(usageRecordSchema), nextCursor: z.string().nullable() }) },
    },
  }, async (request) => models.usage(request.params.workspaceId, request.query.cursor, request.query.limit));
};
