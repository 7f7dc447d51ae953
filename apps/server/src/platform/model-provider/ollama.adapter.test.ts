import { describe, expect, it } from 'vitest';
import type { ChatCompletionRequest } from './chat-completion.types.ts';
import { drain, loadFixture, replayFetch } from './fixture-replay.ts';
import { runModelProviderContract } from './model-provider.contract.ts';
import { createOllamaProvider } from './ollama.adapter.ts';

const fixedIds = () => {
  let counter = 0;
  return { next: () => `id${(counter += 1)}` };
};
const clock = { now: () => new Date('2025-03-10T09:00:00Z') };
const toolCalls = [
  { name: 'get_weather', arguments: { city: 'Paris', unit: 'celsius' } },
  { name: 'get_weather', arguments: { city: 'Saint-Étienne', unit: 'celsius' } },
];

runModelProviderContract('ollama', {
  create: (fetch, timeouts) => createOllamaProvider({ fetch, timeouts }),
  scenarios: [
    { name: 'text', chat: loadFixture('ollama-chat.json'), stream: loadFixture('ollama-chat-stream-text.ndjson'), expected: { content: 'Il fait 18 °C à Paris ☀ 🥐', toolCalls: [], finishReason: 'stop', usage: { prompt_tokens: 32, completion_tokens: 14 } } },
    { name: 'tool calls', chat: loadFixture('ollama-chat-tools.json'), stream: loadFixture('ollama-chat-stream-tools.ndjson'), expected: { content: null, toolCalls, finishReason: 'tool_calls', usage: { prompt_tokens: 155, completion_tokens: 81 } } },
  ],
  retryableError: { recording: loadFixture('ollama-error-503.json'), status: 503, retryAfterMs: undefined },
  fatalError: { recording: loadFixture('ollama-error-404.json'), status: 404 },
  midStreamError: loadFixture('ollama-stream-error.ndjson'),
});

const conversation: ChatCompletionRequest = {
  model: 'qwen3:8b',
  messages: [
    { role: 'system', content: 'You are terse.' },
    { role: 'user', content: [{ type: 'text', text: 'Weather here?' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }] },
    { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
    { role: 'tool', tool_call_id: 'call_1', content: '{"temperature":18}' },
  ],
  tools: [{ type: 'function', function: { name: 'get_weather', description: 'Weather by city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }],
  response_format: { type: 'json_schema', json_schema: { name: 'weather', schema: { type: 'object', properties: { summary: { type: 'string' } } } } },
  temperature: 0.1,
  top_p: 0.9,
  max_tokens: 50,
  max_completion_tokens: 64,
  stop: 'END',
  seed: 42,
};

describe('ollama adapter', () => {
  it('translates the conversation into /api/chat: images, tool calls as objects, tool_name, format, options', async () => {
    const upstream = replayFetch({ respond: loadFixture('ollama-chat.json') });
    await createOllamaProvider({ baseUrl: 'http://gpu-box:11434/', fetch: upstream.fetch, keepAlive: '10m' }).chat(conversation);
    expect(upstream.requests).toEqual([
      {
        url: 'http://gpu-box:11434/api/chat',
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: {
          model: 'qwen3:8b',
          stream: false,
          messages: [
            { role: 'system', content: 'You are terse.' },
            { role: 'user', content: 'Weather here?', images: ['iVBORw0KGgo='] },
            { role: 'assistant', content: '', tool_calls: [{ function: { name: 'get_weather', arguments: { city: 'Paris' } } }] },
            { role: 'tool', content: '{"temperature":18}', tool_name: 'get_weather' },
          ],
          tools: conversation.tools,
          format: { type: 'object', properties: { summary: { type: 'string' } } },
          options: { temperature: 0.1, top_p: 0.9, num_predict: 64, stop: ['END'], seed: 42 },
          keep_alive: '10m',
        },
      },
    ]);
  });

  it('maps tool_choice and json_object onto what Ollama has', async () => {
    const upstream = replayFetch({ respond: loadFixture('ollama-chat-stream-text.ndjson') });
    const provider = createOllamaProvider({ fetch: upstream.fetch, apiKey: 'proxy-key' });
    const tools = [...conversation.tools!, { type: 'function' as const, function: { name: 'other' } }];
    await drain(provider.streamChat({ model: 'm', messages: [{ role: 'user', content: 'hi' }], tools, tool_choice: { type: 'function', function: { name: 'other' } }, response_format: { type: 'json_object' } }));
    await drain(provider.streamChat({ model: 'm', messages: [{ role: 'user', content: 'hi' }], tools, tool_choice: 'none', response_format: { type: 'text' } }));
    expect(upstream.requests[0]).toMatchObject({ url: 'http://127.0.0.1:11434/api/chat', headers: { authorization: 'Bearer proxy-key' }, body: { stream: true, tools: [tools[1]], format: 'json' } });
    expect(upstream.requests[1]?.body).toEqual({ model: 'm', stream: true, messages: [{ role: 'user', content: 'hi' }] });
  });

  it('refuses image URLs it would have to fetch itself', async () => {
    const upstream = replayFetch({ hang: true });
    const request: ChatCompletionRequest = { model: 'm', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://example.com/cat.png' } }] }] };
    await expect(createOllamaProvider({ fetch: upstream.fetch }).chat(request)).rejects.toMatchObject({ code: 'validation_failed', isRetryable: false });
    expect(upstream.requests).toEqual([]);
  });

  it('builds OpenAI chunks from NDJSON lines, with ids from the injected source and created from created_at', async () => {
    const upstream = replayFetch({ respond: loadFixture('ollama-chat-stream-tools.ndjson') });
    const { items } = await drain(createOllamaProvider({ fetch: upstream.fetch, ids: fixedIds(), clock }).streamChat({ model: 'qwen3:8b', messages: [{ role: 'user', content: 'hi' }] }));
    expect(items).toEqual([
      { id: 'chatcmpl-id1', object: 'chat.completion.chunk', created: 1741598041, model: 'qwen3:8b', choices: [{ index: 0, delta: { role: 'assistant', tool_calls: [{ index: 0, id: 'call_id2', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris","unit":"celsius"}' } }] }, finish_reason: null }] },
      { id: 'chatcmpl-id1', object: 'chat.completion.chunk', created: 1741598041, model: 'qwen3:8b', choices: [{ index: 0, delta: { tool_calls: [{ index: 1, id: 'call_id3', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Saint-Étienne","unit":"celsius"}' } }] }, finish_reason: null }] },
      { id: 'chatcmpl-id1', object: 'chat.completion.chunk', created: 1741598041, model: 'qwen3:8b', choices: [{ index: 0, delta: {}, finish_reason: 'tool_calls' }] },
    ]);
  });

  it('answers a whole completion with usage from the eval counts', async () => {
    const upstream = replayFetch({ respond: loadFixture('ollama-chat.json') });
    const completion = await createOllamaProvider({ fetch: upstream.fetch, ids: fixedIds() }).chat({ model: 'llama3.2', messages: [{ role: 'user', content: 'hi' }] });
    expect(completion).toEqual({
      id: 'chatcmpl-id1',
      object: 'chat.completion',
      created: 1741597951,
      model: 'llama3.2:latest',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Il fait 18 °C à Paris ☀ 🥐' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 32, completion_tokens: 14, total_tokens: 46 },
    });
  });

  it('reads Ollama error bodies', async () => {
    const upstream = replayFetch({ respond: loadFixture('ollama-error-404.json') });
    await expect(createOllamaProvider({ fetch: upstream.fetch }).chat(conversation)).rejects.toMatchObject({
      status: 404,
      isRetryable: false,
      message: 'ollama answered 404: model "llama3.3" not found, try pulling it first',
    });
  });

  it('lists tags with their details', async () => {
    const upstream = replayFetch({ respond: loadFixture('ollama-tags.json') });
    const models = await createOllamaProvider({ fetch: upstream.fetch }).listModels();
    expect(upstream.requests[0]).toMatchObject({ url: 'http://127.0.0.1:11434/api/tags', method: 'GET' });
    expect(models).toEqual([
      { id: 'llama3.2:latest', ownedBy: 'ollama', details: { family: 'llama', parameterSize: '3.2B', quantization: 'Q4_K_M', format: 'gguf', modifiedAt: '2025-02-27T10:41:52.190283339+01:00', sizeBytes: 2019393189 } },
      { id: 'nomic-embed-text:latest', ownedBy: 'ollama', details: { family: 'nomic-bert', parameterSize: '137M', quantization: 'F16', format: 'gguf', modifiedAt: '2025-01-14T18:02:11.562911284+01:00', sizeBytes: 274302450 } },
    ]);
  });

  // The /api/show fixtures are reconstructed from Ollama's API documentation (0.6+, with `capabilities`), not captured.
  it('asks /api/show for each model: capabilities and context length, an embedding model never chat', async () => {
    const upstream = replayFetch({ respond: loadFixture('ollama-tags.json') }, { respond: loadFixture('ollama-show-llama.json') }, { respond: loadFixture('ollama-show-nomic-embed.json') });
    const models = await createOllamaProvider({ fetch: upstream.fetch }).listModels();
    expect(upstream.requests.slice(1)).toMatchObject([
      { url: 'http://127.0.0.1:11434/api/show', method: 'POST', body: { model: 'llama3.2:latest' } },
      { url: 'http://127.0.0.1:11434/api/show', method: 'POST', body: { model: 'nomic-embed-text:latest' } },
    ]);
    expect(models.map(({ id, capabilities, contextLength }) => ({ id, capabilities, contextLength }))).toEqual([
      { id: 'llama3.2:latest', capabilities: ['chat', 'json', 'tools'], contextLength: 131072 },
      { id: 'nomic-embed-text:latest', capabilities: ['embeddings'], contextLength: 2048 },
    ]);
  });

  it('still lists a model /api/show cannot describe, and reads an embedding model of an older server from its pooling type', async () => {
    const old = loadFixture('ollama-show-nomic-embed.json');
    const { capabilities: _dropped, ...before06 } = JSON.parse(String(old.body)) as Record<string, unknown>;
    const withoutCapabilities = { ...old, body: JSON.stringify(before06) };
    const upstream = replayFetch({ respond: loadFixture('ollama-tags.json') }, { respond: loadFixture('ollama-error-404.json') }, { respond: withoutCapabilities });
    const models = await createOllamaProvider({ fetch: upstream.fetch }).listModels();
    expect(models[0]).not.toHaveProperty('capabilities');
    expect(models[1]).toMatchObject({ id: 'nomic-embed-text:latest', capabilities: ['embeddings'], contextLength: 2048 });
  });

  it('embeds through /api/embed', async () => {
    const upstream = replayFetch({ respond: loadFixture('ollama-embed.json') });
    const result = await createOllamaProvider({ fetch: upstream.fetch }).embed({ model: 'nomic-embed-text', input: ['a', 'b'], dimensions: 4 });
    expect(upstream.requests[0]).toMatchObject({ url: 'http://127.0.0.1:11434/api/embed', body: { model: 'nomic-embed-text', input: ['a', 'b'], dimensions: 4 } });
    expect(result).toEqual({
      object: 'list',
      model: 'nomic-embed-text:latest',
      data: [
        { object: 'embedding', index: 0, embedding: [0.010071029, -0.0017594862, 0.05007221, 0.04692972] },
        { object: 'embedding', index: 1, embedding: [-0.0098027075, 0.06042469, 0.025257962, -0.006364387] },
      ],
      usage: { prompt_tokens: 8, total_tokens: 8 },
    });
  });
});
