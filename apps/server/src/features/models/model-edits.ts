import { SteadError } from '../../platform/errors/stead-error.ts';
import { readOnly } from './declared-entries.ts';
import { freeProviderName, sameBaseUrl, type LocalModelServer } from './local-model-servers.ts';
import type { ModelProviders } from './model-providers.ts';
import { qualifiedName } from './model-router.ts';
import type { ModelsRepository } from './models.repository.ts';
import type { ModelView } from './models.schema.ts';
import type { RoutableModel } from './models.types.ts';

export interface ModelEditsOptions {
  repository: Pick<ModelsRepository, 'listModels' | 'updateModel' | 'listProviders'>;
  invalidate(workspaceId: string): void;
  modelView(model: RoutableModel): ModelView;
  detectLocalServers(): Promise<LocalModelServer[]>;
}

/** Correcting a model, and finding local model servers to add: the parts of the providers API issue 13 added. */
export const createModelEdits = ({ repository, invalidate, modelView, detectLocalServers }: ModelEditsOptions): Pick<ModelProviders, 'updateModel' | 'detectLocalServers'> => ({
  async updateModel(workspaceId, idOrQualifiedName, changes) {
    const all = await repository.listModels(workspaceId, { includeDisabled: true });
    const model = all.find((entry) => entry.id === idOrQualifiedName) ?? all.find((entry) => qualifiedName(entry) === idOrQualifiedName);
    if (!model) throw new SteadError('model_not_found', `No model ${idOrQualifiedName} in this workspace; GET /api/workspaces/${workspaceId}/models?all=true lists them`);
    if (model.providerDeclared) throw readOnly(`Model ${qualifiedName(model)}`);
    await repository.updateModel(model.id, changes);
    invalidate(workspaceId);
    const updated = (await repository.listModels(workspaceId, { includeDisabled: true })).find((entry) => entry.id === model.id)!;
    return modelView(updated);
  },

  async detectLocalServers(workspaceId) {
    const [found, existing] = await Promise.all([detectLocalServers(), repository.listProviders(workspaceId)]);
    const taken = new Set(existing.map((provider) => provider.name));
    return found.map((server) => {
      const known = existing.find((provider) => sameBaseUrl(provider.baseUrl, server.provider.baseUrl));
      const name = known ? server.provider.name : freeProviderName(server.provider.name, taken);
      taken.add(name);
      return { label: server.label, models: server.models, provider: { ...server.provider, name }, existingProvider: known?.name ?? null };
    });
  },
});
