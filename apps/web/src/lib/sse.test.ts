import { describe, expect, it } from 'vitest';
import { createSseParser, readSseEvents, type SseEvent } from './sse.ts';

function parseAll(chunks: readonly string[]): SseEvent[] {
  const events: SseEvent[] = [];
  const parser = createSseParser((event) => events.push(event));
  for (const chunk of chunks) parser.push(chunk);
  parser.end();
  return events;
}

/** A fetch-like body that delivers `chunks` (strings or raw bytes) one read at a time. */
function bodyOf(chunks: readonly (string | Uint8Array)[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(typeof chunk === 'string' ? encoder.encode(chunk) : chunk);
      controller.close();
    },
  });
}

const openAiStream = [
  'data: {"choices":[{"delta":{"role":"assistant","content":""}}]}\n\n',
  'data: {"choices":[{"delta":{"content":"Hel"}}]}\n\n',
  'data: {"choices":[{"delta":{"content":"lo"}}]}\n\n',
  'data: [DONE]\n\n',
].join('');

describe('createSseParser', () => {
  it('dispatches one event per blank line', () => {
    const events = parseAll([openAiStream]);
    expect(events.map((event) => event.data)).toEqual([
      '{"choices":[{"delta":{"role":"assistant","content":""}}]}',
      '{"choices":[{"delta":{"content":"Hel"}}]}',
      '{"choices":[{"delta":{"content":"lo"}}]}',
      '[DONE]',
    ]);
    expect(events.every((event) => event.event === 'message')).toBe(true);
  });

  it('gives the same events whatever the chunk boundaries, mid-line and mid-field included', () => {
    const whole = parseAll([openAiStream]);
    for (const size of [1, 2, 3, 5, 7, 16, 33]) {
      const chunks: string[] = [];
      for (let index = 0; index < openAiStream.length; index += size) chunks.push(openAiStream.slice(index, index + size));
      expect(parseAll(chunks)).toEqual(whole);
    }
    // A split right after "data" and in the middle of the JSON.
    expect(parseAll(['da', 'ta: {"a"', ':1}\n', '\n'])).toEqual([{ event: 'message', data: '{"a":1}', id: null }]);
  });

  it('treats CRLF split across chunks as one line break, and lone CR as a line break', () => {
    expect(parseAll(['data: one\r', '\n\r', '\ndata: two\r\r'])).toEqual([
      { event: 'message', data: 'one', id: null },
      { event: 'message', data: 'two', id: null },
    ]);
  });

  it('joins multi-line data, reads event names and ids, skips comments', () => {
    expect(parseAll([': keep-alive\n\nevent: update\nid: 7\ndata: a\ndata:b\n\n'])).toEqual([{ event: 'update', data: 'a\nb', id: '7' }]);
  });

  it('drops an event whose closing blank line never came', () => {
    expect(parseAll(['data: complete\n\ndata: cut off'])).toEqual([{ event: 'message', data: 'complete', id: null }]);
  });

  it('reads the final error event the gateway sends when the upstream fails mid-stream', () => {
    const events = parseAll(['data: {"choices":[{"delta":{"content":"Par"}}]}\n\ndata: {"error":{"message":"The upstream failed', ' after the stream started: reset","type":"server_error","code":"provider_error"}}\n\n']);
    expect(events).toHaveLength(2);
    expect(JSON.parse(events[1]!.data)).toEqual({ error: { message: 'The upstream failed after the stream started: reset', type: 'server_error', code: 'provider_error' } });
  });
});

describe('readSseEvents', () => {
  it('decodes UTF-8 characters split between network chunks', async () => {
    const bytes = new TextEncoder().encode('data: {"content":"Grüße 👋"}\n\n');
    const split = bytes.indexOf(0xf0) + 2; // inside the four bytes of the emoji
    const events: SseEvent[] = [];
    for await (const event of readSseEvents(bodyOf([bytes.slice(0, 10), bytes.slice(10, split), bytes.slice(split)]))) events.push(event);
    expect(events.map((event) => JSON.parse(event.data) as unknown)).toEqual([{ content: 'Grüße 👋' }]);
  });

  it('yields events as their chunks arrive', async () => {
    const data: string[] = [];
    for await (const event of readSseEvents(bodyOf(['data: 1\n', '\ndata: 2\n\n']))) data.push(event.data);
    expect(data).toEqual(['1', '2']);
  });
});
