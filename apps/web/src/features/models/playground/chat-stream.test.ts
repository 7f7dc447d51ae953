import { describe, expect, it, vi } from 'vitest';
import { ChatStreamError, parseChatEvent, streamChat } from './chat-stream.ts';

const chunk = (content: string, extra: Record<string, unknown> = {}) => `data: ${JSON.stringify({ id: 'c1', object: 'chat.completion.chunk', choices: [{ index: 0, delta: { content }, finish_reason: null }], ...extra })}\n\n`;

/** A streamed answer whose body arrives in the given pieces. */
function sseResponse(pieces: readonly string[], headers: Record<string, string> = {}): Response {
  const encoder = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const piece of pieces) controller.enqueue(encoder.encode(piece));
      controller.close();
    },
  });
  return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream', ...headers } });
}

/** A clock that moves 10 ms per reading. */
function steppingClock() {
  let time = 1_000;
  return () => (time += 10);
}

describe('parseChatEvent', () => {
  it('reads text deltas, the finish reason and usage', () => {
    expect(parseChatEvent('{"choices":[{"delta":{"content":"Hi"},"finish_reason":null}]}')).toEqual({ type: 'delta', text: 'Hi', finishReason: null, usage: null });
    expect(parseChatEvent('{"choices":[],"usage":{"prompt_tokens":5,"completion_tokens":2}}')).toEqual({ type: 'delta', text: '', finishReason: null, usage: { promptTokens: 5, completionTokens: 2 } });
    expect(parseChatEvent('{"choices":[{"delta":{},"finish_reason":"stop"}]}')).toMatchObject({ finishReason: 'stop' });
  });

  it('recognises [DONE], error objects and garbage', () => {
    expect(parseChatEvent('[DONE]')).toEqual({ type: 'done' });
    expect(parseChatEvent('{"error":{"message":"boom","type":"server_error","code":"provider_error"}}')).toEqual({ type: 'error', code: 'provider_error', message: 'boom' });
    expect(parseChatEvent('{"error":{"message":"boom","type":"server_error"}}')).toEqual({ type: 'error', code: 'server_error', message: 'boom' });
    expect(parseChatEvent('not json')).toBeNull();
  });
});

describe('streamChat', () => {
  it('posts an OpenAI streaming request with the routing headers and streams the text', async () => {
    const requests: Request[] = [];
    const fetchMock = vi.fn<typeof fetch>(async (input, init) => {
      requests.push(new Request(new URL(String(input), 'http://stead.test'), init));
      return sseResponse([chunk('Hel'), chunk('lo'), 'data: {"choices":[],"usage":{"prompt_tokens":3,"completion_tokens":2}}\n\n', 'data: [DONE]\n\n'], { 'x-stead-target': 'local/llama' });
    });
    const pieces: string[] = [];
    const targets: (string | null)[] = [];
    const result = await streamChat({
      workspaceId: 'ws1',
      model: 'fast',
      messages: [{ role: 'user', content: 'Hi' }],
      dataClass: 'private',
      latencyTier: 'fast',
      fetch: fetchMock,
      now: steppingClock(),
      onText: (text) => pieces.push(text),
      onTarget: (target) => targets.push(target),
    });
    expect(pieces).toEqual(['Hel', 'lo']);
    expect(targets).toEqual(['local/llama']);
    expect(result).toMatchObject({ text: 'Hello', target: 'local/llama', usage: { promptTokens: 3, completionTokens: 2 } });
    expect(result.firstTokenMs).toBe(10);
    expect(result.totalMs).toBeGreaterThan(result.firstTokenMs!);

    const request = requests[0]!;
    expect(request.method).toBe('POST');
    expect(new URL(request.url).pathname).toBe('/v1/chat/completions');
    expect(new URL(request.url).searchParams.get('workspaceId')).toBe('ws1');
    expect(request.headers.get('x-stead-data-class')).toBe('private');
    expect(request.headers.get('x-stead-latency')).toBe('fast');
    expect(await request.json()).toMatchObject({ model: 'fast', stream: true, messages: [{ role: 'user', content: 'Hi' }] });
  });

  it('turns a refusal before the stream into its code and message', async () => {
    const body = { error: { code: 'route_no_private_target', message: 'No local model can serve this private request; add one (Ollama, llama.cpp).', requestId: 'r1', type: 'invalid_request_error', param: null } };
    const fetchMock = vi.fn<typeof fetch>(async () => new Response(JSON.stringify(body), { status: 422, headers: { 'content-type': 'application/json' } }));
    const failure = streamChat({ workspaceId: 'ws1', model: 'auto', messages: [{ role: 'user', content: 'secret' }], dataClass: 'private', fetch: fetchMock });
    await expect(failure).rejects.toBeInstanceOf(ChatStreamError);
    await expect(failure).rejects.toMatchObject({ code: 'route_no_private_target', status: 422, midStream: false, message: body.error.message });
  });

  it('ends with the error event the gateway sends after tokens, keeping what arrived', async () => {
    const pieces: string[] = [];
    const fetchMock = vi.fn<typeof fetch>(async () =>
      sseResponse([chunk('Par'), 'data: {"error":{"message":"The upstream failed after the stream started: socket hang up","type":"server_error","code":"provider_error"}}\n\n']),
    );
    const failure = streamChat({ workspaceId: 'ws1', model: 'auto', messages: [{ role: 'user', content: 'Hi' }], fetch: fetchMock, onText: (text) => pieces.push(text) });
    await expect(failure).rejects.toMatchObject({ code: 'provider_error', midStream: true, message: 'The upstream failed after the stream started: socket hang up' });
    expect(pieces).toEqual(['Par']);
  });

  it('reports a stream that stops without [DONE]', async () => {
    const fetchMock = vi.fn<typeof fetch>(async () => sseResponse([chunk('Hi')]));
    await expect(streamChat({ workspaceId: 'ws1', model: 'auto', messages: [{ role: 'user', content: 'Hi' }], fetch: fetchMock })).rejects.toMatchObject({ code: 'stream_incomplete', midStream: true });
  });

  it('reports an unreachable server as network_error', async () => {
    const fetchMock = vi.fn<typeof fetch>(async () => {
      throw new TypeError('fetch failed');
    });
    await expect(streamChat({ workspaceId: 'ws1', model: 'auto', messages: [{ role: 'user', content: 'Hi' }], fetch: fetchMock })).rejects.toMatchObject({ code: 'network_error' });
  });
});
