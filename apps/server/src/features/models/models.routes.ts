import { z } from 'zod';
import { noContent, workspaceIdParams, type SteadApp } from '../../platform/http/http.types.ts';
import {
  aliasBody,
  aliasName,
  budgetBody,
  budgetsSchema,
  aliasSchema,
  dataClassDefaultBody,
  dataClassDefaultsSchema,
  routeDecisionSchema,
  routeRuleSchema,
  routeRulesBody,
  routeTestQuery,
  usageRecordSchema,
} from './models.schema.ts';
import { registerModelProviderRoutes } from './model-providers.routes.ts';
import type { ModelsService } from './models.service.ts';

const aliasParams = workspaceIdParams.extend({ name: aliasName });

/** Managing the gateway: providers, their models, the routing tester and the usage ledger. */
export const registerModelsRoutes = (app: SteadApp, { models }: { models: ModelsService }): void => {
  registerModelProviderRoutes(app, { models });

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
