import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { stripVTControlCharacters } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../../test/support/databases.ts';
import { testOrigin } from '../../../test/support/test-server.ts';
import { buildApp, createCore, type SteadCore } from '../../app.ts';
import { configSchema } from '../../config/config.schema.ts';
import type { SteadApp } from '../http/http.types.ts';
import { createServerLoggerOptions, resolveLogFormat, type LogFormat } from './logger.ts';
import { isQuietRequest, requestLogLevel } from './request-log.ts';

/** A stream that keeps what the logger writes, as a terminal (`isTTY`) or a pipe would receive it. */
const capture = (isTTY = false) => {
  const chunks: string[] = [];
  const stream = Object.assign(
    new Writable({
      write(chunk, _encoding, done) {
        chunks.push(String(chunk));
        done();
      },
    }),
    { isTTY },
  );
  return { stream, lines: () => chunks.join('').split('\n').filter(Boolean) };
};

describe('server log', () => {
  let database: TestDatabase;
  let dataDir: string;
  let core: SteadCore;
  beforeAll(async () => {
    database = (await createTestDatabase('sqlite'))!;
    dataDir = mkdtempSync(join(tmpdir(), 'stead-log-'));
    core = await createCore(configSchema.parse({ dataDir, logLevel: 'info' }), { database: database.handle, migrate: false });
  });
  afterAll(async () => {
    await core.close();
    await database.dispose();
    rmSync(dataDir, { recursive: true, force: true });
  });

  /** A server whose log goes to a captured stream; the requests a browser session typically makes. */
  const serve = async (options: { level: string; format: LogFormat; isTTY?: boolean }) => {
    const output = capture(options.isTTY);
    const app: SteadApp = await buildApp(core, { logger: await createServerLoggerOptions({ level: options.level, format: options.format, destination: output.stream }) });
    await app.inject({ method: 'GET', url: '/api/health' });
    await app.inject({ method: 'GET', url: '/api/setup?probe=1' });
    await app.inject({ method: 'POST', url: '/api/auth/login', headers: { origin: testOrigin }, payload: { email: 'nobody@example.com', password: 'wrong-password-1' } });
    await app.inject({ method: 'GET', url: '/api/no-such-route' });
    await app.inject({ method: 'GET', url: '/api/invitations/secret-invitation-token-123' });
    await app.close();
    return output.lines();
  };

  it('writes one JSON line per request when asked (or not on a terminal), and health checks only at debug', async () => {
    const lines = await serve({ level: 'info', format: 'json' });
    const requests = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((entry) => 'statusCode' in entry);
    expect(requests.map((entry) => `${entry.method} ${entry.url} ${entry.statusCode}`)).toEqual([
      'GET /api/setup 200',
      'POST /api/auth/login 401',
      'GET /api/no-such-route 404',
      'GET /api/invitations/:token 404',
    ]);
    for (const entry of requests) {
      expect(entry).toMatchObject({ level: 30, msg: expect.stringMatching(/^(GET|POST) \/\S+ \d{3} [\d.]+ ms$/), responseTime: expect.any(Number), reqId: expect.any(String) });
    }
    const text = lines.join('\n');
    expect(text).not.toContain('incoming request');
    expect(text).not.toContain('request completed');
    expect(text).not.toContain('secret-invitation-token-123');
    expect(text).not.toContain('wrong-password-1');
    expect(text).not.toContain('probe=1');

    const auto = await serve({ level: 'info', format: 'auto', isTTY: false });
    expect(auto.every((line) => line.startsWith('{'))).toBe(true);
  });

  it('shows health checks at debug', async () => {
    const lines = await serve({ level: 'debug', format: 'json' });
    const health = lines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((entry) => entry.url === '/api/health');
    expect(health).toEqual([expect.objectContaining({ level: 20, statusCode: 200, method: 'GET' })]);
  });

  it('writes one short readable line per request on a terminal', async () => {
    const lines = await serve({ level: 'info', format: 'auto', isTTY: true });
    // Colours make it readable on a terminal; compare the text without them.
    const plain = lines.map((line) => stripVTControlCharacters(line));
    const requestLines = plain.filter((line) => / \d{3} [\d.]+ ms/.test(line));
    expect(requestLines).toHaveLength(4);
    expect(requestLines[0]).toMatch(/^\[\d{2}:\d{2}:\d{2}\] INFO: GET \/api\/setup 200 [\d.]+ ms$/);
    expect(plain.join('\n')).not.toContain('/api/health');
    expect(plain.some((line) => line.startsWith('{'))).toBe(false);
  });
});

describe('request log levels', () => {
  it('puts health, metrics and static files at debug, server errors at error', () => {
    expect(isQuietRequest('GET', '/api/health')).toBe(true);
    expect(isQuietRequest('GET', '/metrics')).toBe(true);
    expect(isQuietRequest('GET', '/assets/index-3f2a.js')).toBe(true);
    expect(isQuietRequest('GET', '/favicon.svg')).toBe(true);
    expect(isQuietRequest('GET', '/api/docs/static/swagger-ui.css')).toBe(true);
    expect(isQuietRequest('GET', '/workspaces/acme/tasks')).toBe(false);
    expect(isQuietRequest('GET', '/api/workspaces/w1/runs/r1.json')).toBe(false);
    expect(isQuietRequest('POST', '/upload.txt')).toBe(false);
    expect(requestLogLevel('GET', '/api/health', 500)).toBe('error');
    expect(requestLogLevel('GET', '/api/workspaces', 200)).toBe('info');
  });

  it('resolves auto to pretty on a terminal and JSON elsewhere', () => {
    expect(resolveLogFormat('auto', { isTTY: true })).toBe('pretty');
    expect(resolveLogFormat('auto', { isTTY: false })).toBe('json');
    expect(resolveLogFormat('auto', {})).toBe('json');
    expect(resolveLogFormat('json', { isTTY: true })).toBe('json');
    expect(resolveLogFormat('pretty', {})).toBe('pretty');
  });
});
