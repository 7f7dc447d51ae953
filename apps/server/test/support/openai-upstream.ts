import { readFileSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

const fixture = (name: string): string => readFileSync(new URL(`../../src/platform/model-provider/__fixtures__/${name}`, import.meta.url), 'utf8');
/** JSON fixtures hold `{ status, headers, body }` as recorded; the upstream answers with the body. */
const fixtureBody = (name: string): string => JSON.stringify((JSON.parse(fixture(name)) as { body: unknown }).body);

/** What the upstream does with the next chat request. */
export type UpstreamMode = 'ok' | '503' | '429' | '400' | 'hang' | 'reset' | 'slow-first-token' | 'cut-mid-stream';

/**
 * A local OpenAI-compatible server (a stand-in for vLLM, llama.cpp or a hosted vendor, which cannot run here)
 * that answers with the recorded protocol fixtures of `platform/model-provider/__fixtures__`, and injects faults
 * on request. It records every request it received, so tests can prove that nothing reached it.
 */
export const startOpenAiUpstream = async (name: string, models = ['test-chat', 'test-embed']) => {
  const received: { path: string; body: Record<string, unknown> }[] = [];
  let mode: UpstreamMode = 'ok';
  const chat = JSON.parse(fixtureBody('openai-chat.json')) as Record<string, unknown>;
  const toolsChat = JSON.parse(fixtureBody('openai-chat-tools.json')) as Record<string, unknown>;
  const server = createServer((request, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
      received.push({ path: request.url ?? '', body });
      if (request.url === '/v1/models') {
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data: models.map((id) => ({ id, object: 'model', created: 0, owned_by: name })) }));
        return;
      }
      if (request.url === '/v1/embeddings') {
        response.writeHead(200, { 'content-type': 'application/json' }).end(fixtureBody('openai-embeddings.json'));
        return;
      }
      if (mode === 'hang') return;
      if (mode === 'reset') return void request.socket.destroy();
      if (mode === '503') return void response.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { message: 'overloaded', type: 'server_error' } }));
      if (mode === '429') return void response.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' }).end(fixtureBody('openai-error-429.json'));
      if (mode === '400') return void response.writeHead(400, { 'content-type': 'application/json' }).end(fixtureBody('openai-error-400.json'));
      // With tools the model calls them; once their results are in (a last `tool` message) it answers in text.
      const messages = Array.isArray(body.messages) ? (body.messages as { role?: string }[]) : [];
      const withTools = Array.isArray(body.tools) && body.tools.length > 0 && messages.at(-1)?.role !== 'tool';
      if (body.stream) {
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        const events = fixture(withTools ? 'openai-chat-stream-tools.sse' : 'openai-chat-stream-text.sse');
        if (mode === 'slow-first-token') {
          // Headers at once, the first token only after 1.5 s.
          response.flushHeaders();
          setTimeout(() => response.end(events), 1_500);
          return;
        }
        if (mode === 'cut-mid-stream') {
          // The first half of the events, then the connection dies.
          response.write(events.slice(0, Math.floor(events.length / 2)).replace(/\n[^\n]*$/, '\n\n'));
          setTimeout(() => response.destroy(), 20);
          return;
        }
        response.end(events);
        return;
      }
      if (withTools) return void response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(toolsChat));
      const format = body.response_format as { type?: string } | undefined;
      if (format?.type === 'json_schema') {
        // The text fixture's answer with the content a model asked for this schema would write.
        const choice = (chat.choices as { message: object }[])[0]!;
        return void response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ...chat, choices: [{ ...choice, message: { ...choice.message, content: jsonSchemaAnswer } }] }));
      }
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ...chat, model: body.model }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}/v1`,
    received,
    chatRequests: () => received.filter((entry) => entry.path === '/v1/chat/completions'),
    setMode(next: UpstreamMode) {
      mode = next;
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
};

/** What the upstream answers to a request with `response_format: { type: 'json_schema' }`. */
export const jsonSchemaAnswer = '{"city":"Paris","temperatureCelsius":12}';

/** The embedding vectors of `openai-embeddings.json`, in order. */
export const fixtureEmbeddings = (): number[][] => (JSON.parse(fixtureBody('openai-embeddings.json')) as { data: { embedding: number[] }[] }).data.map((entry) => entry.embedding);

/** The assistant text the `openai-chat-stream-text.sse` fixture assembles to, and `openai-chat.json` holds. */
export const fixtureChatText = (): string => (JSON.parse(fixtureBody('openai-chat.json')) as { choices: { message: { content: string } }[] }).choices[0]!.message.content;

/** The data of each event of the `openai-chat-stream-text.sse` fixture, as the upstream sends it (`[DONE]` last). */
export const fixtureStreamEvents = (): string[] =>
  fixture('openai-chat-stream-text.sse')
    .split('\n\n')
    .filter((event) => event.trim() !== '')
    .map((event) => event.replace(/^data: /, ''));
