import { keepChunkJson, type ChatCompletion, type ChatCompletionChunk, type ChatCompletionRequest, type EmbeddingResponse } from './chat-completion.types.ts';
import type { HttpProviderOptions, ModelInfo, ModelProvider, ModelProviderCapabilities } from './model-provider.port.ts';
import { openCall, parseStreamJson, readJson, resolveContext, runCall, streamCall } from './provider-call.ts';
import type { ProviderCall, ProviderContext } from './provider-call.ts';
import { errorFromStreamPayload, ProviderError } from './provider-error.ts';

export interface OpenAiCompatibleProviderOptions extends HttpProviderOptions {
  /**
   * Root including the version segment, as in the official clients: `https://api.openai.com/v1`,
   * `https://api.groq.com/openai/v1`, `https://openrouter.ai/api/v1`, `http://127.0.0.1:8080/v1` (llama.cpp),
   * `http://127.0.0.1:1234/v1` (LM Studio). Default `https://api.openai.com/v1`.
   */
  baseUrl?: string;
  /** Narrows the claimed capabilities for servers that lack some (llama.cpp without tools). Default all true. */
  capabilities?: Partial<ModelProviderCapabilities>;
}

const allCapabilities: ModelProviderCapabilities = { tools: true, jsonOutput: true, vision: true, embeddings: true, modelDiscovery: true, passthrough: true };

const asRecord = (value: unknown): Record<string, unknown> => (typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {});

/** Some gateways (OpenRouter) answer 200 with an `{error}` body; `code` then carries the real status. */
const embeddedError = (context: ProviderContext, call: ProviderCall, payload: unknown): ProviderError | undefined => {
  const error = asRecord(payload).error;
  if (error === undefined || error === null) return undefined;
  const code = asRecord(error).code;
  return errorFromStreamPayload(payload, context.name, call.phase, typeof code === 'number' ? code : undefined);
};

const invalidAnswer = (context: ProviderContext, call: ProviderCall, payload: unknown, what: string): ProviderError =>
  new ProviderError({ provider: context.name, phase: call.phase, message: `${context.name} answered without ${what}`, rawBody: JSON.stringify(payload), isRetryable: true });

/** Servers that ignore `encoding_format: float` send little-endian float32 arrays in base64. */
const decodeEmbedding = (value: unknown): number[] => {
  if (Array.isArray(value)) return value as number[];
  if (typeof value !== 'string') return [];
  const bytes = Buffer.from(value, 'base64');
  return Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, Math.floor(bytes.byteLength / 4)));
};

const toModelInfo = (entry: Record<string, unknown>): ModelInfo => {
  const info: ModelInfo = { id: String(entry.id) };
  if (typeof entry.owned_by === 'string') info.ownedBy = entry.owned_by;
  // OpenRouter and Together say `context_length`, vLLM `max_model_len`; OpenAI itself says nothing.
  const context = entry.context_length ?? entry.max_model_len;
  if (typeof context === 'number') info.contextLength = context;
  return info;
};

/** Sends a streaming request and yields its chunks: one generator, since a streamed answer passes every chunk through it. */
async function* streamChunks(context: ProviderContext, call: ProviderCall, request: ChatCompletionRequest): AsyncGenerator<ChatCompletionChunk> {
  const response = await call.send('/chat/completions', { body: { ...request, stream: true } });
  let finished = false;
  for await (const event of call.events(response)) {
    if (event.data === '[DONE]') return;
    if (event.data.trim() === '') continue;
    const payload = parseStreamJson(call, context, event.data);
    const failure = embeddedError(context, call, payload);
    if (failure) throw failure;
    const chunk = payload as ChatCompletionChunk;
    if (!Array.isArray(chunk.choices)) throw invalidAnswer(context, call, payload, 'choices');
    if (chunk.choices.some((choice) => choice.finish_reason)) finished = true;
    // Passed on as the upstream sent it: the endpoint can send this text instead of serializing the chunk again.
    keepChunkJson(chunk, event.data);
    yield chunk;
  }
  // Servers that never send `[DONE]` still end with a finish reason; without one the answer was cut short.
  if (!finished) throw call.truncated();
}

/**
 * The OpenAI Chat Completions protocol, spoken natively by OpenAI, Groq, OpenRouter, Together, vLLM, the
 * llama.cpp server, LM Studio and the Hugging Face router. Requests go out as they came in (only `stream` is
 * set, and `stream_options` dropped from non-streaming calls, which OpenAI rejects), so fields Stead does not
 * type still reach the upstream.
 */
export const createOpenAiCompatibleProvider = (options: OpenAiCompatibleProviderOptions = {}): ModelProvider => {
  const context = resolveContext(options, { name: 'openai-compatible', baseUrl: 'https://api.openai.com/v1' }, options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {});

  return {
    type: 'openai-compatible',
    capabilities: { ...allCapabilities, ...options.capabilities },

    chat: (request, callOptions) =>
      runCall(context, 'whole', callOptions, async (call) => {
        const { stream_options: _streamOptions, ...rest } = request;
        const response = await call.send('/chat/completions', { body: { ...rest, stream: false } });
        const payload = await readJson(call, response, context);
        const failure = embeddedError(context, call, payload);
        if (failure) throw failure;
        if (!Array.isArray(asRecord(payload).choices)) throw invalidAnswer(context, call, payload, 'choices');
        return payload as ChatCompletion;
      }),

    streamChat: (request: ChatCompletionRequest, callOptions) => streamCall(context, callOptions, (call) => streamChunks(context, call, request)),

    embed: (request, callOptions) =>
      runCall(context, 'whole', callOptions, async (call) => {
        const response = await call.send('/embeddings', { body: { ...request, encoding_format: 'float' } });
        const payload = asRecord(await readJson(call, response, context));
        if (!Array.isArray(payload.data)) throw invalidAnswer(context, call, payload, 'data');
        const usage = asRecord(payload.usage);
        return {
          object: 'list',
          model: typeof payload.model === 'string' ? payload.model : request.model,
          data: payload.data.map((entry: unknown, index: number) => {
            const item = asRecord(entry);
            return { object: 'embedding', index: typeof item.index === 'number' ? item.index : index, embedding: decodeEmbedding(item.embedding) };
          }),
          usage: { prompt_tokens: Number(usage.prompt_tokens ?? 0), total_tokens: Number(usage.total_tokens ?? usage.prompt_tokens ?? 0) },
        } satisfies EmbeddingResponse;
      }),

    listModels: (callOptions) =>
      runCall(context, 'listing', callOptions, async (call) => {
        const response = await call.send('/models', { method: 'GET' });
        const payload = asRecord(await readJson(call, response, context));
        if (!Array.isArray(payload.data)) throw invalidAnswer(context, call, payload, 'data');
        return payload.data.map((entry: unknown) => toModelInfo(asRecord(entry)));
      }),

    forward: async (body, forwardOptions) => {
      // Not `runCall`: the deadlines end with the headers, but the caller's abort must still reach the body it reads.
      const call = openCall(context, forwardOptions.stream ? 'listing' : 'whole', forwardOptions);
      try {
        const response = await call.send(`/${forwardOptions.endpoint ?? 'chat/completions'}`, { method: 'POST', body });
        call.settle();
        return response;
      } catch (error) {
        call.close();
        throw call.toError(error);
      }
    },
  };
};
