/**
 * Line framing for streamed upstream bodies: server-sent events (OpenAI, Anthropic) and newline-delimited
 * JSON (Ollama). Network chunks split lines and UTF-8 characters anywhere, so bytes are decoded in streaming
 * mode and a partial line waits for the rest.
 */

/** The chunks of a web stream, cancelling it on abort (a `fetch` that ignores the signal still drops the connection). */
async function* webStreamChunks(body: ReadableStream<Uint8Array>, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  const reader = body.getReader();
  let finished = false;
  const cancel = (): void => {
    reader.cancel(signal?.reason).catch(() => undefined);
  };
  signal?.addEventListener('abort', cancel, { once: true });
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) {
        finished = true;
        return;
      }
      yield value;
    }
  } finally {
    signal?.removeEventListener('abort', cancel);
    if (!finished) await reader.cancel(signal?.reason).catch(() => undefined);
    reader.releaseLock();
  }
}

const isWebStream = (body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>): body is ReadableStream<Uint8Array> => typeof (body as ReadableStream).getReader === 'function';

/**
 * Yields the lines of a byte stream without their terminators (LF, CRLF or a lone CR, as the SSE
 * specification allows), as one array per network read: a read often holds many lines, and one yield per
 * read instead of per line is what keeps a streamed answer cheap. The last line is yielded even without a
 * terminator.
 *
 * The body is a web stream (a standard `Response`) or any async iterable of bytes (the egress client's lean
 * `request`, whose body undici ends when the call's signal aborts). When `signal` aborts the generator throws the
 * signal's reason; a web stream is cancelled. Stopping the iteration early cancels the body too.
 */
export async function* readLineBatches(body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>, signal?: AbortSignal): AsyncGenerator<string[]> {
  const decoder = new TextDecoder('utf-8');
  let buffer = '';
  signal?.throwIfAborted();
  try {
    for await (const value of isWebStream(body) ? webStreamChunks(body, signal) : body) {
      signal?.throwIfAborted();
      buffer += decoder.decode(value, { stream: true });
      const lines: string[] = [];
      let start = 0;
      for (let index = 0; index < buffer.length; index += 1) {
        const character = buffer.charCodeAt(index);
        if (character !== 10 && character !== 13) continue;
        // A CR at the very end may be the first half of a CRLF split across chunks: wait for the next chunk.
        if (character === 13 && index === buffer.length - 1) break;
        lines.push(buffer.slice(start, index));
        if (character === 13 && buffer.charCodeAt(index + 1) === 10) index += 1;
        start = index + 1;
      }
      buffer = buffer.slice(start);
      if (lines.length > 0) yield lines;
    }
  } catch (error) {
    // A body ended by the abort fails with undici's own error: the caller is owed the signal's reason.
    signal?.throwIfAborted();
    throw error;
  }
  signal?.throwIfAborted();
  buffer += decoder.decode();
  if (buffer.endsWith('\r')) buffer = buffer.slice(0, -1);
  if (buffer !== '') yield [buffer];
}

/** The lines of a byte stream one by one; see `readLineBatches`. */
export async function* readLines(body: ReadableStream<Uint8Array> | AsyncIterable<Uint8Array>, signal?: AbortSignal): AsyncGenerator<string> {
  for await (const lines of readLineBatches(body, signal)) yield* lines;
}

/** One dispatched server-sent event. `event` is absent for the default `message` type. */
export interface ServerSentEvent {
  event?: string;
  data: string;
  id?: string;
}

/**
 * Groups lines into events per the SSE specification: `data` lines joined with LF, comments (`:` lines, used
 * as keep-alives by OpenRouter) skipped, an event dispatched at a blank line. An event still pending when the
 * stream ends is dispatched too, because some OpenAI-compatible servers omit the final blank line.
 */
const createEventAssembler = () => {
  let data: string[] = [];
  let event: string | undefined;
  let id: string | undefined;
  const take = (): ServerSentEvent => {
    const dispatched: ServerSentEvent = { data: data.join('\n') };
    if (event !== undefined) dispatched.event = event;
    if (id !== undefined) dispatched.id = id;
    data = [];
    event = undefined;
    return dispatched;
  };
  return {
    /** Takes one line; returns the event it completes, if any. */
    line(line: string): ServerSentEvent | undefined {
      if (line === '') {
        if (data.length > 0) return take();
        event = undefined;
        return undefined;
      }
      if (line.startsWith(':')) return undefined;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      let value = colon === -1 ? '' : line.slice(colon + 1);
      if (value.startsWith(' ')) value = value.slice(1);
      if (field === 'data') data.push(value);
      else if (field === 'event') event = value;
      else if (field === 'id') id = value;
      return undefined;
    },
    /** The event still pending at the end of the stream, if any. */
    end: (): ServerSentEvent | undefined => (data.length > 0 ? take() : undefined),
  };
};

/**
 * Server-sent events from batches of lines (`readLineBatches`), without a generator step per line; `mapError`
 * turns a failure of reading into the caller's error (a provider call's `toError`).
 */
export async function* parseServerSentEventBatches(batches: AsyncIterable<string[]>, mapError: (error: unknown) => unknown = (error) => error): AsyncGenerator<ServerSentEvent> {
  const events = createEventAssembler();
  try {
    for await (const lines of batches) {
      for (const line of lines) {
        const event = events.line(line);
        if (event) yield event;
      }
    }
  } catch (error) {
    throw mapError(error);
  }
  const last = events.end();
  if (last) yield last;
}

/** Parses each non-blank line as JSON; a line that is not JSON throws a `SyntaxError` naming it. */
export async function* parseJsonLines(lines: AsyncIterable<string>): AsyncGenerator<unknown> {
  for await (const line of lines) {
    if (line.trim() === '') continue;
    try {
      yield JSON.parse(line);
    } catch (error) {
      throw new SyntaxError(`Not a JSON line: ${line.slice(0, 200)}`, { cause: error });
    }
  }
}
