import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort, openEventStream, setupOwner, sleep, spawnStead, waitForHealth, type SteadProcess } from '../support/stead-process.ts';

/**
 * Canary for provider API keys (issue 11, item 4): a provider is configured with a unique key, and its upstream
 * echoes whatever key it receives — in a 401 body as OpenAI does, in a 500 body, inside a stream. Every way Stead
 * can relay an upstream's words is then driven on a real `stead start` (SQLite in a temporary data directory):
 * /v1 chat (streamed and not), embeddings, provider discovery and test, a `model.prompt` task. The key must not
 * appear in any HTTP answer, any event on /api/events, the server's log, or the bytes of the database files (the
 * stored key is AES-GCM ciphertext, so it is not there in plaintext either).
 */
const canary = `sk-canary-${randomBytes(20).toString('hex')}`;
// A run of the key long enough to identify it: a truncated echo would show this much.
const canaryPart = canary.slice(10, 34);

const startEchoingUpstream = async () => {
  let requests = 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      requests += 1;
      const key = (request.headers.authorization ?? '').replace(/^Bearer /, '');
      const body = chunks.length > 0 ? (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { stream?: boolean }) : {};
      const openAi401 = JSON.stringify({ error: { message: `Incorrect API key provided: ${key}. You can find your API key at https://platform.openai.com/account/api-keys.`, type: 'invalid_request_error', param: null, code: 'invalid_api_key' } });
      if (request.url === '/v1/models') return void response.writeHead(401, { 'content-type': 'application/json' }).end(openAi401);
      if (request.url === '/v1/embeddings') return void response.writeHead(500, { 'content-type': 'text/plain' }).end(`internal error while using ${key} (${encodeURIComponent(key)}, ${key.slice(0, 24)}…)`);
      if (body.stream) {
        const chunk = { id: 'c1', object: 'chat.completion.chunk', created: 0, model: 'm1', choices: [{ index: 0, delta: { role: 'assistant', content: 'Hello' }, finish_reason: null }] };
        response.writeHead(200, { 'content-type': 'text/event-stream' });
        return void response.end(`data: ${JSON.stringify(chunk)}\n\ndata: ${JSON.stringify({ error: { message: `key ${key} was revoked mid-stream`, type: key, code: 500 } })}\n\n`);
      }
      response.writeHead(401, { 'content-type': 'application/json' }).end(openAi401);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`,
    requests: () => requests,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
};

/** Every file under the data directory, with its bytes. */
const filesUnder = (directory: string): { path: string; bytes: Buffer }[] =>
  readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [{ path, bytes: readFileSync(path) }];
  });

describe('a provider API key echoed by its upstream', () => {
  let upstream: Awaited<ReturnType<typeof startEchoingUpstream>>;
  let node: SteadProcess | undefined;
  let dataDir: string;
  beforeAll(async () => {
    upstream = await startEchoingUpstream();
    dataDir = mkdtempSync(join(tmpdir(), 'stead-canary-'));
  });
  afterAll(async () => {
    await node?.kill();
    await upstream.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('never reaches an answer, an event, the log or the database files', { timeout: 90_000 }, async () => {
    const port = await freePort();
    // Only what the test sets: no database or Redis URL of the caller's environment.
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('STEAD_')));
    node = spawnStead(['start'], { ...(inherited as Record<string, string>), STEAD_DATA_DIR: dataDir, STEAD_PORT: String(port), STEAD_HOST: '127.0.0.1', STEAD_LOG_LEVEL: 'debug', STEAD_EGRESS_ALLOWED_HOSTS: '127.0.0.1' });
    await waitForHealth(port, node);
    const session = await setupOwner(port);
    const events = await openEventStream(session);
    const answers: string[] = [];
    const http = async (method: string, path: string, init: { body?: unknown; key?: string } = {}) => {
      const response = await fetch(`${session.origin}${path}`, {
        method,
        headers: { ...(init.key ? { authorization: `Bearer ${init.key}` } : { cookie: session.cookie, origin: session.origin }), ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      });
      const text = await response.text();
      answers.push(`${method} ${path} ${response.status} ${JSON.stringify([...response.headers])} ${text}`);
      return { status: response.status, text };
    };
    const workspace = `/api/workspaces/${session.workspaceId}`;

    // Discovery (401 with the key) on adding, and the provider test.
    const added = await http('POST', `${workspace}/model-providers`, { body: { name: 'echo', type: 'openai-compatible', baseUrl: upstream.baseUrl, locality: 'hosted', apiKey: canary, models: [{ name: 'm1' }, { name: 'e1', capabilities: ['embeddings'] }] } });
    expect(added.status).toBe(201);
    expect(JSON.parse(added.text).discoveryError).toMatch(/^echo answered 401: Incorrect API key provided: \[redacted\]/);
    expect((await http('POST', `${workspace}/model-providers/echo/test`)).text).toContain('[redacted]');
    const { secret } = JSON.parse((await http('POST', `${workspace}/keys`, { body: { name: 'canary', role: 'member' } })).text) as { secret: string };

    // /v1: chat (401), a stream that fails after its first token, embeddings (500).
    const chat = await http('POST', '/v1/chat/completions', { key: secret, body: { model: 'echo/m1', messages: [{ role: 'user', content: 'hi' }] } });
    expect(chat.status).toBe(502);
    expect(chat.text).toContain('[redacted]');
    const stream = await http('POST', '/v1/chat/completions', { key: secret, body: { model: 'echo/m1', stream: true, messages: [{ role: 'user', content: 'hi' }] } });
    expect(stream.text).toContain('Hello');
    expect(stream.text).toContain('was revoked mid-stream');
    const embeddings = await http('POST', '/v1/embeddings', { key: secret, body: { model: 'echo/e1', input: 'hi' } });
    expect(embeddings.status).toBe(502);

    // A model.prompt task, readable by every member: its error, attempts, and the events it sent.
    const task = JSON.parse((await http('POST', `${workspace}/tasks`, { body: { kind: 'model.prompt', input: { model: 'echo/m1', prompt: 'hi' } } })).text) as { task: { id: string } };
    let detail = '';
    for (const deadline = Date.now() + 30_000; Date.now() < deadline; await sleep(100)) {
      detail = (await http('GET', `${workspace}/tasks/${task.task.id}`)).text;
      if (detail.includes('"state":"failed"')) break;
    }
    expect(detail).toContain('"state":"failed"');
    expect(detail).toContain('[redacted]');
    await sleep(300);
    await http('GET', `${workspace}/model-usage`);
    await http('GET', `${workspace}/model-providers`);
    await http('GET', `${workspace}/audit`);
    expect(upstream.requests()).toBeGreaterThanOrEqual(5);
    expect(events.events.length).toBeGreaterThan(0);
    events.close();

    // Killed, not stopped: whatever is still only in the WAL stays there to be read.
    await node.kill();
    const files = filesUnder(dataDir);
    expect(files.map((file) => file.path.slice(dataDir.length))).toEqual(expect.arrayContaining(['/stead.db', '/stead.db-wal']));

    const places = [
      ...answers.map((text, index) => ({ place: `answer ${index}`, text })),
      { place: 'events', text: JSON.stringify(events.events) },
      { place: 'server log', text: node.output() },
      ...files.map((file) => ({ place: file.path, text: file.bytes.toString('latin1') })),
    ];
    const leaks = places.filter(({ text }) => text.includes(canary) || text.includes(canaryPart) || text.includes(encodeURIComponent(canary))).map(({ place }) => place);
    expect(leaks, 'places holding the key').toEqual([]);
    // The log did record the failures, so it was looked at, not empty.
    expect(node.output()).toContain('echo answered 401');
  });
});
