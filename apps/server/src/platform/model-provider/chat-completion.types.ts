/**
 * The canonical request and response shapes of the model gateway: the OpenAI Chat Completions and Embeddings
 * wire format, in its snake_case field names, because that is what clients send and what the gateway answers.
 * Adapters translate between these and their vendor's protocol; the OpenAI-compatible adapter sends them as
 * they are. Only the fields Stead relies on are typed; see `model-provider.port.ts` for what is left out.
 */

/** A JSON schema object, as given by the client; adapters never validate it, only carry it. */
export type JsonSchema = Record<string, unknown>;

export interface TextContentPart {
  type: 'text';
  text: string;
}

export interface ImageContentPart {
  type: 'image_url';
  /** `url` is either `https://…` or a `data:<media type>;base64,<data>` URL. */
  image_url: { url: string; detail?: 'auto' | 'low' | 'high' };
}

export type ContentPart = TextContentPart | ImageContentPart;

/** `developer` is OpenAI's newer name for `system`; translating adapters treat both alike. */
export interface SystemMessage {
  role: 'system' | 'developer';
  content: string | TextContentPart[];
  name?: string;
}

export interface UserMessage {
  role: 'user';
  content: string | ContentPart[];
  name?: string;
}

export interface ToolCall {
  id: string;
  type: 'function';
  /** `arguments` is a JSON text, as the model wrote it (it may be invalid JSON). */
  function: { name: string; arguments: string };
}

export interface AssistantMessage {
  role: 'assistant';
  content?: string | TextContentPart[] | null;
  tool_calls?: ToolCall[];
  refusal?: string | null;
  name?: string;
}

export interface ToolMessage {
  role: 'tool';
  content: string | TextContentPart[];
  /** The `id` of the assistant's tool call this message answers. */
  tool_call_id: string;
}

export type ChatMessage = SystemMessage | UserMessage | AssistantMessage | ToolMessage;

export interface FunctionTool {
  type: 'function';
  function: { name: string; description?: string; parameters?: JsonSchema; strict?: boolean | null };
}

/** `required` forces some tool call; a named function forces that one. Default upstream: `auto` when tools are given. */
export type ToolChoice = 'none' | 'auto' | 'required' | { type: 'function'; function: { name: string } };

export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | { type: 'json_schema'; json_schema: { name: string; description?: string; schema?: JsonSchema; strict?: boolean | null } };

export interface ChatCompletionRequest {
  model: string;
  messages: ChatMessage[];
  tools?: FunctionTool[];
  tool_choice?: ToolChoice;
  /** Default upstream: `true`. */
  parallel_tool_calls?: boolean;
  response_format?: ResponseFormat;
  temperature?: number | null;
  top_p?: number | null;
  /** Older name of `max_completion_tokens`; when both are given, `max_completion_tokens` wins. */
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  stop?: string | string[] | null;
  /** Ignored by `chat` and `streamChat` (the method decides); passed on by `forward`. */
  stream?: boolean | null;
  /** With `include_usage`, a stream ends with one chunk holding `usage` and no choices. Default: no usage chunk. */
  stream_options?: { include_usage?: boolean } | null;
  seed?: number | null;
  /** An end-user id for the vendor's abuse monitoring. */
  user?: string;
}

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'function_call';

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens?: number };
  completion_tokens_details?: { reasoning_tokens?: number };
}

export interface ChatCompletionMessage {
  role: 'assistant';
  content: string | null;
  tool_calls?: ToolCall[];
  refusal?: string | null;
}

export interface ChatCompletionChoice {
  index: number;
  message: ChatCompletionMessage;
  finish_reason: FinishReason | null;
  logprobs?: null;
}

export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  /** Unix time in seconds. */
  created: number;
  model: string;
  choices: ChatCompletionChoice[];
  usage?: Usage;
  system_fingerprint?: string | null;
}

/** A fragment of a tool call: the first fragment of an `index` carries `id` and the name; later ones append `arguments`. */
export interface ToolCallDelta {
  index: number;
  id?: string;
  type?: 'function';
  function?: { name?: string; arguments?: string };
}

export interface ChatCompletionChunkChoice {
  index: number;
  delta: { role?: 'assistant'; content?: string | null; tool_calls?: ToolCallDelta[]; refusal?: string | null };
  finish_reason: FinishReason | null;
  logprobs?: null;
}

export interface ChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  /** Empty in the final usage chunk. */
  choices: ChatCompletionChunkChoice[];
  usage?: Usage | null;
  system_fingerprint?: string | null;
}

/**
 * The upstream's own JSON text of a chunk that an adapter passes on unchanged (OpenAI-compatible servers), kept as
 * a non-enumerable property so the endpoint sends it as it came instead of serializing the parsed chunk again:
 * about a tenth of the CPU of a streamed answer. Copies (spread) lose it; whoever changes a chunk in place
 * calls `forgetChunkJson`.
 */
const chunkJson = Symbol('stead.chunkJson');

export const keepChunkJson = (chunk: ChatCompletionChunk, json: string): void => {
  // SSE data lines cannot hold a line break; JSON.stringify never writes one, an upstream might.
  if (!json.includes('\n')) Object.defineProperty(chunk, chunkJson, { value: json, configurable: true, writable: true });
};

export const forgetChunkJson = (chunk: ChatCompletionChunk): void => {
  delete (chunk as { [chunkJson]?: string })[chunkJson];
};

/** The chunk as JSON: the upstream's text when it was kept and the chunk not changed since. */
export const chunkJsonOf = (chunk: ChatCompletionChunk): string => (chunk as { [chunkJson]?: string })[chunkJson] ?? JSON.stringify(chunk);

export interface EmbeddingRequest {
  model: string;
  input: string | string[];
  dimensions?: number;
  /** Adapters always return floats; a gateway answering `base64` encodes them itself. */
  encoding_format?: 'float' | 'base64';
  user?: string;
}

export interface EmbeddingResponse {
  object: 'list';
  data: { object: 'embedding'; index: number; embedding: number[] }[];
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
}
