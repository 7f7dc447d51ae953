/**
 * A server-sent events parser for bodies read with fetch (EventSource cannot POST or send headers). It follows
 * the WHATWG event-stream rules: lines end in CR, LF or CRLF, `data` lines of one event are joined with a line
 * feed, a blank line dispatches the event, lines starting with `:` are comments. Network chunks may end anywhere,
 * in the middle of a line, of a CRLF pair or of a multi-byte character; the parser keeps what it has not finished.
 */

/** One dispatched event. `event` is `message` unless the stream named it. */
export interface SseEvent {
  event: string;
  data: string;
  id: string | null;
}

/** Feeds text in as it arrives; events come out through `onEvent` as soon as their blank line has been read. */
export interface SseParser {
  push(text: string): void;
  /** The stream has ended: an event without its closing blank line is dropped, as the standard says. */
  end(): void;
}

export function createSseParser(onEvent: (event: SseEvent) => void): SseParser {
  let buffer = '';
  // A chunk that ended in CR: if the next one starts with LF, that LF belongs to the same line break.
  let pendingCarriageReturn = false;
  let data: string[] = [];
  let eventName = '';
  let lastId: string | null = null;

  const dispatch = () => {
    if (data.length > 0) onEvent({ event: eventName || 'message', data: data.join('\n'), id: lastId });
    data = [];
    eventName = '';
  };

  const line = (text: string) => {
    if (text === '') return dispatch();
    if (text.startsWith(':')) return;
    const colon = text.indexOf(':');
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'data') data.push(value);
    else if (field === 'event') eventName = value;
    else if (field === 'id' && !value.includes('\0')) lastId = value;
    // `retry` and unknown fields mean nothing to a one-shot fetch.
  };

  return {
    push(text) {
      if (text === '') return;
      if (pendingCarriageReturn && text.startsWith('\n')) text = text.slice(1);
      pendingCarriageReturn = false;
      buffer += text;
      let start = 0;
      for (let index = 0; index < buffer.length; index++) {
        const character = buffer[index];
        if (character !== '\n' && character !== '\r') continue;
        line(buffer.slice(start, index));
        if (character === '\r') {
          if (index + 1 === buffer.length) pendingCarriageReturn = true;
          else if (buffer[index + 1] === '\n') index++;
        }
        start = index + 1;
      }
      buffer = buffer.slice(start);
    },
    end() {
      buffer = '';
      data = [];
      eventName = '';
    },
  };
}

/** Reads a fetch body as server-sent events, decoding UTF-8 across chunk boundaries. */
export async function* readSseEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<SseEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const ready: SseEvent[] = [];
  const parser = createSseParser((event) => ready.push(event));
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        parser.push(decoder.decode());
        parser.end();
        yield* ready.splice(0);
        return;
      }
      parser.push(decoder.decode(value, { stream: true }));
      yield* ready.splice(0);
    }
  } finally {
    // Stopping early (a thrown error, the consumer breaking out) must not leave the connection open.
    reader.releaseLock();
    await body.cancel().catch(() => undefined);
  }
}
