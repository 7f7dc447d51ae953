import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { fixtureChatText, fixtureEmbeddings, jsonSchemaAnswer, startOpenAiUpstream } from '../../../test/support/openai-upstream.ts';
import { createKey, describeEachServer, setUpOwner } from '../../../test/support/test-server.ts';

// A built dashboard, so the web app's fallback (index.html for unknown paths) is active as in production.
const webDir = mkdtempSync(join(tmpdir(), 'stead-compat-web-'));
writeFileSync(join(webDir, 'index.html'), '<!doctype html><title>Stead</title>');

const weatherTool = {
  type: 'function' as const,
  function: { name: 'get_weather', description: 'Current weather of a city', parameters: { type: 'object', properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] } }, required: ['city'] } },
};

/**
 * Every `/v1` operation through the official `openai` client (v6) with its defaults — nothing configured but the
 * key, the base URL and no retries — against a real server on each database. The upstream behind the gateway is a
 * local server replaying OpenAI protocol responses (`platform/model-provider/__fixtures__`: reconstructed
 * byte-faithfully from OpenAI's published protocol, since the vendors cannot be reached from here; see the README
 * there): the point is what the gateway does to them on the way to the client.
 */
describeEachServer('OpenAI compatibility through the official client', (use) => {
  let upstream: Awaited<ReturnType<typeof startOpenAiUpstream>>;
  let client: OpenAI;
  let baseURL: string;

  beforeAll(async () => {
    upstream = await startOpenAiUpstream('fake', ['m1', 'e1']);
    const server = use();
    const owner = await setUpOwner(server);
    const added = await server.call({
      method: 'POST',
      url: `/api/workspaces/${owner.workspace.id}/model-providers`,
      cookie: owner.cookie,
      payload: { name: 'fake', type: 'openai-compatible', baseUrl: upstream.baseUrl, locality: 'local', discover: false, models: [{ name: 'm1', capabilities: ['chat', 'tools', 'json'] }, { name: 'e1', capabilities: ['embeddings'] }] },
    });
    expect(added.statusCode).toBe(201);
    await server.app.listen({ host: '127.0.0.1', port: 0 });
    baseURL = `http://127.0.0.1:${(server.app.server.address() as { port: number }).port}/v1`;
    client = new OpenAI({ apiKey: (await createKey(server, owner.cookie, owner.workspace.id, 'member')).secret, baseURL, maxRetries: 0 });
  });
  afterAll(async () => {
    await upstream.close();
  });

  it('lists models and retrieves one by its provider/model id', async () => {
    const list = await client.models.list();
    expect(list.data.map((model) => model.id).sort()).toEqual(['fake/e1', 'fake/m1']);
    const model = await client.models.retrieve('fake/m1');
    expect(model).toEqual({ id: 'fake/m1', object: 'model', created: expect.any(Number), owned_by: 'fake' });
    const missing = await client.models.retrieve('fake/none').catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(OpenAI.NotFoundError);
    expect((missing as InstanceType<typeof OpenAI.NotFoundError>).error).toMatchObject({ message: expect.stringContaining('fake/none'), type: 'invalid_request_error', param: null, code: 'model_not_found' });
  });

  it('answers chat completions with the model id a client can send back, and the target in x-stead-target', async () => {
    const { data, response } = await client.chat.completions.create({ model: 'fake/m1', messages: [{ role: 'user', content: 'Weather in Paris?' }] }).withResponse();
    expect(data.choices[0]!.message.content).toBe(fixtureChatText());
    expect(data.model).toBe('fake/m1');
    expect(response.headers.get('x-stead-target')).toBe('fake/m1');
    // The id it answered with works as the next request's model.
    const again = await client.chat.completions.create({ model: data.model, messages: [{ role: 'user', content: 'And in Lyon?' }] });
    expect(again.model).toBe('fake/m1');
  });

  it('streams with stream_options.include_usage: every chunk names the model, the last one carries the usage', async () => {
    const { data: stream, response } = await client.chat.completions.create({ model: 'fake/m1', messages: [{ role: 'user', content: 'Weather in Paris?' }], stream: true, stream_options: { include_usage: true } }).withResponse();
    expect(response.headers.get('x-stead-target')).toBe('fake/m1');
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe(fixtureChatText());
    expect(chunks.every((chunk) => chunk.model === 'fake/m1')).toBe(true);
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 31, completion_tokens: 24, total_tokens: 55 } });
  });

  it('serves the .chat.completions.stream() helper up to finalChatCompletion()', async () => {
    const runner = client.chat.completions.stream({ model: 'fake/m1', messages: [{ role: 'user', content: 'Weather in Paris?' }] });
    let deltas = '';
    runner.on('content', (delta) => (deltas += delta));
    const final = await runner.finalChatCompletion();
    expect(final.choices[0]!.message).toMatchObject({ role: 'assistant', content: fixtureChatText() });
    expect(final.model).toBe('fake/m1');
    expect(deltas).toBe(fixtureChatText());
  });

  it('round-trips tool calls, streaming and not', async () => {
    const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather in Paris and Saint-Étienne?' }];
    const called = await client.chat.completions.create({ model: 'fake/m1', messages, tools: [weatherTool] });
    const calls = called.choices[0]!.message.tool_calls!;
    expect(called.choices[0]!.finish_reason).toBe('tool_calls');
    expect(calls.map((call) => (call.type === 'function' ? JSON.parse(call.function.arguments) : null))).toEqual([{ city: 'Paris', unit: 'celsius' }, { city: 'Saint-Étienne', unit: 'celsius' }]);

    const streamed = await client.chat.completions.stream({ model: 'fake/m1', messages, tools: [weatherTool] }).finalChatCompletion();
    expect(streamed.choices[0]!.message.tool_calls!.map((call) => (call.type === 'function' ? call.function.name : null))).toEqual(['get_weather', 'get_weather']);

    const answered = await client.chat.completions.create({
      model: 'fake/m1',
      tools: [weatherTool],
      messages: [...messages, called.choices[0]!.message, ...calls.map((call) => ({ role: 'tool' as const, tool_call_id: call.id, content: '{"temperatureCelsius":12}' }))],
    });
    expect(answered.choices[0]!.message.content).toBe(fixtureChatText());
    const sent = upstream.chatRequests().at(-1)!.body as { messages: { role: string; tool_call_id?: string; tool_calls?: unknown[] }[] };
    expect(sent.messages.map((message) => message.role)).toEqual(['user', 'assistant', 'tool', 'tool']);
    expect(sent.messages[1]!.tool_calls).toHaveLength(2);
    expect(sent.messages.slice(2).map((message) => message.tool_call_id)).toEqual(calls.map((call) => call.id));
  });

  it('passes response_format json_schema to the upstream and its JSON back', async () => {
    const response_format = { type: 'json_schema' as const, json_schema: { name: 'weather', strict: true, schema: { type: 'object', properties: { city: { type: 'string' }, temperatureCelsius: { type: 'number' } }, required: ['city', 'temperatureCelsius'], additionalProperties: false } } };
    const completion = await client.chat.completions.create({ model: 'fake/m1', messages: [{ role: 'user', content: 'Weather in Paris as JSON' }], response_format });
    expect(JSON.parse(completion.choices[0]!.message.content!)).toEqual(JSON.parse(jsonSchemaAnswer));
    expect(upstream.chatRequests().at(-1)!.body.response_format).toEqual(response_format);
  });

  it('answers embeddings as floats and, with the client default (base64), as the same vectors', async () => {
    const input = ['first', 'second'];
    const floats = await client.embeddings.create({ model: 'fake/e1', input, encoding_format: 'float' });
    expect(floats.data.map((entry) => entry.embedding)).toEqual(fixtureEmbeddings());
    expect(floats.model).toBe('fake/e1');
    // No encoding_format: the client asks for base64 and decodes little-endian float32 itself.
    const defaults = await client.embeddings.create({ model: 'fake/e1', input });
    expect(defaults.model).toBe('fake/e1');
    expect(defaults.data.map((entry) => entry.embedding)).toEqual(fixtureEmbeddings().map((vector) => vector.map((value) => Math.fround(value))));
    // The upstream is always asked for floats: the gateway encodes.
    expect(upstream.received.filter((entry) => entry.path === '/v1/embeddings').every((entry) => entry.body.encoding_format === 'float')).toBe(true);
    const raw = await fetch(`${baseURL}/embeddings`, { method: 'POST', headers: { authorization: `Bearer ${client.apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ model: 'fake/e1', input: 'x', encoding_format: 'base64' }) });
    expect(raw.headers.get('x-stead-target')).toBe('fake/e1');
    expect(typeof ((await raw.json()) as { data: { embedding: unknown }[] }).data[0]!.embedding).toBe('string');
  });

  it('fails the way OpenAI does: unknown model, bad request, bad key', async () => {
    const unknown = await client.chat.completions.create({ model: 'fake/none', messages: [{ role: 'user', content: 'x' }] }).catch((error: unknown) => error);
    expect(unknown).toBeInstanceOf(OpenAI.NotFoundError);
    expect((unknown as InstanceType<typeof OpenAI.APIError>).code).toBe('model_not_found');
    const unknownEmbedding = await client.embeddings.create({ model: 'fake/none', input: 'x' }).catch((error: unknown) => error);
    expect(unknownEmbedding).toBeInstanceOf(OpenAI.NotFoundError);
    const bad = await client.chat.completions.create({ model: 'fake/m1', messages: [] }).catch((error: unknown) => error);
    expect(bad).toBeInstanceOf(OpenAI.BadRequestError);
    expect((bad as InstanceType<typeof OpenAI.APIError>).type).toBe('invalid_request_error');
    const badKey = new OpenAI({ apiKey: 'stead_not-a-key', baseURL, maxRetries: 0 });
    for (const call of [() => badKey.models.list(), () => badKey.models.retrieve('fake/m1'), () => badKey.chat.completions.create({ model: 'fake/m1', messages: [{ role: 'user', content: 'x' }] }), () => badKey.embeddings.create({ model: 'fake/e1', input: 'x' })]) {
      const failure = await call().catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(OpenAI.AuthenticationError);
    }
  });

  it('answers every unknown /v1 path, whatever the method, with a JSON 404 in OpenAI\'s error shape, never the dashboard', async () => {
    const server = use();
    for (const [method, url] of [['GET', '/v1/nope'], ['GET', '/v1/models/fake/none/deeper'], ['POST', '/v1/responses'], ['DELETE', '/v1/models/fake/m1'], ['GET', '/v1'], ['GET', '/v1/']] as const) {
      const response = await server.call({ method, url, headers: { authorization: `Bearer ${client.apiKey}` } });
      expect(response.statusCode, `${method} ${url}`).toBe(404);
      expect(response.headers['content-type'], `${method} ${url}`).toMatch(/^application\/json/);
      expect(response.json().error, `${method} ${url}`).toMatchObject({ message: expect.any(String), type: 'invalid_request_error', param: null, code: expect.any(String) });
    }
    // The dashboard's own routes and /api keep their answers.
    expect((await server.call({ method: 'GET', url: '/models' })).headers['content-type']).toMatch(/^text\/html/);
    const api = await server.call({ method: 'GET', url: '/api/nope' });
    expect([api.statusCode, api.json().error.code]).toEqual([404, 'not_found']);
  });
}, { config: { egressAllowedHosts: ['127.0.0.1'], webDir } });
