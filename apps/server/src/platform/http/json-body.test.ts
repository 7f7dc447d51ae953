import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { registerErrorHandler } from './error-handler.ts';
import { jsonDepthExceeds, maxJsonDepth, registerJsonBodyParser } from './json-body.ts';

describe('jsonDepthExceeds', () => {
  it.each([
    ['{}', 1],
    ['[]', 1],
    ['1', 0],
    ['"text"', 0],
    ['{"a":[{"b":[]}]}', 4],
    ['[[],[],[[]]]', 3],
    ['{"a":"[[[[[{{{{"}', 1],
    ['{"a":"quote \\" [[[[ inside"}', 1],
    ['{"a":"ends in a backslash \\\\", "b":[[1]]}', 3],
    ['{"a":"\\\\\\"[[[[", "b":[]}', 2],
  ])('measures %s as %i levels deep', (text, depth) => {
    expect(jsonDepthExceeds(text, depth)).toBe(false);
    if (depth > 0) expect(jsonDepthExceeds(text, depth - 1)).toBe(true);
  });

  it('scans 10,000 levels without recursion and an unterminated string without looping', () => {
    expect(jsonDepthExceeds('['.repeat(10_000), maxJsonDepth)).toBe(true);
    expect(jsonDepthExceeds('{"a":"unterminated [[[[', 1)).toBe(false);
  });

  it('takes a linear pass over a 1 MiB body', () => {
    const body = JSON.stringify({ messages: Array.from({ length: 2_000 }, (_, index) => ({ role: 'user', content: `${'x'.repeat(500)} "${index}" [${index}]` })) });
    const started = performance.now();
    for (let round = 0; round < 10; round += 1) expect(jsonDepthExceeds(body, maxJsonDepth)).toBe(false);
    expect((performance.now() - started) / 10).toBeLessThan(20);
  });
});

describe('registerJsonBodyParser', () => {
  const build = async () => {
    const app = Fastify();
    registerJsonBodyParser(app);
    registerErrorHandler(app);
    app.post('/echo', async (request) => ({ body: request.body }));
    await app.ready();
    return app;
  };
  const post = async (payload: string) => {
    const app = await build();
    const response = await app.inject({ method: 'POST', url: '/echo', headers: { 'content-type': 'application/json; charset=utf-8' }, payload });
    await app.close();
    return { status: response.statusCode, body: response.json() as { body?: unknown; error?: { code: string } } };
  };

  it('parses ordinary JSON as before', async () => {
    await expect(post('{"a":[1,{"b":null}],"c":"[{"}')).resolves.toEqual({ status: 200, body: { body: { a: [1, { b: null }], c: '[{' } } });
  });

  it(`refuses more than ${maxJsonDepth} levels with 400 invalid_body`, async () => {
    const atLimit = `${'['.repeat(maxJsonDepth)}${']'.repeat(maxJsonDepth)}`;
    expect((await post(atLimit)).status).toBe(200);
    const over = await post(`[${atLimit}]`);
    expect(over).toMatchObject({ status: 400, body: { error: { code: 'invalid_body' } } });
  });

  it("keeps Fastify's protections and errors: prototype poisoning, invalid and empty bodies", async () => {
    await expect(post('{"__proto__":{"polluted":true}}')).resolves.toMatchObject({ status: 400, body: { error: { code: 'malformed_json' } } });
    await expect(post('{"constructor":{"prototype":{"polluted":true}}}')).resolves.toMatchObject({ status: 400, body: { error: { code: 'malformed_json' } } });
    await expect(post('{"a":')).resolves.toMatchObject({ status: 400, body: { error: { code: 'malformed_json' } } });
    await expect(post('')).resolves.toMatchObject({ status: 400, body: { error: { code: 'malformed_json' } } });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('error handler', () => {
  it('answers a validation error thrown inside a handler with 400 validation_failed, not 500', async () => {
    const app = Fastify();
    registerErrorHandler(app);
    app.put('/aliases/:name', async (request) => z.object({ name: z.string().regex(/^\w+$/) }).parse(request.params));
    const response = await app.inject({ method: 'PUT', url: '/aliases/with%20space' });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ error: { code: 'validation_failed', message: expect.stringContaining('name'), details: { issues: [{ path: 'name' }] } } });
    await app.close();
  });
});
