import type { ChatCompletion, ChatCompletionChunk, ChatCompletionRequest, ChatMessage, FinishReason, ToolCall } from './chat-completion.types.ts';
import { chunkFactory, contentText, makeUsage, maxOutputTokens, parseDataUrl, parseToolArguments, stopSequences } from './chat-translation.ts';
import type { CallOptions, HttpProviderOptions, ModelInfo, ModelProvider, ProviderResponse } from './model-provider.port.ts';
import { modelFactsFromShow } from './ollama-model-info.ts';
import { readJson, resolveContext, runCall, streamCall, unixSeconds } from './provider-call.ts';
import type { ProviderCall, ProviderContext } from './provider-call.ts';
import { errorFromStreamPayload, ProviderError, unsupported } from './provider-error.ts';
import { parseJsonLines } from './stream-lines.ts';

export interface OllamaProviderOptions extends HttpProviderOptions {
  /** The server root, without `/api`. Default `http://127.0.0.1:11434`. */
  baseUrl?: string;
  /** How long Ollama keeps the model loaded after a call (`5m`, `-1` for ever). Default: the server's (5 minutes). */
  keepAlive?: string;
}

interface OllamaToolCall {
  id?: string;
  function: { name: string; arguments: Record<string, unknown> | string };
}

interface OllamaChatAnswer {
  model?: string;
  created_at?: string;
  message?: { role?: string; content?: string; tool_calls?: OllamaToolCall[] };
  done?: boolean;
  done_reason?: string;
  prompt_eval_count?: number;
  eval_count?: number;
  error?: string;
}

const translateMessage = (provider: string, message: ChatMessage, toolNames: Map<string, string>): Record<string, unknown> => {
  switch (message.role) {
    case 'system':
    case 'developer':
      return { role: 'system', content: contentText(message.content) };
    case 'user': {
      const images: string[] = [];
      if (typeof message.content !== 'string') {
        for (const part of message.content) {
          if (part.type !== 'image_url') continue;
          // Ollama takes images inline only; fetching a URL here would bypass the egress policy.
          const inline = parseDataUrl(part.image_url.url);
          if (!inline) throw unsupported(provider, 'images must be sent as data: URLs (Ollama does not fetch image URLs)');
          images.push(inline.data);
        }
      }
      return images.length > 0 ? { role: 'user', content: contentText(message.content), images } : { role: 'user', content: contentText(message.content) };
    }
    case 'assistant': {
      const translated: Record<string, unknown> = { role: 'assistant', content: contentText(message.content) };
      if (message.tool_calls?.length) {
        for (const call of message.tool_calls) toolNames.set(call.id, call.function.name);
        translated.tool_calls = message.tool_calls.map((call) => ({ function: { name: call.function.name, arguments: parseToolArguments(provider, call.function.arguments) } }));
      }
      return translated;
    }
    case 'tool': {
      // Ollama matches results to calls by tool name, not id; the name comes from the assistant turn before.
      const name = toolNames.get(message.tool_call_id);
      return name ? { role: 'tool', content: contentText(message.content), tool_name: name } : { role: 'tool', content: contentText(message.content) };
    }
  }
};

/**
 * Ollama has no `tool_choice`: `none` drops the tools, a named function keeps only that tool (the model may
 * still answer in text), `required` cannot be enforced and is sent as `auto`.
 */
const translateTools = (request: ChatCompletionRequest): unknown[] | undefined => {
  if (!request.tools?.length || request.tool_choice === 'none') return undefined;
  const choice = request.tool_choice;
  if (typeof choice === 'object') return request.tools.filter((tool) => tool.function.name === choice.function.name);
  return request.tools;
};

export const toOllamaChatBody = (provider: string, request: ChatCompletionRequest, stream: boolean, keepAlive?: string): Record<string, unknown> => {
  const toolNames = new Map<string, string>();
  const body: Record<string, unknown> = { model: request.model, messages: request.messages.map((message) => translateMessage(provider, message, toolNames)), stream };
  const tools = translateTools(request);
  if (tools) body.tools = tools;
  const format = request.response_format;
  if (format?.type === 'json_object') body.format = 'json';
  if (format?.type === 'json_schema') body.format = format.json_schema.schema ?? 'json';
  const options: Record<string, unknown> = {};
  if (request.temperature != null) options.temperature = request.temperature;
  if (request.top_p != null) options.top_p = request.top_p;
  const maxTokens = maxOutputTokens(request);
  if (maxTokens !== undefined) options.num_predict = maxTokens;
  const stop = stopSequences(request);
  if (stop) options.stop = stop;
  if (request.seed != null) options.seed = request.seed;
  if (Object.keys(options).length > 0) body.options = options;
  if (keepAlive !== undefined) body.keep_alive = keepAlive;
  return body;
};

const finishReason = (answer: OllamaChatAnswer, sawToolCalls: boolean): FinishReason => {
  if (sawToolCalls) return 'tool_calls';
  return answer.done_reason === 'length' ? 'length' : 'stop';
};

const createdOf = (answer: OllamaChatAnswer, context: ProviderContext): number => {
  const parsed = answer.created_at ? Date.parse(answer.created_at) : Number.NaN;
  return Number.isNaN(parsed) ? unixSeconds(context.clock) : Math.floor(parsed / 1000);
};

const toToolCall = (context: ProviderContext, call: OllamaToolCall): ToolCall => ({
  id: call.id ?? `call_${context.ids.next()}`,
  type: 'function',
  function: { name: call.function.name, arguments: typeof call.function.arguments === 'string' ? call.function.arguments : JSON.stringify(call.function.arguments) },
});

const usageOf = (answer: OllamaChatAnswer) => makeUsage(answer.prompt_eval_count ?? 0, answer.eval_count ?? 0);

async function* translateStream(context: ProviderContext, call: ProviderCall, request: ChatCompletionRequest, response: ProviderResponse): AsyncGenerator<ChatCompletionChunk> {
  let chunks: ReturnType<typeof chunkFactory> | undefined;
  let toolIndex = 0;
  for await (const line of parseJsonLines(call.lines(response))) {
    const answer = line as OllamaChatAnswer;
    if (answer.error !== undefined) throw errorFromStreamPayload(answer, context.name, call.phase);
    chunks ??= chunkFactory({ id: `chatcmpl-${context.ids.next()}`, model: answer.model ?? request.model, created: createdOf(answer, context) });
    const content = answer.message?.content;
    if (content) yield chunks.delta({ content });
    // Ollama sends each tool call whole, in one line; the canonical stream carries it as one fragment.
    for (const toolCall of answer.message?.tool_calls ?? []) {
      const { id, function: fn } = toToolCall(context, toolCall);
      yield chunks.delta({ tool_calls: [{ index: toolIndex, id, type: 'function', function: fn }] });
      toolIndex += 1;
    }
    if (answer.done) {
      yield chunks.delta({}, finishReason(answer, toolIndex > 0));
      if (request.stream_options?.include_usage) yield chunks.usage(usageOf(answer));
      return;
    }
  }
  throw call.truncated();
}

const toModelInfo = (entry: Record<string, unknown>): ModelInfo => {
  const details = (entry.details ?? {}) as Record<string, unknown>;
  const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
  const info: ModelInfo = { id: String(entry.name ?? entry.model), ownedBy: 'ollama', details: {} };
  const facts = { family: text(details.family), parameterSize: text(details.parameter_size), quantization: text(details.quantization_level), format: text(details.format), modifiedAt: text(entry.modified_at) };
  info.details = Object.fromEntries(Object.entries(facts).filter(([, value]) => value !== undefined));
  if (typeof entry.size === 'number') info.details.sizeBytes = entry.size;
  return info;
};

/**
 * Capabilities and context length from `/api/show`. A model it cannot describe (an old server, a model removed
 * meanwhile) is still listed, with what its name suggests; only the tag list's failure fails the listing.
 */
const showModel = async (context: ProviderContext, model: string, callOptions: CallOptions | undefined): Promise<Pick<ModelInfo, 'capabilities' | 'contextLength'>> => {
  try {
    return await runCall(context, 'listing', callOptions, async (call) => modelFactsFromShow(await readJson(call, await call.send('/api/show', { body: { model } }), context)));
  } catch {
    return {};
  }
};

/**
 * Ollama's native API: `/api/chat` (NDJSON stream, tools, `format` for JSON and JSON schema, inline images),
 * `/api/embed`, and `/api/tags` with one `/api/show` per model for its capabilities and context length. Sampling
 * settings travel in `options`; usage comes from `prompt_eval_count` and `eval_count`.
 */
export const createOllamaProvider = (options: OllamaProviderOptions = {}): ModelProvider => {
  const context = resolveContext(options, { name: 'ollama', baseUrl: 'http://127.0.0.1:11434' }, options.apiKey ? { authorization: `Bearer ${options.apiKey}` } : {});

  return {
    type: 'ollama',
    capabilities: { tools: true, jsonOutput: true, vision: true, embeddings: true, modelDiscovery: true, passthrough: false },

    chat: (request, callOptions) =>
      runCall(context, 'whole', callOptions, async (call) => {
        const response = await call.send('/api/chat', { body: toOllamaChatBody(context.name, request, false, options.keepAlive) });
        const answer = (await readJson(call, response, context)) as OllamaChatAnswer;
        if (answer.error !== undefined || !answer.message) throw errorFromStreamPayload(answer, context.name, call.phase);
        const toolCalls = (answer.message.tool_calls ?? []).map((toolCall) => toToolCall(context, toolCall));
        const message: ChatCompletion['choices'][number]['message'] = { role: 'assistant', content: answer.message.content || (toolCalls.length > 0 ? null : '') };
        if (toolCalls.length > 0) message.tool_calls = toolCalls;
        return {
          id: `chatcmpl-${context.ids.next()}`,
          object: 'chat.completion',
          created: createdOf(answer, context),
          model: answer.model ?? request.model,
          choices: [{ index: 0, message, finish_reason: finishReason(answer, toolCalls.length > 0) }],
          usage: usageOf(answer),
        };
      }),

    streamChat: (request, callOptions) =>
      streamCall(context, callOptions, async function* (call) {
        const response = await call.send('/api/chat', { body: toOllamaChatBody(context.name, request, true, options.keepAlive) });
        yield* translateStream(context, call, request, response);
      }),

    embed: (request, callOptions) =>
      runCall(context, 'whole', callOptions, async (call) => {
        const body: Record<string, unknown> = { model: request.model, input: request.input };
        if (request.dimensions !== undefined) body.dimensions = request.dimensions;
        if (options.keepAlive !== undefined) body.keep_alive = options.keepAlive;
        const response = await call.send('/api/embed', { body });
        const answer = (await readJson(call, response, context)) as { model?: string; embeddings?: number[][]; prompt_eval_count?: number };
        if (!Array.isArray(answer.embeddings)) {
          throw new ProviderError({ provider: context.name, phase: call.phase, message: `${context.name} answered without embeddings`, rawBody: JSON.stringify(answer), isRetryable: true });
        }
        const tokens = answer.prompt_eval_count ?? 0;
        return {
          object: 'list',
          model: answer.model ?? request.model,
          data: answer.embeddings.map((embedding, index) => ({ object: 'embedding', index, embedding })),
          usage: { prompt_tokens: tokens, total_tokens: tokens },
        };
      }),

    listModels: async (callOptions) => {
      const models = await runCall(context, 'listing', callOptions, async (call) => {
        const response = await call.send('/api/tags', { method: 'GET' });
        const answer = (await readJson(call, response, context)) as { models?: unknown[] };
        return (answer.models ?? []).map((entry) => toModelInfo(entry as Record<string, unknown>));
      });
      // One /api/show per model, one after the other (a local server loads each model's header from disk).
      for (const model of models) Object.assign(model, await showModel(context, model.id, callOptions));
      return models;
    },
  };
};
