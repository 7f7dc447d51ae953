import type { Clock, Ids } from '../../platform/clock/clock.ts';
import { SteadError } from '../../platform/errors/stead-error.ts';
import { readOnly } from './declared-entries.ts';
import { detectLocalModelServers, type LocalModelServer } from './local-model-servers.ts';
import { createModelEdits } from './model-edits.ts';
import { inferCapabilities } from './model-capabilities.ts';
import { qualifiedName } from './model-router.ts';
import type { ModelsRepository } from './models.repository.ts';
import type { AddProviderRequest, DeclaredGateway, LocalServerView, ModelView, ProviderView, UpdateModelRequest, UpdateProviderRequest } from './models.schema.ts';
import { providerSecretName, type Model, type ModelsSecrets, type Provider, type ProviderWithCount, type RoutableModel } from './models.types.ts';
import type { ProviderClients } from './provider-clients.ts';
import type { TargetHealth } from './target-health.ts';

/** A provider just added, with its models and why listing them failed (null: it did not). */
export interface AddedProvider {
  provider: ProviderView;
  models: ModelView[];
  discoveryError: string | null;
}

/** The gateway's upstreams and their models: add, test, change, remove, list. */
export interface ModelProviders {
  listProviders(workspaceId: string): Promise<ProviderView[]>;
  addProvider(workspaceId: string, request: AddProviderRequest): Promise<AddedProvider>;
  /** Asks the upstream for its model list: reachability, credentials and latency in one call. */
  testProvider(workspaceId: string, idOrName: string): Promise<{ ok: boolean; latencyMs: number; models: number; error: string | null }>;
  /** Rename, move (base URL, locality), enable or disable a provider, replace or remove its API key, change its timeouts. */
  updateProvider(workspaceId: string, idOrName: string, changes: UpdateProviderRequest): Promise<ProviderView>;
  removeProvider(workspaceId: string, idOrName: string): Promise<ProviderView>;
  /** Models of enabled providers that are enabled; with `includeDisabled`, every model (to correct or enable one). */
  listModels(workspaceId: string, options?: { includeDisabled?: boolean }): Promise<ModelView[]>;
  /** Corrects a model's capabilities, context length or prices, or enables or disables it. By id or `provider/model`. */
  updateModel(workspaceId: string, idOrQualifiedName: string, changes: UpdateModelRequest): Promise<ModelView>;
  /** Model servers on this machine's default ports, each with a free provider name and the provider already reaching it. */
  detectLocalServers(workspaceId: string): Promise<LocalServerView[]>;
  /** Asks the upstream for its models and adds those not known yet; returns how many it listed. */
  discover(provider: Provider): Promise<number>;
}

export interface ModelProvidersOptions {
  repository: ModelsRepository;
  clients: ProviderClients;
  secrets: ModelsSecrets;
  health: TargetHealth;
  clock: Clock;
  ids: Ids;
  declared: DeclaredGateway;
  /** A provider or model changed: routing must not keep using what it had. */
  invalidate(workspaceId: string): void;
  /** Looks for local model servers. Default: {@link detectLocalModelServers} with a 300 ms timeout per port. */
  detectLocalServers?: () => Promise<LocalModelServer[]>;
}

/** Base URLs stored before credentials in them were refused are shown without them. */
const withoutCredentials = (baseUrl: string): string => {
  if (!baseUrl.includes('@') || !URL.canParse(baseUrl)) return baseUrl;
  const url = new URL(baseUrl);
  if (url.username === '' && url.password === '') return baseUrl;
  url.username = '';
  url.password = '';
  return url.toString().replace(/\/+$/, '');
};

const providerView = (provider: ProviderWithCount): ProviderView => ({
  id: provider.id,
  name: provider.name,
  type: provider.type,
  baseUrl: withoutCredentials(provider.baseUrl),
  locality: provider.locality,
  hasApiKey: provider.hasApiKey,
  enabled: provider.enabled,
  timeouts: provider.timeouts,
  declared: provider.declared,
  modelCount: provider.modelCount,
  createdAt: provider.createdAt,
});

/** A model a person or stead.config.yaml declared (rather than one the provider listed). */
export const declaredModel = (ids: Ids, workspaceId: string, providerId: string, model: AddProviderRequest['models'][number], at: string): Model => ({
  id: ids.next(),
  workspaceId,
  providerId,
  name: model.name,
  capabilities: model.capabilities,
  contextLength: model.contextLength,
  inputPricePerMillion: model.inputPricePerMillion,
  outputPricePerMillion: model.outputPricePerMillion,
  source: 'declared',
  enabled: true,
  createdAt: at,
});

/** A model as the API shows it, with this node's view of its health. */
export const toModelView = (model: RoutableModel, health: TargetHealth): ModelView => ({
  id: model.id,
  providerId: model.providerId,
  providerName: model.providerName,
  name: model.name,
  qualifiedName: qualifiedName(model),
  locality: model.locality,
  capabilities: model.capabilities,
  contextLength: model.contextLength,
  inputPricePerMillion: model.inputPricePerMillion,
  outputPricePerMillion: model.outputPricePerMillion,
  source: model.source,
  enabled: model.enabled,
  declared: model.providerDeclared,
  health: health.view(qualifiedName(model)),
});

export const createModelProviders = ({
  repository,
  clients,
  secrets,
  health,
  clock,
  ids,
  declared,
  invalidate,
  detectLocalServers = () => detectLocalModelServers({ timeoutMs: 300 }),
}: ModelProvidersOptions): ModelProviders => {
  const modelView = (model: RoutableModel): ModelView => toModelView(model, health);
  const discover = async (provider: Provider): Promise<number> => {
    const found = await (await clients.of(provider)).listModels();
    const at = clock.now().toISOString();
    await repository.insertModels(
      found.map((info) => ({
        id: ids.next(),
        workspaceId: provider.workspaceId,
        providerId: provider.id,
        name: info.id,
        capabilities: info.capabilities?.length ? info.capabilities : inferCapabilities(info.id),
        contextLength: info.contextLength ?? null,
        inputPricePerMillion: null,
        outputPricePerMillion: null,
        source: 'discovered',
        enabled: true,
        createdAt: at,
      })),
    );
    return found.length;
  };

  const findProvider = async (workspaceId: string, idOrName: string): Promise<ProviderWithCount> => {
    const provider = await repository.findProvider(workspaceId, idOrName);
    if (!provider) throw new SteadError('provider_not_found', `No model provider ${idOrName} in this workspace`);
    return provider;
  };

  return {
    discover,
    ...createModelEdits({ repository, invalidate, modelView, detectLocalServers }),

    async listProviders(workspaceId) {
      return (await repository.listProviders(workspaceId)).map(providerView);
    },

    async addProvider(workspaceId, request) {
      const existing = await repository.findProvider(workspaceId, request.name);
      if (existing?.declared) throw readOnly(`Provider ${request.name}`, 'it exists already; change it in the file');
      if (existing) throw new SteadError('validation_failed', `A provider called ${request.name} already exists in this workspace`, { details: { field: 'name' } });
      const at = clock.now().toISOString();
      const provider: Provider = {
        id: ids.next(),
        workspaceId,
        name: request.name,
        type: request.type,
        baseUrl: request.baseUrl.replace(/\/+$/, ''),
        locality: request.locality,
        hasApiKey: Boolean(request.apiKey),
        enabled: true,
        timeouts: request.timeouts ?? null,
        declared: false,
        createdAt: at,
        updatedAt: at,
      };
      await clients.checkAddress(provider);
      await repository.insertProvider(provider);
      if (request.apiKey) await secrets.store(workspaceId, providerSecretName(provider.id), request.apiKey);
      await repository.insertModels(request.models.map((model) => declaredModel(ids, workspaceId, provider.id, model, at)));
      let discoveryError: string | null = null;
      if (request.discover) {
        try {
          await discover(provider);
        } catch (error) {
          discoveryError = error instanceof Error ? error.message : String(error);
        }
      }
      invalidate(workspaceId);
      const models = (await repository.listModels(workspaceId)).filter((model) => model.providerId === provider.id).map(modelView);
      return { provider: providerView({ ...provider, modelCount: models.length }), models, discoveryError };
    },

    async testProvider(workspaceId, idOrName) {
      const provider = await findProvider(workspaceId, idOrName);
      // A provider whose models the file lists keeps exactly those: the test only asks the upstream.
      const listed = provider.declared && (declared.providers.find((entry) => entry.name === provider.name)?.models.length ?? 0) > 0;
      const started = performance.now();
      try {
        const models = listed ? (await (await clients.of(provider)).listModels()).length : await discover(provider);
        invalidate(workspaceId);
        return { ok: true, latencyMs: Math.round(performance.now() - started), models, error: null };
      } catch (error) {
        return { ok: false, latencyMs: Math.round(performance.now() - started), models: 0, error: error instanceof Error ? error.message : String(error) };
      }
    },

    async updateProvider(workspaceId, idOrName, changes) {
      const provider = await findProvider(workspaceId, idOrName);
      if (provider.declared) throw readOnly(`Provider ${provider.name}`);
      if (changes.name !== undefined && changes.name !== provider.name && (await repository.findProvider(workspaceId, changes.name))) {
        throw new SteadError('validation_failed', `A provider called ${changes.name} already exists in this workspace`, { details: { field: 'name' } });
      }
      const baseUrl = changes.baseUrl?.replace(/\/+$/, '');
      // A new address or locality gets the same check as adding: it decides what the provider may reach.
      if (baseUrl !== undefined || changes.locality !== undefined) {
        await clients.checkAddress({ baseUrl: baseUrl ?? provider.baseUrl, locality: changes.locality ?? provider.locality, declared: false });
      }
      if (changes.apiKey) await secrets.store(workspaceId, providerSecretName(provider.id), changes.apiKey);
      if (changes.apiKey === null) await secrets.remove(workspaceId, providerSecretName(provider.id));
      await repository.updateProvider(provider.id, {
        ...(changes.name === undefined ? {} : { name: changes.name }),
        ...(baseUrl === undefined ? {} : { baseUrl }),
        ...(changes.locality === undefined ? {} : { locality: changes.locality }),
        ...(changes.enabled === undefined ? {} : { enabled: changes.enabled }),
        ...(changes.apiKey === undefined ? {} : { hasApiKey: Boolean(changes.apiKey) }),
        ...(changes.timeouts === undefined ? {} : { timeouts: changes.timeouts ?? null }),
        updatedAt: clock.now().toISOString(),
      });
      // The adapter holds the address, key and timeouts it was built with: build it again on next use.
      await clients.drop(provider.id);
      invalidate(workspaceId);
      return providerView((await repository.findProvider(workspaceId, provider.id))!);
    },

    async removeProvider(workspaceId, idOrName) {
      const provider = await findProvider(workspaceId, idOrName);
      if (provider.declared) throw readOnly(`Provider ${provider.name}`);
      await repository.deleteProvider(provider.id);
      invalidate(workspaceId);
      await secrets.remove(workspaceId, providerSecretName(provider.id));
      await clients.drop(provider.id);
      return providerView(provider);
    },

    async listModels(workspaceId, options) {
      return (await repository.listModels(workspaceId, options)).map(modelView);
    },
  };
};
