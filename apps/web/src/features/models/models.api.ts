/**
 * The gateway calls added for issue 13 (editing providers and models, detecting local servers), over the same
 * generated client and error handling as `lib/api.ts`. They live beside the feature so the shared client file
 * needs no edit; merging them into `api` later changes no caller but the imports.
 */
import { createSteadClient, type paths } from '@stead/api-client';
import { apiErrorFromResponse, networkError } from '@/lib/api-error.ts';

type Json<Operation> = Operation extends { responses: { 200: { content: { 'application/json': infer Body } } } } ? Body : never;
type Body<Operation> = Operation extends { requestBody?: { content: { 'application/json': infer Input } } } ? Input : never;

type ProviderPath = paths['/api/workspaces/{workspaceId}/model-providers/{providerId}'];
type ModelPath = paths['/api/workspaces/{workspaceId}/models/{modelId}'];
type DetectPath = paths['/api/workspaces/{workspaceId}/model-providers/detect'];

export type UpdateProviderRequest = Body<ProviderPath['patch']>;
export type UpdateModelRequest = Body<ModelPath['patch']>;
export type LocalServer = Json<DetectPath['get']>['servers'][number];
export type ModelWithState = Json<paths['/api/workspaces/{workspaceId}/models']['get']>['models'][number];

const client = createSteadClient({
  fetch: (input, init) =>
    globalThis.fetch(input, init).catch((cause: unknown) => {
      throw networkError(cause);
    }),
});

async function call<T>(request: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await request;
  if (!response.ok) throw apiErrorFromResponse(response.status, error);
  return data as T;
}

export const modelsApi = {
  /** Rename, move (base URL, locality), re-key or re-time a provider; the API key is write-only. */
  updateProvider: (workspaceId: string, providerId: string, body: UpdateProviderRequest) =>
    call(client.PATCH('/api/workspaces/{workspaceId}/model-providers/{providerId}', { params: { path: { workspaceId, providerId } }, body })),
  /** Correct a model's capabilities, context length or prices, or enable or disable it. */
  updateModel: (workspaceId: string, modelId: string, body: UpdateModelRequest) =>
    call(client.PATCH('/api/workspaces/{workspaceId}/models/{modelId}', { params: { path: { workspaceId, modelId } }, body })),
  /** Every model, disabled ones and those of disabled providers included. */
  listAllModels: (workspaceId: string) => call(client.GET('/api/workspaces/{workspaceId}/models', { params: { path: { workspaceId }, query: { all: 'true' } } })),
  /** Ollama, llama.cpp and LM Studio on the server's default loopback ports. */
  detectLocalServers: (workspaceId: string) => call(client.GET('/api/workspaces/{workspaceId}/model-providers/detect', { params: { path: { workspaceId } } })),
};
