import type { ChatCompletion, ChatCompletionRequest, ContentPart, FinishReason, ToolCall, Usage } from './chat-completion.types.ts';
import { contentText, makeUsage, maxOutputTokens, parseDataUrl, parseToolArguments, stopSequences } from './chat-translation.ts';

/** Translation between the canonical chat format and Anthropic's Messages API (version 2023-06-01). */

type Block = Record<string, unknown>;
interface Turn {
  role: 'user' | 'assistant';
  content: Block[];
}

/** What the stream and response translation need to know about how the request was translated. */
export interface AnthropicPlan {
  body: Record<string, unknown>;
  /**
   * The forced tool standing in for `response_format` JSON output, if any. Anthropic has no JSON mode; a
   * tool whose input schema is the requested schema, with `tool_choice` forcing it, works on every Claude
   * model (native structured outputs are a beta limited to recent models). Its input is the JSON answer:
   * it is returned as message content with finish reason `stop`, never as a tool call. A request with both
   * tools and JSON output can therefore not call its tools.
   */
  jsonTool?: string;
}

const userBlocks = (content: string | ContentPart[]): Block[] => {
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  return content.flatMap((part): Block[] => {
    if (part.type === 'text') return part.text === '' ? [] : [{ type: 'text', text: part.text }];
    const inline = parseDataUrl(part.image_url.url);
    return [{ type: 'image', source: inline ? { type: 'base64', media_type: inline.mediaType, data: inline.data } : { type: 'url', url: part.image_url.url } }];
  });
};

/**
 * Anthropic keeps the system prompt outside the messages, wants tool results as `tool_result` blocks in a
 * user turn, and rejects two turns of the same role in a row: consecutive turns are merged (several tool
 * results, or tool results followed by the user's next words, become one user turn, results first).
 */
const translateMessages = (provider: string, request: ChatCompletionRequest): { system: string[]; turns: Turn[] } => {
  const system: string[] = [];
  const turns: Turn[] = [];
  const push = (role: Turn['role'], blocks: Block[]): void => {
    if (blocks.length === 0) return;
    const last = turns.at(-1);
    if (last?.role === role) last.content.push(...blocks);
    else turns.push({ role, content: blocks });
  };
  for (const message of request.messages) {
    switch (message.role) {
      case 'system':
      case 'developer':
        system.push(contentText(message.content));
        break;
      case 'user':
        push('user', userBlocks(message.content));
        break;
      case 'assistant': {
        const text = contentText(message.content);
        const blocks: Block[] = text === '' ? [] : [{ type: 'text', text }];
        for (const call of message.tool_calls ?? []) {
          blocks.push({ type: 'tool_use', id: call.id, name: call.function.name, input: parseToolArguments(provider, call.function.arguments) });
        }
        push('assistant', blocks);
        break;
      }
      case 'tool':
        push('user', [{ type: 'tool_result', tool_use_id: message.tool_call_id, content: contentText(message.content) }]);
        break;
    }
  }
  return { system, turns };
};

const translateToolChoice = (request: ChatCompletionRequest): Block | undefined => {
  const choice = request.tool_choice;
  let translated: Block | undefined;
  if (choice === 'none') return { type: 'none' };
  if (choice === 'auto') translated = { type: 'auto' };
  else if (choice === 'required') translated = { type: 'any' };
  else if (typeof choice === 'object') translated = { type: 'tool', name: choice.function.name };
  if (request.parallel_tool_calls === false && request.tools?.length) translated = { type: 'auto', ...translated, disable_parallel_tool_use: true };
  return translated;
};

/** Builds the Messages API body. `defaultMaxTokens` fills `max_tokens`, which Anthropic requires. */
export const toAnthropicPlan = (provider: string, request: ChatCompletionRequest, stream: boolean, defaultMaxTokens: number): AnthropicPlan => {
  const { system, turns } = translateMessages(provider, request);
  const body: Record<string, unknown> = { model: request.model, max_tokens: maxOutputTokens(request) ?? defaultMaxTokens };
  if (system.length > 0) body.system = system.join('\n\n');
  body.messages = turns;
  const tools: Block[] = (request.tools ?? []).map((tool) => {
    const translated: Block = { name: tool.function.name, input_schema: tool.function.parameters ?? { type: 'object', properties: {} } };
    if (tool.function.description) translated.description = tool.function.description;
    return translated;
  });
  let toolChoice = translateToolChoice(request);
  let jsonTool: string | undefined;
  const format = request.response_format;
  if (format?.type === 'json_schema' || format?.type === 'json_object') {
    jsonTool = format.type === 'json_schema' ? format.json_schema.name : 'json_output';
    const schema = format.type === 'json_schema' ? (format.json_schema.schema ?? { type: 'object' }) : { type: 'object' };
    const description = (format.type === 'json_schema' ? format.json_schema.description : undefined) ?? 'Answer with this tool; its input is the answer, as JSON.';
    tools.push({ name: jsonTool, description, input_schema: schema });
    toolChoice = { type: 'tool', name: jsonTool };
  }
  if (tools.length > 0) body.tools = tools;
  if (toolChoice && tools.length > 0) body.tool_choice = toolChoice;
  if (request.temperature != null) body.temperature = request.temperature;
  if (request.top_p != null) body.top_p = request.top_p;
  const stop = stopSequences(request);
  if (stop) body.stop_sequences = stop;
  if (request.user) body.metadata = { user_id: request.user };
  if (stream) body.stream = true;
  return jsonTool === undefined ? { body } : { body, jsonTool };
};

const stopReasons: Record<string, FinishReason> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  pause_turn: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
};

export const toFinishReason = (stopReason: unknown, plan: AnthropicPlan): FinishReason => {
  const reason = stopReasons[String(stopReason)] ?? 'stop';
  return reason === 'tool_calls' && plan.jsonTool !== undefined ? 'stop' : reason;
};

export interface AnthropicUsage {
  input_tokens?: number;
  output_tokens?: number;
  cache_creation_input_tokens?: number | null;
  cache_read_input_tokens?: number | null;
}

/** OpenAI counts cached prompt tokens inside `prompt_tokens`; Anthropic reports them beside `input_tokens`. */
export const toUsage = (usage: AnthropicUsage): Usage => {
  const cached = usage.cache_read_input_tokens ?? 0;
  const prompt = (usage.input_tokens ?? 0) + (usage.cache_creation_input_tokens ?? 0) + cached;
  return makeUsage(prompt, usage.output_tokens ?? 0, cached > 0 ? cached : undefined);
};

export interface AnthropicMessage {
  id: string;
  model: string;
  content: { type: string; text?: string; id?: string; name?: string; input?: unknown }[];
  stop_reason: string | null;
  usage: AnthropicUsage;
}

export const fromAnthropicMessage = (message: AnthropicMessage, plan: AnthropicPlan, created: number): ChatCompletion => {
  let text = '';
  const toolCalls: ToolCall[] = [];
  for (const block of message.content) {
    if (block.type === 'text') text += block.text ?? '';
    else if (block.type === 'tool_use' && block.name === plan.jsonTool) text += JSON.stringify(block.input ?? {});
    else if (block.type === 'tool_use') toolCalls.push({ id: String(block.id), type: 'function', function: { name: String(block.name), arguments: JSON.stringify(block.input ?? {}) } });
    // Thinking and server-tool blocks have no place in the Chat Completions format.
  }
  const completion: ChatCompletion = {
    id: message.id,
    object: 'chat.completion',
    created,
    model: message.model,
    choices: [{ index: 0, message: { role: 'assistant', content: text === '' && toolCalls.length > 0 ? null : text }, finish_reason: toFinishReason(message.stop_reason, plan) }],
    usage: toUsage(message.usage),
  };
  if (toolCalls.length > 0) completion.choices[0]!.message.tool_calls = toolCalls;
  return completion;
};

/** Anthropic's error types inside a stream carry no HTTP status; these are the statuses its docs pair them with. */
export const statusOfErrorType: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  overloaded_error: 529,
};
