import { describe, expect, it } from 'vitest';
import { createAnthropicProvider } from './anthropic.adapter.ts';
import type { ChatCompletionRequest } from './chat-completion.types.ts';
import { drain, loadFixture, replayFetch } from './fixture-replay.ts';
import type { Recording } from './fixture-replay.ts';
import { runModelProviderContract } from './model-provider.contract.ts';

const clock = { now: () => new Date('2025-10-01T12:00:00Z') };
const created = Math.floor(clock.now().getTime() / 1000);
const text = 'Je regarde la météo à Paris et à Saint-Étienne…';
const toolCalls = [
  { name: 'get_weather', arguments: { city: 'Paris', unit: 'celsius' } },
  { name: 'get_weather', arguments: { city: 'Saint-Étienne', unit: 'celsius' } },
];

runModelProviderContract('anthropic', {
  create: (fetch, timeouts) => createAnthropicProvider({ apiKey: 'sk-ant-test', fetch, timeouts }),
  scenarios: [
    { name: 'text and tool use', chat: loadFixture('anthropic-message-tools.json'), stream: loadFixture('anthropic-stream-tools.sse'), expected: { content: text, toolCalls, finishReason: 'tool_calls', usage: { prompt_tokens: 472, completion_tokens: 89 } } },
  ],
  retryableError: { recording: loadFixture('anthropic-error-429.json'), status: 429, retryAfterMs: 15_000 },
  fatalError: { recording: loadFixture('anthropic-error-401.json'), status: 401 },
  midStreamError: loadFixture('anthropic-stream-error.sse'),
});

const conversation: ChatCompletionRequest = {
  model: 'claude-sonnet-4-5-20250929',
  messages: [
    { role: 'system', content: 'You are terse.' },
    { role: 'developer', content: [{ type: 'text', text: 'Use metric units.' }] },
    {
      role: 'user',
      content: [
        { type: 'text', text: 'Weather in Paris and here?' },
        { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
        { type: 'image_url', image_url: { url: 'https://example.com/window.jpg' } },
      ],
    },
    {
      role: 'assistant',
      content: 'Checking.',
      tool_calls: [
        { id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
        { id: 'toolu_2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Lyon"}' } },
      ],
    },
    { role: 'tool', tool_call_id: 'toolu_1', content: '{"celsius":18}' },
    { role: 'tool', tool_call_id: 'toolu_2', content: [{ type: 'text', text: '{"celsius":21}' }] },
    { role: 'user', content: 'Thanks! And tomorrow?' },
  ],
  tools: [{ type: 'function', function: { name: 'get_weather', description: 'Weather by city', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
  tool_choice: 'required',
  parallel_tool_calls: false,
  temperature: 0.3,
  top_p: 0.8,
  stop: ['END'],
  seed: 1,
  user: 'user-1',
};

const sse = (...events: Record<string, unknown>[]): Recording => ({
  status: 200,
  headers: { 'content-type': 'text/event-stream' },
  body: events.map((event) => `event: ${String(event.type)}\ndata: ${JSON.stringify(event)}\n\n`).join(''),
});

describe('anthropic adapter', () => {
  it('translates to the Messages API: system, merged turns, tool_use and tool_result blocks, images, tool_choice', async () => {
    const upstream = replayFetch({ respond: loadFixture('anthropic-message-tools.json') });
    await createAnthropicProvider({ apiKey: 'sk-ant-test', fetch: upstream.fetch }).chat(conversation);
    expect(upstream.requests).toEqual([
      {
        url: 'https://api.anthropic.com/v1/messages',
        method: 'POST',
        headers: { 'x-api-key': 'sk-ant-test', 'anthropic-version': '2023-06-01', 'content-type': 'application/json' },
        body: {
          model: 'claude-sonnet-4-5-20250929',
          max_tokens: 4096,
          system: 'You are terse.\n\nUse metric units.',
          messages: [
            {
              role: 'user',
              content: [
                { type: 'text', text: 'Weather in Paris and here?' },
                { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
                { type: 'image', source: { type: 'url', url: 'https://example.com/window.jpg' } },
              ],
            },
            {
              role: 'assistant',
              content: [
                { type: 'text', text: 'Checking.' },
                { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
                { type: 'tool_use', id: 'toolu_2', name: 'get_weather', input: { city: 'Lyon' } },
              ],
            },
            {
              role: 'user',
              content: [
                { type: 'tool_result', tool_use_id: 'toolu_1', content: '{"celsius":18}' },
                { type: 'tool_result', tool_use_id: 'toolu_2', content: '{"celsius":21}' },
                { type: 'text', text: 'Thanks! And tomorrow?' },
              ],
            },
          ],
          tools: [{ name: 'get_weather', description: 'Weather by city', input_schema: { type: 'object', properties: { city: { type: 'string' } } } }],
          tool_choice: { type: 'any', disable_parallel_tool_use: true },
          temperature: 0.3,
          top_p: 0.8,
          stop_sequences: ['END'],
          metadata: { user_id: 'user-1' },
        },
      },
    ]);
  });

  it('translates tool_choice none and named, max tokens and a custom default', async () => {
    const upstream = replayFetch({ respond: loadFixture('anthropic-message-tools.json') });
    const provider = createAnthropicProvider({ fetch: upstream.fetch, defaultMaxTokens: 1024, baseUrl: 'https://anthropic-proxy.internal/' });
    const base = { model: 'claude-haiku-4-5', messages: [{ role: 'user' as const, content: 'hi' }], tools: conversation.tools };
    await provider.chat({ ...base, tool_choice: 'none' });
    await provider.chat({ ...base, tool_choice: { type: 'function', function: { name: 'get_weather' } }, max_tokens: 200 });
    await provider.chat({ model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'hi' }] });
    expect(upstream.requests[0]).toMatchObject({ url: 'https://anthropic-proxy.internal/v1/messages', body: { max_tokens: 1024, tool_choice: { type: 'none' } } });
    expect(upstream.requests[0]?.headers['x-api-key']).toBeUndefined();
    expect(upstream.requests[1]?.body).toMatchObject({ max_tokens: 200, tool_choice: { type: 'tool', name: 'get_weather' } });
    expect(upstream.requests[2]?.body).toEqual({ model: 'claude-haiku-4-5', max_tokens: 1024, messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] });
  });

  it('answers with text, tool calls with JSON text arguments, finish reason and usage', async () => {
    const upstream = replayFetch({ respond: loadFixture('anthropic-message-tools.json') });
    const completion = await createAnthropicProvider({ fetch: upstream.fetch, clock }).chat(conversation);
    expect(completion).toEqual({
      id: 'msg_01Aq9w938a90dw8q',
      object: 'chat.completion',
      created,
      model: 'claude-sonnet-4-5-20250929',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: text,
            tool_calls: [
              { id: 'toolu_01A09q90qw90lq917835lq9', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris","unit":"celsius"}' } },
              { id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Saint-Étienne","unit":"celsius"}' } },
            ],
          },
          finish_reason: 'tool_calls',
        },
      ],
      usage: { prompt_tokens: 472, completion_tokens: 89, total_tokens: 561 },
    });
  });

  it('streams tool calls numbered in order, not by content block index', async () => {
    const upstream = replayFetch({ respond: loadFixture('anthropic-stream-tools.sse') });
    const { items } = await drain(createAnthropicProvider({ fetch: upstream.fetch, clock }).streamChat({ ...conversation, stream_options: { include_usage: true } }));
    expect(upstream.requests[0]?.body).toMatchObject({ stream: true });
    expect(items[0]).toEqual({ id: 'msg_01Aq9w938a90dw8q', object: 'chat.completion.chunk', created, model: 'claude-sonnet-4-5-20250929', choices: [{ index: 0, delta: { role: 'assistant', content: 'Je regarde' }, finish_reason: null }] });
    const starts = items.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []).filter((fragment) => fragment.id);
    expect(starts).toEqual([
      { index: 0, id: 'toolu_01A09q90qw90lq917835lq9', type: 'function', function: { name: 'get_weather', arguments: '' } },
      { index: 1, id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6', type: 'function', function: { name: 'get_weather', arguments: '' } },
    ]);
    expect(items.at(-2)?.choices).toEqual([{ index: 0, delta: {}, finish_reason: 'tool_calls' }]);
    expect(items.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 472, completion_tokens: 89, total_tokens: 561 } });
  });

  it('emulates JSON schema output with a forced tool whose input becomes the content', async () => {
    const request: ChatCompletionRequest = {
      model: 'claude-haiku-4-5',
      messages: [{ role: 'user', content: 'Weather as JSON' }],
      response_format: { type: 'json_schema', json_schema: { name: 'weather', schema: { type: 'object', properties: { celsius: { type: 'number' } } } } },
    };
    const message = { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-haiku-4-5', content: [{ type: 'tool_use', id: 'toolu_9', name: 'weather', input: { celsius: 18 } }], stop_reason: 'tool_use', stop_sequence: null, usage: { input_tokens: 10, output_tokens: 5 } };
    const upstream = replayFetch({ respond: { status: 200, headers: {}, body: JSON.stringify(message) } });
    const completion = await createAnthropicProvider({ fetch: upstream.fetch }).chat(request);
    expect(upstream.requests[0]?.body).toMatchObject({
      tools: [{ name: 'weather', description: 'Answer with this tool; its input is the answer, as JSON.', input_schema: request.response_format!.type === 'json_schema' ? request.response_format!.json_schema.schema : {} }],
      tool_choice: { type: 'tool', name: 'weather' },
    });
    expect(completion.choices[0]).toEqual({ index: 0, message: { role: 'assistant', content: '{"celsius":18}' }, finish_reason: 'stop' });

    const stream = sse(
      { type: 'message_start', message: { id: 'msg_2', model: 'claude-haiku-4-5', content: [], stop_reason: null, usage: { input_tokens: 10, output_tokens: 1 } } },
      { type: 'content_block_start', index: 0, content_block: { type: 'tool_use', id: 'toolu_9', name: 'weather', input: {} } },
      { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '{"celsius": ' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '18}' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'message_delta', delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 5 } },
      { type: 'message_stop' },
    );
    const streamed = replayFetch({ respond: stream });
    const { items, error } = await drain(createAnthropicProvider({ fetch: streamed.fetch }).streamChat(request));
    expect(error).toBeUndefined();
    expect(items.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe('{"celsius": 18}');
    expect(items.at(-1)?.choices[0]?.finish_reason).toBe('stop');
    expect(items.some((chunk) => chunk.choices[0]?.delta.tool_calls)).toBe(false);
  });

  it('maps 529 overloaded as retryable and a mid-stream overloaded event to status 529', async () => {
    const upstream = replayFetch({ respond: loadFixture('anthropic-error-529.json') });
    await expect(createAnthropicProvider({ fetch: upstream.fetch }).chat(conversation)).rejects.toMatchObject({
      status: 529,
      isRetryable: true,
      upstreamType: 'overloaded_error',
      message: 'anthropic answered 529: Overloaded',
    });
    const streamed = replayFetch({ respond: loadFixture('anthropic-stream-error.sse') });
    const { items, error } = await drain(createAnthropicProvider({ fetch: streamed.fetch }).streamChat(conversation));
    expect(items.map((chunk) => chunk.choices[0]?.delta.content).join('')).toBe('Il fait 18 °C à');
    expect(error).toMatchObject({ status: 529, isRetryable: true, phase: 'stream', upstreamType: 'overloaded_error' });
  });

  it('maps the other stop reasons', async () => {
    for (const [stopReason, finishReason] of [['end_turn', 'stop'], ['max_tokens', 'length'], ['stop_sequence', 'stop'], ['refusal', 'content_filter']]) {
      const message = { id: 'msg', model: 'm', content: [{ type: 'text', text: 'x' }], stop_reason: stopReason, usage: { input_tokens: 1, output_tokens: 1, cache_read_input_tokens: 4 } };
      const upstream = replayFetch({ respond: { status: 200, headers: {}, body: JSON.stringify(message) } });
      const completion = await createAnthropicProvider({ fetch: upstream.fetch }).chat({ model: 'm', messages: [{ role: 'user', content: 'x' }] });
      expect(completion.choices[0]?.finish_reason).toBe(finishReason);
      expect(completion.usage).toEqual({ prompt_tokens: 5, completion_tokens: 1, total_tokens: 6, prompt_tokens_details: { cached_tokens: 4 } });
    }
  });

  it('lists models page by page', async () => {
    const page = (ids: string[], hasMore: boolean): Recording => ({ status: 200, headers: {}, body: JSON.stringify({ data: ids.map((id) => ({ type: 'model', id })), has_more: hasMore, first_id: ids[0], last_id: ids.at(-1) }) });
    const upstream = replayFetch({ respond: page(['claude-a', 'claude-b'], true) }, { respond: loadFixture('anthropic-models.json') });
    const models = await createAnthropicProvider({ apiKey: 'k', fetch: upstream.fetch }).listModels();
    expect(upstream.requests.map((request) => request.url)).toEqual(['https://api.anthropic.com/v1/models?limit=1000', 'https://api.anthropic.com/v1/models?limit=1000&after_id=claude-b']);
    expect(upstream.requests[0]?.headers).toEqual({ 'x-api-key': 'k', 'anthropic-version': '2023-06-01' });
    expect(models.map((model) => model.id)).toEqual(['claude-a', 'claude-b', 'claude-sonnet-4-5-20250929', 'claude-haiku-4-5-20251001']);
    expect(models[0]).toEqual({ id: 'claude-a', ownedBy: 'anthropic', capabilities: ['chat', 'tools', 'json', 'vision'] });
  });
});
