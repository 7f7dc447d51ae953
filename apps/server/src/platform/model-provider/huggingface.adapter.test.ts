import { describe, expect, it } from 'vitest';
import { drain, loadFixture, replayFetch } from './fixture-replay.ts';
import { createHuggingFaceProvider } from './huggingface.adapter.ts';
import { runModelProviderContract } from './model-provider.contract.ts';

// Chat goes through the router, which speaks the OpenAI format, so the OpenAI recordings stand in for it.
runModelProviderContract('huggingface', {
  create: (fetch, timeouts) => createHuggingFaceProvider({ apiKey: 'hf_test', fetch, timeouts }),
  scenarios: [
    {
      name: 'text',
      chat: loadFixture('openai-chat.json'),
      stream: loadFixture('openai-chat-stream-text.sse'),
      expected: { content: 'Il fait 18 °C à Paris, ciel dégagé ☀ — parfait pour un café en terrasse 🥐.', toolCalls: [], finishReason: 'stop', usage: { prompt_tokens: 31, completion_tokens: 24 } },
    },
  ],
  retryableError: { recording: loadFixture('huggingface-loading-503.json'), status: 503, retryAfterMs: 20_000 },
  fatalError: { recording: loadFixture('openai-error-401.json'), status: 401 },
});

describe('huggingface adapter', () => {
  it('sends chat to the router with the token as bearer', async () => {
    const upstream = replayFetch({ respond: loadFixture('openai-chat-stream-text.sse') });
    const provider = createHuggingFaceProvider({ apiKey: 'hf_test', fetch: upstream.fetch });
    await drain(provider.streamChat({ model: 'meta-llama/Llama-3.1-8B-Instruct', messages: [{ role: 'user', content: 'hi' }] }));
    expect(upstream.requests[0]).toEqual({
      url: 'https://router.huggingface.co/v1/chat/completions',
      method: 'POST',
      headers: { authorization: 'Bearer hf_test', 'content-type': 'application/json' },
      body: { model: 'meta-llama/Llama-3.1-8B-Instruct', messages: [{ role: 'user', content: 'hi' }], stream: true },
    });
    expect(provider.type).toBe('huggingface');
    expect(provider.capabilities.embeddings).toBe(true);
  });

  it('embeds through the feature-extraction pipeline, always sending a list of inputs', async () => {
    const upstream = replayFetch({ respond: loadFixture('huggingface-feature-extraction.json') });
    const result = await createHuggingFaceProvider({ apiKey: 'hf_test', fetch: upstream.fetch }).embed({ model: 'sentence-transformers/all-MiniLM-L6-v2', input: ['a', 'b'] });
    expect(upstream.requests[0]).toEqual({
      url: 'https://router.huggingface.co/hf-inference/models/sentence-transformers/all-MiniLM-L6-v2/pipeline/feature-extraction',
      method: 'POST',
      headers: { authorization: 'Bearer hf_test', 'content-type': 'application/json' },
      body: { inputs: ['a', 'b'] },
    });
    expect(result).toEqual({
      object: 'list',
      model: 'sentence-transformers/all-MiniLM-L6-v2',
      data: [
        { object: 'embedding', index: 0, embedding: [0.0437, -0.0512, 0.0138, 0.0671] },
        { object: 'embedding', index: 1, embedding: [-0.0215, 0.0893, 0.0047, -0.0364] },
      ],
      usage: { prompt_tokens: 0, total_tokens: 0 },
    });
  });

  it('mean-pools token-level output and honours a dedicated endpoint URL', async () => {
    const upstream = replayFetch({ respond: loadFixture('huggingface-feature-extraction-tokens.json') });
    const provider = createHuggingFaceProvider({ fetch: upstream.fetch, inferenceUrl: 'https://xyz.endpoints.huggingface.cloud' });
    const result = await provider.embed({ model: 'bert-base-uncased', input: 'hello' });
    expect(upstream.requests[0]?.url).toBe('https://xyz.endpoints.huggingface.cloud/models/bert-base-uncased/pipeline/feature-extraction');
    expect(result.data[0]?.embedding.map((value) => Number(value.toFixed(6)))).toEqual([0.2, 0.3, 0.4]);
  });

  it('turns "model is loading" into a retryable error that waits estimated_time', async () => {
    const upstream = replayFetch({ respond: loadFixture('huggingface-loading-503.json') });
    const error: unknown = await createHuggingFaceProvider({ fetch: upstream.fetch }).embed({ model: 'sentence-transformers/all-MiniLM-L6-v2', input: 'x' }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      code: 'provider_error',
      status: 503,
      isRetryable: true,
      retryAfterMs: 20_000,
      message: 'huggingface answered 503: Model sentence-transformers/all-MiniLM-L6-v2 is currently loading',
    });
  });

  it('rejects an answer of the wrong shape', async () => {
    const upstream = replayFetch({ respond: { status: 200, headers: {}, body: '[{"label":"POSITIVE","score":0.9}]' } });
    await expect(createHuggingFaceProvider({ fetch: upstream.fetch }).embed({ model: 'm', input: 'x' })).rejects.toMatchObject({ code: 'provider_error', isRetryable: false });
  });
});
