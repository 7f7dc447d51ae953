import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maxJsonDepth } from '../../src/platform/http/json-body.ts';
import { serviceUrl } from '../support/services.ts';
import { cookieOf, ownerCredentials, setUpOwner, startTestServer, type TestServer } from '../support/test-server.ts';

/**
 * Sends bad input to every state-changing route (POST, PUT, PATCH, DELETE) of the OpenAPI document and of the
 * route inventory (the OpenAI-compatible `/v1` routes included), as the owner with a session and with an API
 * key, and collects every answer of 5xx: deep nesting, bad path parameters, a wrong type for each declared body
 * property, strings just under the body limit, invalid UTF-8, text that is not JSON, empty bodies. Bad input
 * is the caller's mistake and must answer 4xx, whatever the route.
 */

interface JsonSchema {
  type?: string | string[];
  const?: unknown;
  enum?: unknown[];
  default?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  minItems?: number;
  minLength?: number;
  minimum?: number;
  exclusiveMinimum?: number;
  format?: string;
}

interface OpenApiDocument {
  paths: Record<string, Record<string, { requestBody?: { content?: Record<string, { schema?: JsonSchema }> } }>>;
}

const typeOf = (schema: JsonSchema): string | undefined => {
  const types = [schema.type ?? []].flat().filter((type) => type !== 'null');
  return types[0];
};

/** A body that satisfies the simple parts of a schema (required fields, types, enums), so requests reach deeper. */
const sample = (schema: JsonSchema | undefined, depth = 0): unknown => {
  if (!schema || depth > 8) return 'x';
  if (schema.const !== undefined) return schema.const;
  if (schema.enum?.length) return schema.enum[0];
  if (schema.default !== undefined) return schema.default;
  const choice = schema.anyOf ?? schema.oneOf;
  if (choice?.length) return sample(choice.find((option) => option.type !== 'null') ?? choice[0], depth + 1);
  if (schema.allOf?.length) return sample(schema.allOf[0], depth + 1);
  switch (typeOf(schema)) {
    case 'object':
      return Object.fromEntries((schema.required ?? []).map((name) => [name, sample(schema.properties?.[name], depth + 1)]));
    case 'array':
      return Array.from({ length: schema.minItems ?? 0 }, () => sample(schema.items, depth + 1));
    case 'string':
      if (schema.format === 'email') return 'bad-input@example.com';
      if (schema.format === 'uri' || schema.format === 'url') return 'https://example.com/';
      if (schema.format === 'date-time') return new Date().toISOString();
      return 'x'.repeat(Math.max(schema.minLength ?? 1, 1));
    case 'integer':
    case 'number':
      return schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : (schema.minimum ?? 1);
    case 'boolean':
      return false;
    default:
      return {};
  }
};

/** A value of another JSON type than the schema declares. */
const wrongTypeFor = (schema: JsonSchema): unknown => {
  switch (typeOf(schema)) {
    case 'string':
      return 12345;
    case 'integer':
    case 'number':
      return 'not a number';
    case 'boolean':
      return 'yes';
    case 'array':
      return { not: 'an array' };
    case 'object':
      return ['not', 'an', 'object'];
    default:
      return [[[[{ unexpected: true }]]]];
  }
};

interface Case {
  name: string;
  /** Substituted path parameters (already encoded); others get plausible values. */
  params?: Record<string, string>;
  /** `?workspaceId=` of a route that takes its workspace from the query (already encoded). */
  queryWorkspaceId?: string;
  /** Raw payload; a string or a Buffer is sent as it is. */
  payload?: string | Buffer | undefined;
  contentType?: string | undefined;
  /** Extra check beyond "not 5xx". */
  expect?: (response: LightMyRequestResponse) => string | undefined;
}

const nested = (levels: number, inner = '1'): string => `${'['.repeat(levels)}${inner}${']'.repeat(levels)}`;
const bodyLimit = 1024 * 1024;

const casesFor = (url: string, schema: JsonSchema | undefined, workspaceFromQuery: boolean): Case[] => {
  const body = sample(schema) as Record<string, unknown>;
  const properties = Object.entries(schema?.properties ?? {});
  const json = (value: unknown) => JSON.stringify(value);
  // Built as text: JSON.stringify itself cannot write 10,000 levels.
  const withRaw = (name: string, raw: string) => json({ ...body, [name]: '\u0000raw' }).replace('"\\u0000raw"', raw);
  const firstProperty = properties[0]?.[0] ?? 'input';
  const paramNames = [...url.matchAll(/:([A-Za-z]+)/g)].map((match) => match[1]!);
  const badParams = [
    ['a space', 'with%20space'],
    ['a NUL byte', '%00'],
    ['10 KB', 'x'.repeat(10 * 1024)],
    ['a path traversal', '..%2F..%2Fetc%2Fpasswd'],
    ['invalid percent-encoding', '%E0%A4%A'],
    ['invalid UTF-8', '%FF%FE'],
  ] as const;
  const deepExpectation = (response: LightMyRequestResponse) => {
    // Refused by access control before the body is read, or by the body parser: never by a handler.
    if ([401, 403].includes(response.statusCode)) return undefined;
    return response.statusCode === 400 && (response.json() as { error: { code: string } }).error.code === 'invalid_body'
      ? undefined
      : `expected 400 invalid_body, got ${response.statusCode} ${response.body.slice(0, 200)}`;
  };
  return [
    ...paramNames.flatMap((param) => badParams.map(([label, value]): Case => ({ name: `path parameter ${param} with ${label}`, params: { [param]: value }, payload: json(body) }))),
    ...(workspaceFromQuery ? badParams.map(([label, value]): Case => ({ name: `query workspaceId with ${label}`, queryWorkspaceId: value, payload: json(body) })) : []),
    ...properties.map(([name, property]): Case => ({ name: `wrong type for ${name}`, payload: json({ ...body, [name]: wrongTypeFor(property) }) })),
    ...properties.map(([name]): Case => ({ name: `null for ${name}`, payload: json({ ...body, [name]: null }) })),
    { name: 'nesting 10,000 levels deep', payload: withRaw(firstProperty, nested(10_000)), expect: deepExpectation },
    { name: 'a bare array 10,000 levels deep', payload: nested(10_000), expect: deepExpectation },
    { name: `objects ${maxJsonDepth + 1} levels deep`, payload: `${'{"a":'.repeat(maxJsonDepth + 1)}1${'}'.repeat(maxJsonDepth + 1)}`, expect: deepExpectation },
    { name: `nesting at the limit (${maxJsonDepth} levels)`, payload: withRaw(firstProperty, nested(maxJsonDepth - 1)) },
    { name: 'brackets inside strings do not count as nesting', payload: json({ ...body, [firstProperty]: '['.repeat(10_000) }) },
    { name: 'a bare array', payload: '[]' },
    { name: 'a bare string', payload: '"text"' },
    { name: 'a bare number', payload: '42' },
    { name: 'null', payload: 'null' },
    { name: '__proto__ poisoning', payload: `{"__proto__":{"isAdmin":true},"${firstProperty}":1}` },
    { name: 'constructor.prototype poisoning', payload: '{"constructor":{"prototype":{"isAdmin":true}}}' },
    { name: 'text that is not JSON', payload: 'this is not json' },
    { name: 'truncated JSON', payload: '{"name": ' },
    { name: 'a NUL byte', payload: '\u0000' },
    { name: 'invalid UTF-8 in a string', payload: Buffer.concat([Buffer.from(`{"${firstProperty}":"`), Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80]), Buffer.from('"}')]) },
    { name: 'an empty body with a JSON content type', payload: '' },
    { name: 'an empty body without a content type', payload: undefined, contentType: undefined },
    { name: 'a form body', payload: 'a=1&b=2', contentType: 'application/x-www-form-urlencoded' },
    ...properties.map(([name]): Case => ({ name: `a string just under the body limit in ${name}`, payload: json({ ...body, [name]: 'x'.repeat(bodyLimit - 2048) }) })),
    { name: 'the sample body', payload: json(body) },
  ];
};

const toOpenApi = (url: string) => url.replace(/:([A-Za-z]+)/g, '{$1}');
const fromOpenApi = (path: string) => path.replace(/\{([A-Za-z]+)\}/g, ':$1');
const changesState = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

for (const dialect of ['sqlite', 'postgres'] as const) {
  const enabled = dialect === 'sqlite' || serviceUrl('postgres') !== undefined;
  describe.skipIf(!enabled)(`bad input never answers 5xx [${dialect}]`, () => {
    let server: TestServer;
    let ownerId: string;

    beforeAll(async () => {
      server = (await startTestServer(dialect, { config: { loginRateLimit: 100_000, bodyLimit }, backgroundWork: false }))!;
      ownerId = (await setUpOwner(server)).user.id;
    });
    afterAll(async () => {
      await server?.close();
    });

    it('refuses deep nesting in a valid task and schedule with 400 invalid_body, and accepts nesting at the limit', async () => {
      const { cookie, workspace } = await (async () => {
        const login = await server.call({ method: 'POST', url: '/api/auth/login', payload: { email: ownerCredentials.email, password: ownerCredentials.password } });
        return { cookie: cookieOf(login), workspace: await server.core.workspaces.create('Deep input', ownerId) };
      })();
      const task = (payload: string) =>
        `{"kind":"webhook.deliver","delayMs":3600000,"input":{"url":"https://hooks.example.com/in","event":"deep","payload":${payload}}}`;
      const schedule = (input: string) =>
        `{"name":"deep","kind":"webhook.deliver","trigger":{"type":"interval","seconds":3600},"enabled":false,"input":{"url":"https://hooks.example.com/in","event":"deep","payload":${input}}}`;
      for (const [url, body] of [
        [`/api/workspaces/${workspace.id}/tasks`, task],
        [`/api/workspaces/${workspace.id}/schedules`, schedule],
      ] as const) {
        const send = (payload: string) => server.call({ method: 'POST', url, cookie, headers: { 'content-type': 'application/json' }, payload });
        const deep = await send(body(nested(10_000)));
        expect(deep.statusCode, deep.body).toBe(400);
        expect(deep.json()).toMatchObject({ error: { code: 'invalid_body', details: { maxDepth: maxJsonDepth } } });
        // The body's own object, `input` and `payload` are 3 levels: 61 more reach the limit exactly.
        const atLimit = await send(body(nested(maxJsonDepth - 3)));
        expect(atLimit.statusCode, atLimit.body).toBe(201);
      }
    });

    it('on every state-changing route of the OpenAPI document and the route inventory', async () => {
      const document = (await server.call({ method: 'GET', url: '/api/openapi.json' })).json() as OpenApiDocument;
      const inventory = server.app.routeInventory.filter((route) => changesState.has(route.method) && !route.url.startsWith('/api/docs'));
      const routes = new Map(inventory.map((route) => [`${route.method} ${route.url}`, route]));
      const documented = Object.entries(document.paths).flatMap(([path, operations]) =>
        Object.keys(operations).filter((method) => changesState.has(method.toUpperCase())).map((method) => `${method.toUpperCase()} ${fromOpenApi(path)}`),
      );
      // Every documented operation is served (so the walk below covers the document too).
      expect(documented.filter((label) => !routes.has(label))).toEqual([]);
      expect([...routes.keys()]).toEqual(expect.arrayContaining(['POST /v1/chat/completions', 'POST /v1/embeddings', 'PUT /api/workspaces/:workspaceId/model-aliases/:name']));

      const failures: string[] = [];
      let sent = 0;
      for (const [label, route] of routes) {
        const schema = document.paths[toOpenApi(route.url)]?.[route.method.toLowerCase()]?.requestBody?.content?.['application/json']?.schema;
        // A fresh sign-in per route: `logout` ends the session it is sent with.
        const login = await server.call({ method: 'POST', url: '/api/auth/login', payload: { email: ownerCredentials.email, password: ownerCredentials.password } });
        const cookie = cookieOf(login);
        for (const who of ['owner session', 'owner key'] as const) {
          // A workspace of its own per route and credential: `DELETE /api/workspaces/:workspaceId` may remove it.
          const workspace = await server.core.workspaces.create(`Bad input ${label} ${who}`, ownerId);
          const key = (await server.core.keys.create(workspace.id, { name: 'bad-input', role: 'owner' }, { userId: ownerId, role: 'owner' })).secret;
          for (const testCase of casesFor(route.url, schema, route.workspaceFromQuery)) {
            const values: Record<string, string> = { workspaceId: workspace.id, token: 'x'.repeat(32), ...testCase.params };
            const path = route.url.replace(/:([A-Za-z]+)/g, (_match, name: string) => values[name] ?? 'does-not-exist');
            const query = route.workspaceFromQuery ? `?workspaceId=${testCase.queryWorkspaceId ?? workspace.id}` : '';
            const contentType = 'contentType' in testCase ? testCase.contentType : 'application/json';
            const response = await server.call({
              method: route.method as 'POST',
              url: path + query,
              ...(who === 'owner session' ? { cookie } : { key }),
              headers: contentType ? { 'content-type': contentType } : {},
              ...(testCase.payload === undefined ? {} : { payload: testCase.payload }),
            });
            sent += 1;
            const problem = response.statusCode >= 500 ? `${response.statusCode} ${response.body.slice(0, 200)}` : testCase.expect?.(response);
            if (problem) failures.push(`${label} as ${who}, ${testCase.name}: ${problem}`);
          }
        }
      }
      expect(sent).toBeGreaterThan(1_000);
      expect(failures).toEqual([]);
    }, 600_000);
  });
}
