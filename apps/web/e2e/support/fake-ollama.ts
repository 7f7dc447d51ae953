import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { listenOnFixedPort } from '../../../server/test/support/fixed-port.ts';
import { repositoryRoot } from './stead-browser.ts';

/*
 * A fake Ollama on its real default port (127.0.0.1:11434), answering from the recorded-format fixtures of the
 * model-provider tests, for journeys that add a local model server as a newcomer would: the server runs without
 * any allowed host, and detection only probes the default ports. Another file may hold the port for a while;
 * `listenOnFixedPort` waits for it.
 */
const fixtures = join(repositoryRoot, 'apps/server/src/platform/model-provider/__fixtures__');
const fixtureBody = (name: string) => JSON.stringify((JSON.parse(readFileSync(join(fixtures, name), 'utf8')) as { body: unknown }).body);
const streamText = readFileSync(join(fixtures, 'ollama-chat-stream-text.ndjson'), 'utf8');
/** The text the fake streams as its chat answer. */
export const expectedReply = streamText
  .split('\n')
  .filter(Boolean)
  .map((line) => (JSON.parse(line) as { message?: { content?: string } }).message?.content ?? '')
  .join('');

export interface FakeOllama {
  server: Server;
  /** The bodies of the chat requests it received. */
  chats: Record<string, unknown>[];
}

/** Ollama's native API and its OpenAI-compatible /v1/models, as far as the journeys need them; records chat bodies. */
export async function startFakeOllama(what: string): Promise<FakeOllama | undefined> {
  const chats: Record<string, unknown>[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = chunks.length > 0 ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>) : {};
      const json = (text: string) => response.writeHead(200, { 'content-type': 'application/json' }).end(text);
      if (request.url === '/api/tags') return json(fixtureBody('ollama-tags.json'));
      if (request.url === '/api/show') return json(fixtureBody(String(body.model).startsWith('nomic') ? 'ollama-show-nomic-embed.json' : 'ollama-show-llama.json'));
      if (request.url === '/v1/models') return json(JSON.stringify({ object: 'list', data: ['llama3.2:latest', 'nomic-embed-text:latest'].map((id) => ({ id, object: 'model', created: 0, owned_by: 'library' })) }));
      if (request.url === '/api/chat') {
        chats.push(body);
        // Ollama streams unless asked not to (`stream: false`, as the gateway's non-streaming calls do).
        if (body.stream === false) return json(fixtureBody('ollama-chat.json'));
        return void response.writeHead(200, { 'content-type': 'application/x-ndjson' }).end(streamText);
      }
      response.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
    });
  });
  return (await listenOnFixedPort(server, 11434, `${what} (fake Ollama)`)) ? { server, chats } : undefined;
}

/** Stops the fake, dropping kept-alive connections so the port is free for the next file at once. */
export const stopFakeOllama = async (ollama: FakeOllama | undefined): Promise<void> => {
  if (!ollama) return;
  ollama.server.closeAllConnections();
  await new Promise((resolve) => ollama.server.close(resolve));
};
