import { describe, expect, it } from 'vitest';
import { createAnthropicProvider } from './anthropic.adapter.ts';
import type { ProviderFetch } from './model-provider.port.ts';
import { createOllamaProvider } from './ollama.adapter.ts';
import { createOpenAiCompatibleProvider } from './openai-compatible.adapter.ts';
import type { ProviderError } from './provider-error.ts';
import { createRedactor, redactedMarker, secretsOfHeaders } from './secret-redaction.ts';

const key = 'sk-proj-CANARY0123456789abcdefghijKLMNOP';

describe('createRedactor', () => {
  const redact = createRedactor([key]);

  it('removes the key whole, JSON-escaped, URL-encoded and truncated, and keeps masked echoes', () => {
    expect(redact(`Incorrect API key provided: ${key}.`)).toBe(`Incorrect API key provided: ${redactedMarker}.`);
    expect(redact(`key=${encodeURIComponent(`${key}/+`)}`)).not.toContain('CANARY0123');
    expect(redact(`Incorrect API key provided: ${key.slice(0, 20)}…`)).toBe(`Incorrect API key provided: ${redactedMarker}…`);
    expect(redact(`tail ${key.slice(-14)} end`)).toBe(`tail ${redactedMarker} end`);
    // OpenAI's own masked echo is already safe.
    expect(redact('Incorrect API key provided: sk-proj-***********************MNOP.')).toBe('Incorrect API key provided: sk-proj-***********************MNOP.');
    expect(redact('nothing to see')).toBe('nothing to see');
    const quoted = createRedactor(['a"b\\c-secret-value']);
    expect(quoted(JSON.stringify({ message: 'a"b\\c-secret-value' }))).toBe(`{"message":"${redactedMarker}"}`);
  });

  it('collects the credential headers of a call, not its other headers', () => {
    expect(secretsOfHeaders({ authorization: `Bearer ${key}` })).toEqual([`Bearer ${key}`, key]);
    expect(secretsOfHeaders({ 'anthropic-version': '2023-06-01', 'x-api-key': key })).toEqual([key]);
    expect(secretsOfHeaders({}, { 'HTTP-Referer': 'https://stead.example', 'OpenAI-Organization': 'org-1', 'X-Custom-Token': 'tok-123456' })).toEqual(['tok-123456']);
    const basic = secretsOfHeaders({ authorization: `Basic ${Buffer.from('user:pass-word-1').toString('base64')}` });
    expect(basic).toContain('pass-word-1');
  });
});

/** An upstream that puts the credential it received into every answer, as OpenAI's 401 does with the key. */
const echoing = (status: number): ProviderFetch => async (_url, init) => {
  const sent = init.headers.authorization?.replace(/^Bearer /, '') ?? init.headers['x-api-key'] ?? '';
  return new Response(JSON.stringify({ error: { message: `Incorrect API key provided: ${sent}. You can find your API key at https://platform.openai.com/account/api-keys.`, type: 'invalid_request_error', param: null, code: sent } }), { status, headers: { 'content-type': 'application/json' } });
};

const streamingError: ProviderFetch = async (_url, init) => {
  const sent = init.headers.authorization?.replace(/^Bearer /, '') ?? '';
  const chunk = { id: 'c', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta: { role: 'assistant', content: 'Hi' }, finish_reason: null }] };
  const body = `data: ${JSON.stringify(chunk)}\n\ndata: ${JSON.stringify({ error: { message: `key ${sent} was revoked`, code: 401 } })}\n\n`;
  return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
};

const caught = async (work: () => Promise<unknown>): Promise<ProviderError> => (await work().then(() => undefined, (error: unknown) => error)) as ProviderError;

const expectClean = (error: ProviderError) => {
  expect(error).toBeInstanceOf(Error);
  const everything = JSON.stringify({ message: error.message, rawBody: error.rawBody, details: error.details, stack: error.stack, upstreamType: error.upstreamType, cause: String(error.cause) });
  expect(everything).not.toContain('CANARY');
  expect(error.message).toContain(redactedMarker);
};

describe('provider errors never carry the key the upstream echoed', () => {
  const request = { model: 'm', messages: [{ role: 'user' as const, content: 'x' }] };

  it('in every OpenAI-compatible call, status errors and errors inside a stream', async () => {
    for (const status of [401, 500]) {
      const provider = createOpenAiCompatibleProvider({ apiKey: key, fetch: echoing(status), timeouts: { totalMs: 2_000 } });
      expectClean(await caught(() => provider.chat(request)));
      expectClean(await caught(() => provider.embed({ model: 'm', input: 'x' })));
      expectClean(await caught(() => provider.listModels()));
      expectClean(await caught(async () => {
        for await (const _chunk of provider.streamChat(request)) void _chunk;
      }));
    }
    const streaming = createOpenAiCompatibleProvider({ apiKey: key, fetch: streamingError });
    expectClean(await caught(async () => {
      for await (const _chunk of streaming.streamChat(request)) void _chunk;
    }));
  });

  it('for Anthropic (x-api-key) and Ollama (bearer) too', async () => {
    expectClean(await caught(() => createAnthropicProvider({ apiKey: key, fetch: echoing(401) }).chat(request)));
    expectClean(await caught(() => createOllamaProvider({ apiKey: key, fetch: echoing(401) }).chat(request)));
  });
});
