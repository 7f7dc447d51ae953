import { describe, expect, it } from 'vitest';
import { parseJsonLines, parseServerSentEventBatches, readLineBatches, readLines } from './stream-lines.ts';

const streamOf = (...pieces: (string | Uint8Array)[]): ReadableStream<Uint8Array> => {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const piece of pieces) controller.enqueue(typeof piece === 'string' ? encoder.encode(piece) : piece);
      controller.close();
    },
  });
};

const collect = async <T>(iterable: AsyncIterable<T>): Promise<T[]> => {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
};

describe('readLines', () => {
  it('splits on LF, CRLF and lone CR, including a CRLF cut between chunks', async () => {
    expect(await collect(readLines(streamOf('a\nb\r', '\nc\rd\r\n', 'e')))).toEqual(['a', 'b', 'c', 'd', 'e']);
  });

  it('reassembles a UTF-8 character cut across chunks', async () => {
    const bytes = new TextEncoder().encode('☀🥐\n');
    const pieces = [...bytes].map((byte) => Uint8Array.of(byte));
    expect(await collect(readLines(streamOf(...pieces)))).toEqual(['☀🥐']);
  });

  it('throws the abort reason and cancels the body', async () => {
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('first\n'));
      },
      cancel() {
        cancelled = true;
      },
    });
    const controller = new AbortController();
    const reason = new Error('stop');
    const lines = readLines(body, controller.signal);
    expect((await lines.next()).value).toBe('first');
    const pending = lines.next();
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    expect(cancelled).toBe(true);
  });
});

describe('parseServerSentEventBatches', () => {
  it('joins data lines, reads event names, skips comments and dispatches at blank lines', async () => {
    const batches = readLineBatches(streamOf(': keep-alive\n\nevent: ping\ndata: {"a":\ndata:1}\n\ndata: [DONE]'));
    expect(await collect(parseServerSentEventBatches(batches))).toEqual([{ event: 'ping', data: '{"a":\n1}' }, { data: '[DONE]' }]);
  });

  it('gives the same events from batches of lines, one batch per network read, whatever the cuts', async () => {
    const text = ': keep-alive\r\n\r\nevent: ping\ndata: {"a":\ndata:1}\n\ndata: x\r\n\r\ndata: [DONE]';
    const expected = [{ event: 'ping', data: '{"a":\n1}' }, { data: 'x' }, { data: '[DONE]' }];
    for (const cut of [1, 7, 18, 30, text.length]) {
      const pieces = text.match(new RegExp(`[\\s\\S]{1,${cut}}`, 'g'))!;
      const batches = await collect(readLineBatches(streamOf(...pieces)));
      expect(batches.length).toBeLessThanOrEqual(pieces.length + 1);
      expect(await collect(parseServerSentEventBatches(readLineBatches(streamOf(...pieces))))).toEqual(expected);
    }
  });
});

describe('parseJsonLines', () => {
  it('parses each line and names a bad one', async () => {
    await expect(collect(parseJsonLines(readLines(streamOf('{"a":1}\n\n{"b":2}\n'))))).resolves.toEqual([{ a: 1 }, { b: 2 }]);
    await expect(collect(parseJsonLines(readLines(streamOf('{"a":1}\nnot json\n'))))).rejects.toThrow('Not a JSON line: not json');
  });
});
