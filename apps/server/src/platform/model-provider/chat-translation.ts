import type {
  ChatCompletionChunk,
  ChatCompletionChunkChoice,
  ChatCompletionRequest,
  ContentPart,
  FinishReason,
  TextContentPart,
  Usage,
} from './chat-completion.types.ts';
import { unsupported } from './provider-error.ts';

/** Helpers shared by the adapters that translate the canonical format into another protocol. */

/** The text of a message's content; image parts are the caller's to handle separately. */
export const contentText = (content: string | ContentPart[] | TextContentPart[] | null | undefined): string => {
  if (content === null || content === undefined) return '';
  if (typeof content === 'string') return content;
  return (content as ContentPart[])
    .filter((part): part is TextContentPart => part.type === 'text')
    .map((part) => part.text)
    .join('\n');
};

/** Splits a `data:<media type>;base64,<data>` URL; undefined for anything else (an https URL). */
export const parseDataUrl = (url: string): { mediaType: string; data: string } | undefined => {
  const match = /^data:([^;,]+)(?:;[^,]*)?;base64,(.*)$/s.exec(url);
  return match ? { mediaType: match[1] ?? 'application/octet-stream', data: match[2] ?? '' } : undefined;
};

/** Tool call arguments as an object, which Ollama and Anthropic want where OpenAI carries JSON text. */
export const parseToolArguments = (provider: string, text: string): Record<string, unknown> => {
  if (text.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // Reported below with the same message as a non-object.
  }
  throw unsupported(provider, `tool call arguments must be a JSON object, got ${text.slice(0, 100)}`);
};

/** `max_completion_tokens` replaced `max_tokens`; clients still send either. */
export const maxOutputTokens = (request: ChatCompletionRequest): number | undefined => request.max_completion_tokens ?? request.max_tokens ?? undefined;

export const stopSequences = (request: ChatCompletionRequest): string[] | undefined => {
  if (request.stop === null || request.stop === undefined) return undefined;
  return typeof request.stop === 'string' ? [request.stop] : request.stop;
};

export const makeUsage = (promptTokens: number, completionTokens: number, cachedTokens?: number): Usage => {
  const usage: Usage = { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
  if (cachedTokens !== undefined) usage.prompt_tokens_details = { cached_tokens: cachedTokens };
  return usage;
};

/** Builds the chunks of one translated stream, all sharing the id, model and creation time. */
export interface ChunkFactory {
  delta(delta: ChatCompletionChunkChoice['delta'], finishReason?: FinishReason | null): ChatCompletionChunk;
  usage(usage: Usage): ChatCompletionChunk;
}

export const chunkFactory = (identity: { id: string; model: string; created: number }): ChunkFactory => ({
  delta: (delta, finishReason = null) => ({
    id: identity.id,
    object: 'chat.completion.chunk',
    created: identity.created,
    model: identity.model,
    choices: [{ index: 0, delta, finish_reason: finishReason }],
  }),
  usage: (usage) => ({ id: identity.id, object: 'chat.completion.chunk', created: identity.created, model: identity.model, choices: [], usage }),
});
