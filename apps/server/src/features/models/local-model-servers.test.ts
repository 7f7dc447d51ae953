import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectLocalModelServers, localModelServerProbes, type LocalModelServerProbe } from './local-model-servers.ts';

/** One fake server on a random port answering like Ollama, llama.cpp, something unrelated, and a hung server. */
const startFake = async (): Promise<{ server: Server; origin: string }> => {
  const server = createServer((request, response) => {
    const json = (body: unknown) => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    if (request.url === '/ollama/api/tags') return json({ models: [{ name: 'llama3.2:3b', model: 'llama3.2:3b' }, { name: 'nomic-embed-text:latest' }] });
    if (request.url === '/llama/v1/models') return json({ object: 'list', data: [{ id: 'qwen2.5-7b-instruct-q4_k_m.gguf', object: 'model' }] });
    // A web app on a popular port: 200 with JSON, but not a model list.
    if (request.url === '/other/v1/models') return json({ hello: 'world' });
    if (request.url === '/missing/v1/models') return void response.writeHead(404).end('not found');
    if (request.url === '/hang/v1/models') return; // never answers
    response.writeHead(500).end();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
};

/** A port nothing listens on: bound once to learn a free number, then released. */
const closedPort = async (): Promise<number> => {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
};

const openAiProbe = (label: string, baseUrl: string): LocalModelServerProbe => ({ label, providerName: label.toLowerCase(), type: 'openai-compatible', baseUrl, listPath: '/models' });

describe('detectLocalModelServers', () => {
  let fake: { server: Server; origin: string };

  beforeAll(async () => {
    fake = await startFake();
  });
  afterAll(async () => {
    fake.server.closeAllConnections();
    await new Promise((resolve) => fake.server.close(resolve));
  });

  it('probes the default ports of Ollama, llama.cpp and LM Studio on loopback', () => {
    expect(localModelServerProbes.map((entry) => `${entry.label} ${entry.baseUrl}${entry.listPath}`)).toEqual([
      'Ollama http://127.0.0.1:11434/api/tags',
      'llama.cpp http://127.0.0.1:8080/v1/models',
      'LM Studio http://127.0.0.1:1234/v1/models',
    ]);
  });

  it('reports the servers that answered with a model list, with the provider to add, in probe order', async () => {
    const started = performance.now();
    const found = await detectLocalModelServers({
      // Long enough for a loaded machine to answer the live fakes; the hung ones wait it out.
      timeoutMs: 1_000,
      probes: [
        { label: 'Ollama', providerName: 'ollama', type: 'ollama', baseUrl: `${fake.origin}/ollama`, listPath: '/api/tags' },
        openAiProbe('Hung', `${fake.origin}/hang/v1`),
        openAiProbe('Hung 2', `${fake.origin}/hang/v1`),
        openAiProbe('Hung 3', `${fake.origin}/hang/v1`),
        openAiProbe('Other', `${fake.origin}/other/v1`),
        openAiProbe('Missing', `${fake.origin}/missing/v1`),
        openAiProbe('Closed', `http://127.0.0.1:${await closedPort()}/v1`),
        { label: 'llama.cpp', providerName: 'llama-cpp', type: 'openai-compatible', baseUrl: `${fake.origin}/llama/v1`, listPath: '/models' },
      ],
    });
    expect(found).toEqual([
      { label: 'Ollama', models: ['llama3.2:3b', 'nomic-embed-text:latest'], provider: { name: 'ollama', type: 'ollama', baseUrl: `${fake.origin}/ollama`, locality: 'local' } },
      { label: 'llama.cpp', models: ['qwen2.5-7b-instruct-q4_k_m.gguf'], provider: { name: 'llama-cpp', type: 'openai-compatible', baseUrl: `${fake.origin}/llama/v1`, locality: 'local' } },
    ]);
    // In parallel: three hung probes one after another would take 3 s; together they take one timeout.
    expect(performance.now() - started).toBeLessThan(2_500);
  });

  it('finds nothing, quickly and without throwing, when nothing listens', async () => {
    const probes = await Promise.all(['A', 'B', 'C'].map(async (label) => openAiProbe(label, `http://127.0.0.1:${await closedPort()}/v1`)));
    const started = performance.now();
    expect(await detectLocalModelServers({ probes })).toEqual([]);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('uses the injected fetch', async () => {
    const asked: string[] = [];
    const fakeFetch = (async (input: string | URL | Request) => {
      asked.push(String(input));
      return new Response(JSON.stringify({ models: [{ name: 'phi3' }] }), { status: 200, headers: { 'content-type': 'application/json' } });
    }) as typeof fetch;
    const found = await detectLocalModelServers({ fetch: fakeFetch, probes: localModelServerProbes.slice(0, 1) });
    expect(asked).toEqual(['http://127.0.0.1:11434/api/tags']);
    expect(found).toEqual([{ label: 'Ollama', models: ['phi3'], provider: { name: 'ollama', type: 'ollama', baseUrl: 'http://127.0.0.1:11434', locality: 'local' } }]);
  });
});
