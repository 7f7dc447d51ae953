import { describe, expect, it } from 'vitest';
import { loadFixture, replayFetch } from './fixture-replay.ts';
import { createModelProvider, modelProviderTypes } from './model-provider.factory.ts';
import type { ModelProviderType } from './model-provider.factory.ts';

describe('createModelProvider', () => {
  it('builds every provider type without sending anything', () => {
    const upstream = replayFetch({ hang: true });
    for (const type of modelProviderTypes) {
      const options = type === 'gguf' ? { modelPath: '/models/x.gguf' } : { fetch: upstream.fetch };
      const provider = createModelProvider(type, options as never);
      expect(provider.type).toBe(type);
      expect(typeof provider.streamChat).toBe('function');
      expect(provider.capabilities.passthrough).toBe(provider.forward !== undefined);
    }
    expect(upstream.requests).toEqual([]);
  });

  it('passes options through to the adapter', async () => {
    const upstream = replayFetch({ respond: loadFixture('ollama-tags.json') });
    const provider = createModelProvider('ollama', { baseUrl: 'http://10.0.0.5:11434', fetch: upstream.fetch });
    await provider.listModels();
    expect(upstream.requests[0]?.url).toBe('http://10.0.0.5:11434/api/tags');
  });

  it('rejects an unknown type', () => {
    expect(() => createModelProvider('bedrock' as ModelProviderType, {} as never)).toThrow(/Unknown model provider type bedrock/);
  });
});
