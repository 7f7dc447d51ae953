import type { ChatCompletionChunk, ChatCompletionRequest } from './chat-completion.types.ts';
import { chunkFactory } from './chat-translation.ts';
import type { ChunkFactory } from './chat-translation.ts';
import type { AnthropicMessage, AnthropicPlan, AnthropicUsage } from './anthropic.mapping.ts';
import { fromAnthropicMessage, statusOfErrorType, toAnthropicPlan, toFinishReason, toUsage } from './anthropic.mapping.ts';
import type { HttpProviderOptions, ModelInfo, ModelProvider, ProviderResponse } from './model-provider.port.ts';
import { parseStreamJson, readJson, resolveContext, runCall, streamCall, unixSeconds } from './provider-call.ts';
import type { ProviderCall, ProviderContext } from './provider-call.ts';
import { errorFromStreamPayload, unsupported } from './provider-error.ts';

export interface AnthropicProviderOptions extends HttpProviderOptions {
  /** The API root, without `/v1`, as in Anthropic's SDK. Default `https://api.anthropic.com`. */
  baseUrl?: string;
  /** Sent as `max_tokens` (which Anthropic requires) when the request sets no limit. Default 4,096. */
  defaultMaxTokens?: number;
  /** The `anthropic-version` header. Default `2023-06-01`, the version this translation follows. */
  version?: string;
}

interface StreamEvent {
  type: string;
  index?: number;
  message?: AnthropicMessage;
  content_block?: { type: string; text?: string; id?: string; name?: string };
  delta?: { type?: string; text?: string; partial_json?: string; stop_reason?: string | null };
  usage?: AnthropicUsage;
  error?: { type?: string; message?: string };
}

/** Later `message_delta` usage updates the counts of `message_start`; absent or null fields keep theirs. */
const mergeUsage = (into: AnthropicUsage, update: AnthropicUsage | undefined): void => {
  for (const [key, value] of Object.entries(update ?? {})) {
    if (typeof value === 'number') into[key as keyof AnthropicUsage] = value;
  }
};

/**
 * Messages API events to Chat Completions chunks: `text_delta` becomes content, each `tool_use` block a tool
 * call (numbered in order of appearance, as OpenAI numbers them, not by block index) whose `input_json_delta`
 * fragments become argument fragments, `message_delta` the finish reason, `message_stop` the usage chunk.
 */
async function* translateStream(context: ProviderContext, call: ProviderCall, request: ChatCompletionRequest, plan: AnthropicPlan, response: ProviderResponse): AsyncGenerator<ChatCompletionChunk> {
  let chunks: ChunkFactory | undefined;
  const started = (): ChunkFactory => (chunks ??= chunkFactory({ id: `msg_${context.ids.next()}`, model: request.model, created: unixSeconds(context.clock) }));
  const usage: AnthropicUsage = {};
  const toolIndexOfBlock = new Map<number, number>();
  const jsonBlocks = new Set<number>();
  for await (const event of call.events(response)) {
    if (event.data.trim() === '') continue;
    const payload = parseStreamJson(call, context, event.data) as StreamEvent;
    const block = payload.index ?? 0;
    switch (payload.type) {
      case 'message_start':
        if (payload.message) {
          chunks = chunkFactory({ id: payload.message.id, model: payload.message.model, created: unixSeconds(context.clock) });
          mergeUsage(usage, payload.message.usage);
        }
        break;
      case 'content_block_start': {
        const content = payload.content_block;
        if (content?.type === 'text' && content.text) yield started().delta({ content: content.text });
        if (content?.type !== 'tool_use') break;
        if (content.name === plan.jsonTool) {
          jsonBlocks.add(block);
          break;
        }
        const index = toolIndexOfBlock.size;
        toolIndexOfBlock.set(block, index);
        yield started().delta({ tool_calls: [{ index, id: content.id ?? `toolu_${context.ids.next()}`, type: 'function', function: { name: content.name ?? '', arguments: '' } }] });
        break;
      }
      case 'content_block_delta': {
        const delta = payload.delta;
        if (delta?.type === 'text_delta' && delta.text) yield started().delta({ content: delta.text });
        if (delta?.type !== 'input_json_delta' || !delta.partial_json) break;
        if (jsonBlocks.has(block)) yield started().delta({ content: delta.partial_json });
        const index = toolIndexOfBlock.get(block);
        if (index !== undefined) yield started().delta({ tool_calls: [{ index, function: { arguments: delta.partial_json } }] });
        break;
      }
      case 'message_delta':
        mergeUsage(usage, payload.usage);
        if (payload.delta?.stop_reason) yield started().delta({}, toFinishReason(payload.delta.stop_reason, plan));
        break;
      case 'message_stop':
        if (request.stream_options?.include_usage) yield started().usage(toUsage(usage));
        return;
      case 'error':
        throw errorFromStreamPayload(payload, context.name, call.phase, statusOfErrorType[payload.error?.type ?? '']);
      default:
        // `ping`, `content_block_stop`, thinking deltas, and event types added after 2023-06-01.
        break;
    }
  }
  throw call.truncated();
}

// Every Claude model the API still serves takes tools, images and (through the forced tool) JSON output.
const claudeCapabilities: ModelInfo['capabilities'] = ['chat', 'tools', 'json', 'vision'];

/**
 * Anthropic's Messages API behind the canonical format; see `anthropic.mapping.ts` for the request and
 * response translation. Embeddings are not offered by Anthropic.
 */
export const createAnthropicProvider = (options: AnthropicProviderOptions = {}): ModelProvider => {
  const auth: Record<string, string> = { 'anthropic-version': options.version ?? '2023-06-01' };
  if (options.apiKey) auth['x-api-key'] = options.apiKey;
  const context = resolveContext(options, { name: 'anthropic', baseUrl: 'https://api.anthropic.com' }, auth);
  const defaultMaxTokens = options.defaultMaxTokens ?? 4_096;

  return {
    type: 'anthropic',
    capabilities: { tools: true, jsonOutput: true, vision: true, embeddings: false, modelDiscovery: true, passthrough: false },

    chat: (request, callOptions) =>
      runCall(context, 'whole', callOptions, async (call) => {
        const plan = toAnthropicPlan(context.name, request, false, defaultMaxTokens);
        const response = await call.send('/v1/messages', { body: plan.body });
        const message = (await readJson(call, response, context)) as AnthropicMessage;
        return fromAnthropicMessage(message, plan, unixSeconds(context.clock));
      }),

    streamChat: (request, callOptions) =>
      streamCall(context, callOptions, async function* (call) {
        const plan = toAnthropicPlan(context.name, request, true, defaultMaxTokens);
        const response = await call.send('/v1/messages', { body: plan.body });
        yield* translateStream(context, call, request, plan, response);
      }),

    embed: async () => {
      throw unsupported(context.name, 'Anthropic offers no embeddings; use an OpenAI-compatible, Ollama or Hugging Face provider');
    },

    listModels: (callOptions) =>
      runCall(context, 'listing', callOptions, async (call) => {
        const models: ModelInfo[] = [];
        let after: string | undefined;
        // The list is paged (at most 1,000 a page); the loop ends on the last page or a page that adds nothing.
        for (;;) {
          const query = after === undefined ? '?limit=1000' : `?limit=1000&after_id=${encodeURIComponent(after)}`;
          const response = await call.send(`/v1/models${query}`, { method: 'GET' });
          const page = (await readJson(call, response, context)) as { data?: { id: string }[]; has_more?: boolean; last_id?: string | null };
          const entries = page.data ?? [];
          models.push(...entries.map((entry) => ({ id: entry.id, ownedBy: 'anthropic', capabilities: claudeCapabilities })));
          if (!page.has_more || entries.length === 0 || !page.last_id) return models;
          after = page.last_id;
        }
      }),
  };
};
