import { describe, expect, it } from 'vitest';
import type { ChatCompletionRequest } from './chat-completion.types.ts';
import { drain, loadFixture, replayFetch } from './fixture-replay.ts';
import { runModelProviderContract } from './model-provider.contract.ts';
import { createOpenAiCompatibleProvider } from './openai-compatible.adapter.ts';
import { ProviderError } from './provider-error.ts';

const text = 'Il fait 18 °C à Paris, ciel dégagé ☀ — parfait pour un café en terrasse 🥐.';
const toolCalls = [
  { name: 'get_weather', arguments: { city: 'Paris', unit: 'celsius' } },
  { name: 'get_weather', arguments: { city: 'Saint-Étienne', unit: 'celsius' } },
];

runModelProviderContract('openai-compatible', {
  create: (fetch, timeouts) => createOpenAiCompatibleProvider({ baseUrl: 'https://api.openai.com/v1', apiKey: 'sk-test', fetch, timeouts }),
  scenarios: [
    { name: 'text', chat: loadFixture('openai-chat.json'), stream: loadFixture('openai-chat-stream-text.sse'), expected: { content: text, toolCalls: [], finishReason: 'stop', usage: { prompt_tokens: 31, completion_tokens: 24 } } },
    { name: 'tool calls', chat: loadFixture('openai-chat-tools.json'), stream: loadFixture('openai-chat-stream-tools.sse'), expected: { content: null, toolCalls, finishReason: 'tool_calls', usage: { prompt_tokens: 84, completion_tokens: 52 } } },
  ],
  retryableError: { recording: loadFixture('openai-error-429.json'), status: 429, retryAfterMs: 2_000 },
  fatalError: { recording: loadFixture('openai-error-401.json'), status: 401 },
  midStreamError: loadFixture('openrouter-stream-error.sse'),
});

const request: ChatCompletionRequest = {
  model: 'gpt-4o-mini',
  messages: [
    { role: 'system', content: 'Answer briefly.' },
    { role: 'user', content: [{ type: 'text', text: 'What is in this picture?' }, { type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }] },
  ],
  tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
  tool_choice: 'auto',
  response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object' }, strict: true } },
  temperature: 0.2,
  max_completion_tokens: 100,
  stop: ['\n\n'],
  seed: 7,
  user: 'user-1',
  stream_options: { include_usage: true },
};

describe('openai-compatible adapter', () => {
  it('sends the request unchanged except stream, with bearer auth and extra headers', async () => {
    const upstream = replayFetch({ respond: loadFixture('openai-chat.json') });
    const provider = createOpenAiCompatibleProvider({ baseUrl: 'https://openrouter.ai/api/v1/', apiKey: 'sk-or-1', fetch: upstream.fetch, headers: { 'HTTP-Referer': 'https://stead.example' } });
    await provider.chat(request);
    const { stream_options: _dropped, ...rest } = request;
    expect(upstream.requests).toEqual([
      {
        url: 'https://openrouter.ai/api/v1/chat/completions',
        method: 'POST',
        headers: { authorization: 'Bearer sk-or-1', 'content-type': 'application/json', 'http-referer': 'https://stead.example' },
        body: { ...rest, stream: false },
      },
    ]);
  });

  it('streams with stream true and stream_options kept, and sends no authorization without a key', async () => {
    const upstream = replayFetch({ respond: loadFixture('openai-chat-stream-text.sse') });
    const provider = createOpenAiCompatibleProvider({ baseUrl: 'http://127.0.0.1:8080/v1', fetch: upstream.fetch });
    await drain(provider.streamChat(request));
    expect(upstream.requests[0]).toMatchObject({ url: 'http://127.0.0.1:8080/v1/chat/completions', body: { ...request, stream: true } });
    expect(upstream.requests[0]?.headers.authorization).toBeUndefined();
  });

  it('passes chunks through as the upstream sent them', async () => {
    const upstream = replayFetch({ respond: loadFixture('openai-chat-stream-tools.sse') });
    const provider = createOpenAiCompatibleProvider({ fetch: upstream.fetch });
    const { items } = await drain(provider.streamChat(request));
    expect(items[0]).toMatchObject({ id: 'chatcmpl-B9MCa1hT7ZbW3nQeYc5xKp0fGs8Rm', model: 'gpt-4o-mini-2024-07-18', system_fingerprint: 'fp_06737a9306' });
    expect(items[0]?.choices[0]?.delta.tool_calls?.[0]).toEqual({ index: 0, id: 'call_DdmO9pD3xa9XTPNJ32zg2hcA', type: 'function', function: { name: 'get_weather', arguments: '' } });
    expect(items.filter((chunk) => chunk.choices[0]?.delta.tool_calls?.[0]?.function?.arguments).length).toBe(17);
  });

  it('reads the OpenAI error body: message, type, code', async () => {
    const upstream = replayFetch({ respond: loadFixture('openai-error-400.json') });
    const error = (await createOpenAiCompatibleProvider({ fetch: upstream.fetch }).chat(request).catch((caught: unknown) => caught)) as ProviderError;
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ status: 400, isRetryable: false, upstreamType: 'invalid_request_error', retryAfterMs: undefined });
    expect(error.message).toBe("openai-compatible answered 400: 'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.");
    const unauthorized = replayFetch({ respond: loadFixture('openai-error-401.json') });
    const named = createOpenAiCompatibleProvider({ fetch: unauthorized.fetch, name: 'openai' });
    await expect(named.chat(request)).rejects.toMatchObject({ status: 401, upstreamType: 'invalid_request_error', message: expect.stringMatching(/^openai answered 401: Incorrect API key/) });
  });

  it('rejects a 200 answer that carries an error instead of choices', async () => {
    const upstream = replayFetch({ respond: { status: 200, headers: { 'content-type': 'application/json' }, body: '{"error":{"message":"Upstream overloaded","code":502}}' } });
    await expect(createOpenAiCompatibleProvider({ fetch: upstream.fetch }).chat(request)).rejects.toMatchObject({ status: 502, isRetryable: true, message: expect.stringContaining('Upstream overloaded') });
  });

  it('lists models with their owner', async () => {
    const upstream = replayFetch({ respond: loadFixture('openai-models.json') });
    const models = await createOpenAiCompatibleProvider({ fetch: upstream.fetch, apiKey: 'k' }).listModels();
    expect(upstream.requests[0]).toMatchObject({ url: 'https://api.openai.com/v1/models', method: 'GET', body: undefined });
    expect(models).toEqual([
      { id: 'gpt-4o-mini', ownedBy: 'system' },
      { id: 'text-embedding-3-small', ownedBy: 'system' },
      { id: 'ft:gpt-4o-mini-2024-07-18:acme::A1b2C3d4', ownedBy: 'acme-org' },
    ]);
  });

  it('reads context lengths where OpenRouter and vLLM report them', async () => {
    const body = JSON.stringify({ object: 'list', data: [{ id: 'a', context_length: 131072 }, { id: 'b', object: 'model', owned_by: 'vllm', max_model_len: 32768 }] });
    const upstream = replayFetch({ respond: { status: 200, headers: {}, body } });
    await expect(createOpenAiCompatibleProvider({ fetch: upstream.fetch }).listModels()).resolves.toEqual([
      { id: 'a', contextLength: 131072 },
      { id: 'b', ownedBy: 'vllm', contextLength: 32768 },
    ]);
  });

  it('embeds as floats, decoding base64 from servers that ignore encoding_format', async () => {
    const upstream = replayFetch({ respond: loadFixture('openai-embeddings.json') });
    const provider = createOpenAiCompatibleProvider({ fetch: upstream.fetch });
    const result = await provider.embed({ model: 'text-embedding-3-small', input: ['a', 'b'], encoding_format: 'base64', dimensions: 4 });
    expect(upstream.requests[0]).toMatchObject({ url: 'https://api.openai.com/v1/embeddings', body: { model: 'text-embedding-3-small', input: ['a', 'b'], encoding_format: 'float', dimensions: 4 } });
    expect(result.data[1]?.embedding).toEqual([0.01732281, -0.02135011, 0.00429211, 0.0301774]);
    expect(result.usage).toEqual({ prompt_tokens: 9, total_tokens: 9 });
    const base64 = Buffer.from(new Float32Array([0.5, -1.25]).buffer).toString('base64');
    const encoded = replayFetch({ respond: { status: 200, headers: {}, body: JSON.stringify({ object: 'list', model: 'm', data: [{ object: 'embedding', index: 0, embedding: base64 }], usage: { prompt_tokens: 1, total_tokens: 1 } }) } });
    const decoded = await createOpenAiCompatibleProvider({ fetch: encoded.fetch }).embed({ model: 'm', input: 'x' });
    expect(decoded.data[0]?.embedding).toEqual([0.5, -1.25]);
  });

  it('forwards raw bytes and returns the upstream response to pipe', async () => {
    const upstream = replayFetch({ respond: loadFixture('openai-chat-stream-text.sse') });
    const provider = createOpenAiCompatibleProvider({ fetch: upstream.fetch, apiKey: 'sk-test' });
    const raw = '{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"hi"}],"x_vendor_field":1}';
    const response = await provider.forward!(raw, { stream: true });
    expect(upstream.requests[0]).toMatchObject({ url: 'https://api.openai.com/v1/chat/completions', method: 'POST', body: JSON.parse(raw) });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    expect(await response.text()).toBe(loadFixture('openai-chat-stream-text.sse').body);
  });

  it('forward rejects an error status with a ProviderError and serialises objects', async () => {
    const upstream = replayFetch({ respond: loadFixture('openai-error-429.json') });
    const provider = createOpenAiCompatibleProvider({ fetch: upstream.fetch });
    await expect(provider.forward!({ model: 'm', input: 'x' }, { stream: false, endpoint: 'embeddings' })).rejects.toMatchObject({ status: 429, retryAfterMs: 2000, isRetryable: true });
    expect(upstream.requests[0]).toMatchObject({ url: 'https://api.openai.com/v1/embeddings', body: { model: 'm', input: 'x' } });
  });

  it('forward keeps the caller abort linked to the body after the headers', async () => {
    let bodySignal: AbortSignal | undefined;
    const provider = createOpenAiCompatibleProvider({
      fetch: async (_url, init) => {
        bodySignal = init.signal ?? undefined;
        return new Response('data: [DONE]\n\n', { status: 200 });
      },
    });
    const controller = new AbortController();
    await provider.forward!({}, { stream: true, signal: controller.signal });
    controller.abort(new Error('gone'));
    expect(bodySignal?.aborted).toBe(true);
  });

  it('narrows capabilities for servers that lack some', () => {
    const provider = createOpenAiCompatibleProvider({ capabilities: { tools: false, embeddings: false } });
    expect(provider.capabilities).toEqual({ tools: false, jsonOutput: true, vision: true, embeddings: false, modelDiscovery: true, passthrough: true });
  });
});
