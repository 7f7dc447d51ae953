import { describe, expect, it } from 'vitest';
import { addressKind, providerChanges, suggestLocality } from './providers.ts';

describe('addressKind', () => {
  it.each([
    ['http://127.0.0.1:11434', 'loopback'],
    ['http://localhost:8080/v1', 'loopback'],
    ['http://[::1]:1234/v1', 'loopback'],
    ['http://127.1.2.3', 'loopback'],
    ['http://192.168.1.20:11434', 'private'],
    ['http://10.0.0.5/v1', 'private'],
    ['http://172.20.0.2:8000/v1', 'private'],
    ['http://gpu-box:8000/v1', 'private'],
    ['http://ollama.local:11434', 'private'],
    ['http://[fd00::1]:11434', 'private'],
    ['https://api.openai.com/v1', 'public'],
    ['http://172.32.0.1', 'public'],
    ['https://8.8.8.8', 'public'],
    ['not a url', undefined],
    ['ftp://127.0.0.1', undefined],
  ] as const)('%s is %s', (url, kind) => expect(addressKind(url)).toBe(kind));
});

describe('suggestLocality', () => {
  it('suggests Local for an Ollama on this machine, reachable at once, whatever type was picked', () => {
    expect(suggestLocality('http://127.0.0.1:11434', 'openai-compatible')).toEqual({ locality: 'local', reason: "This is Ollama's port on this machine: a Local provider, reachable at once.", reachableAsLocal: true });
    expect(suggestLocality('http://localhost:1234/v1', 'openai-compatible')).toMatchObject({ locality: 'local', reachableAsLocal: true, reason: expect.stringContaining('LM Studio') });
  });

  it('suggests Local for other loopback ports and private networks, which an administrator must still allow', () => {
    expect(suggestLocality('http://127.0.0.1:9000/v1', 'openai-compatible')).toMatchObject({ locality: 'local', reachableAsLocal: false });
    expect(suggestLocality('http://192.168.1.20:8080/v1', 'openai-compatible')).toMatchObject({ locality: 'local', reachableAsLocal: false, reason: expect.stringContaining('your own network') });
  });

  it("suggests Local for a llama.cpp-style port on a named host, and otherwise the type's usual locality", () => {
    expect(suggestLocality('http://models.example.com:8080/v1', 'openai-compatible')).toMatchObject({ locality: 'local', reason: expect.stringContaining('llama.cpp') });
    expect(suggestLocality('https://api.openai.com/v1', 'openai-compatible')).toEqual({ locality: 'hosted', reason: null, reachableAsLocal: false });
    expect(suggestLocality('https://api.anthropic.com', 'anthropic')).toMatchObject({ locality: 'hosted' });
    expect(suggestLocality('', 'ollama')).toMatchObject({ locality: 'local', reason: null });
  });
});

describe('providerChanges', () => {
  const provider = {
    id: 'p1',
    name: 'ollama',
    type: 'ollama' as const,
    baseUrl: 'http://127.0.0.1:11434',
    locality: 'local' as const,
    hasApiKey: true,
    enabled: true,
    timeouts: { connectMs: 5_000 },
    declared: false,
    modelCount: 2,
    createdAt: '',
  };
  const unchanged = { name: 'ollama', baseUrl: 'http://127.0.0.1:11434/', locality: 'local' as const, apiKey: '', removeApiKey: false, connectSeconds: '5', firstTokenSeconds: '', totalSeconds: '' };

  it('sends nothing when nothing changed, and never the key unless one was typed or removed', () => {
    expect(providerChanges(provider, unchanged)).toEqual({});
    expect(providerChanges(provider, { ...unchanged, apiKey: 'sk-new' })).toEqual({ apiKey: 'sk-new' });
    expect(providerChanges(provider, { ...unchanged, apiKey: 'sk-ignored', removeApiKey: true })).toEqual({ apiKey: null });
  });

  it('sends a new name, address, locality and timeouts (none left: null, the defaults)', () => {
    expect(providerChanges(provider, { ...unchanged, name: 'gpu', baseUrl: 'http://10.0.0.5:11434', locality: 'hosted', connectSeconds: '' })).toEqual({
      name: 'gpu',
      baseUrl: 'http://10.0.0.5:11434',
      locality: 'hosted',
      timeouts: null,
    });
    expect(providerChanges(provider, { ...unchanged, firstTokenSeconds: '60' })).toEqual({ timeouts: { connectMs: 5_000, firstTokenMs: 60_000 } });
  });
});
