import { defineFeature, ownTables } from '../../feature.ts';
import { createEgressClient } from '../../platform/egress/egress-client.ts';
import type { ErrorCatalogue } from '../../platform/errors/error-codes.ts';
import type { PermissionDeclarations } from '../../platform/http/permissions.ts';
import { createModelPromptRunKind } from './model-prompt.run.ts';
import { createModelUsageRepository } from './model-usage.repository.ts';
import { registerModelsCommands } from './models.command.ts';
import { createModelsRepository } from './models.repository.ts';
import { registerModelsRoutes } from './models.routes.ts';
import { createModelsService, type ModelsService } from './models.service.ts';
import type { ModelsTables } from './models.tables.ts';
import { registerOpenAiEndpointRoutes } from './openai-endpoint.routes.ts';
import { createTargetHealth } from './target-health.ts';

export const modelsPermissions = {
  'models:read': 'viewer',
  'models:use': 'member',
  'models:manage': 'admin',
} as const satisfies PermissionDeclarations;

export const modelsErrorCodes = {
  model_not_found: { status: 404, summary: 'No model, alias or `auto` route of this workspace has this name; `GET /v1/models` lists them.' },
  provider_not_found: { status: 404, summary: 'The model provider does not exist in this workspace.' },
  provider_read_only: { status: 409, summary: 'The provider, model, alias or route rule is declared in stead.config.yaml and can only be changed there.' },
  provider_unavailable: { status: 503, summary: 'The provider type cannot be used here (for example node-llama-cpp is not installed); the message says how to install it.' },
  provider_error: { status: 502, summary: 'Every candidate target failed; the message carries the last upstream status and error.' },
  provider_timeout: { status: 504, summary: 'The upstream did not connect, send a first token, or finish within its timeout.' },
  route_no_private_target: { status: 422, summary: 'The request is `private` and no local target can serve it; add a local model (Ollama, llama.cpp, LM Studio) or change the data class.' },
  route_no_target: { status: 422, summary: 'No target of this workspace has the capabilities the request needs (tools, JSON output, vision, context length).' },
  provider_address_local: { status: 422, summary: 'A hosted provider cannot have a private or loopback base URL: a model server on this machine or network is added with locality `local`.' },
  provider_test_failed: { status: 502, summary: 'Testing the provider failed: it could not be reached or did not list its models. The message carries the upstream error; `details.latencyMs` how long it took.' },
    budget_exceeded: { status: 429, summary: 'A request, token or spend limit of the workspace or API key is used up; the message names the limit and when it resets.' },
} as const satisfies ErrorCatalogue;

declare module '../../feature.ts' { interface SteadServices { models: ModelsService } }

/** The model gateway: providers, routing, budgets, usage, its OpenAI-compatible endpoint and the `model.prompt` run kind. */
export const modelsFeature = defineFeature({
  name: 'models',
  tables: ownTables<ModelsTables>(),
  permissions: modelsPermissions,
  errorCodes: modelsErrorCodes,
  events: {
    // The gateway entries declared in stead.config.yaml apply to every workspace, new ones included.
    'workspace-create': { handle: ({ workspace }, { models }) => models.syncDeclared([workspace]) },
  },
  create: ({ db, database, services, keyValue, clock, ids, config, logger, requireDeclaredApiKeys, egress }) =>
    createModelsService({
      store: keyValue,
      repository: createModelsRepository(db, database.sqlDialect),
      usageRepository: createModelUsageRepository(db, database.sqlDialect),
      secrets: services.secrets,
      keys: { exists: (workspaceId, keyId) => services.keys.exists(workspaceId, keyId) },
      clock,
      ids,
      // A provider's client has its own grant (a loopback model server) and follows the instance's allowed hosts.
      createEgress: (allowedHosts) => {
        const client = createEgressClient({ allowedHosts });
        egress.shareManagedRules(client);
        return client;
      },
      egressAllowedHosts: config.egressAllowedHosts,
      health: createTargetHealth({ failureThreshold: config.modelBreakerThreshold, cooldownMs: config.modelBreakerCooldownMs }),
      onUsageError: (error, rows) => logger.error({ err: error, rows }, 'model usage rows could not be written'),
      declared: config.gateway,
      requireDeclaredApiKeys,
      onDiscoveryError: (error, provider) => logger.warn({ err: error, provider }, 'could not list the models of a provider declared in stead.config.yaml; `stead providers test` retries'),
    }),
  runKinds: ({ models }) => [createModelPromptRunKind({ models })],
  async start({ models, workspaces }) {
    try {
      await models.syncDeclared(await workspaces.listAll());
    } catch (error) {
      // Start-up stops here (a name clash, an unset key variable); the composition releases the rest.
      await models.close();
      throw error;
    }
    return () => models.close();
  },
  routes: (app, { services }) => {
    registerModelsRoutes(app, { models: services.models });
    registerOpenAiEndpointRoutes(app, { models: services.models });
  },
  cli: registerModelsCommands,
});
