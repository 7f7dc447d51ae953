import type { EmbeddingResponse } from './chat-completion.types.ts';
import type { HttpProviderOptions, ModelProvider } from './model-provider.port.ts';
import { createOpenAiCompatibleProvider } from './openai-compatible.adapter.ts';
import { readJson, resolveContext, runCall } from './provider-call.ts';
import { ProviderError } from './provider-error.ts';

export interface HuggingFaceProviderOptions extends HttpProviderOptions {
  /** The Inference Providers router. Chat goes to `{baseUrl}/v1` (OpenAI-compatible). Default `https://router.huggingface.co`. */
  baseUrl?: string;
  /**
   * Root of the feature-extraction pipeline used for embeddings:
   * `POST {inferenceUrl}/models/{model}/pipeline/feature-extraction`. Default `{baseUrl}/hf-inference`
   * (Hugging Face's own serverless inference); a dedicated Inference Endpoint URL works too.
   */
  inferenceUrl?: string;
}

type Vector = number[];

const isVector = (value: unknown): value is Vector => Array.isArray(value) && value.every((item) => typeof item === 'number');

/** Models without a pooling layer answer one vector per token; their mean is the usual sentence embedding. */
const meanPool = (tokens: Vector[]): Vector => {
  const width = tokens[0]?.length ?? 0;
  const sum = new Array<number>(width).fill(0);
  for (const token of tokens) for (let index = 0; index < width; index += 1) sum[index]! += token[index] ?? 0;
  return sum.map((value) => value / Math.max(1, tokens.length));
};

/** The pipeline answers `number[][]` for a list of inputs, or `number[][][]` for token-level models. */
const toVectors = (output: unknown): Vector[] | undefined => {
  if (!Array.isArray(output)) return undefined;
  if (output.every(isVector)) return output;
  if (output.every((item) => Array.isArray(item) && item.every(isVector))) return (output as Vector[][]).map(meanPool);
  return undefined;
};

/**
 * Hugging Face Inference: chat, streaming, tools and the model list through the OpenAI-compatible router
 * (the OpenAI-compatible adapter with the router's URL), embeddings through the feature-extraction pipeline.
 * A 503 "model is loading" answer carries `estimated_time`, which becomes `retryAfterMs`. The pipeline
 * reports no token counts, so embedding usage is zero. `forward` reaches the router's chat endpoint only.
 */
export const createHuggingFaceProvider = (options: HuggingFaceProviderOptions = {}): ModelProvider => {
  const baseUrl = (options.baseUrl ?? 'https://router.huggingface.co').replace(/\/+$/, '');
  const name = options.name ?? 'huggingface';
  const router = createOpenAiCompatibleProvider({ ...options, name, baseUrl: `${baseUrl}/v1`, capabilities: {} });
  const inference = resolveContext({ ...options, name, baseUrl: options.inferenceUrl ?? `${baseUrl}/hf-inference` }, { name, baseUrl }, options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {});

  return {
    ...router,
    type: 'huggingface',
    embed: (request, callOptions) =>
      runCall(inference, 'whole', callOptions, async (call) => {
        const inputs = typeof request.input === 'string' ? [request.input] : request.input;
        const path = request.model.split('/').map(encodeURIComponent).join('/');
        const response = await call.send(`/models/${path}/pipeline/feature-extraction`, { body: { inputs } });
        const output = await readJson(call, response, inference);
        const vectors = toVectors(output);
        if (!vectors || vectors.length !== inputs.length) {
          throw new ProviderError({ provider: name, phase: call.phase, message: `${name} answered feature extraction with an unexpected shape`, rawBody: JSON.stringify(output), isRetryable: false });
        }
        return {
          object: 'list',
          model: request.model,
          data: vectors.map((embedding, index) => ({ object: 'embedding', index, embedding })),
          usage: { prompt_tokens: 0, total_tokens: 0 },
        } satisfies EmbeddingResponse;
      }),
  };
};
