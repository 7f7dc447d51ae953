import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { request, type IncomingMessage } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const program = fileURLToPath(new URL('../../bin/stead.mjs', import.meta.url));

const freePort = async (): Promise<number> => {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
};

const start = (dataDir: string, port: number) => {
  const child = spawn(process.execPath, [program, 'start'], {
    env: { ...process.env, STEAD_DATA_DIR: dataDir, STEAD_PORT: String(port), STEAD_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return { child, output: () => output };
};

const waitForHealth = async (port: number, child: ChildProcess) => {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error('server exited during start');
    try {
      if ((await fetch(`http://127.0.0.1:${port}/api/health`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('server did not become healthy');
};

describe('graceful shutdown of the real program', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'stead-shutdown-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('on SIGTERM closes open event streams, exits 0, and keeps acknowledged writes', async () => {
    const port = await freePort();
    const server = start(dataDir, port);
    await waitForHealth(port, server.child);
    const origin = `http://127.0.0.1:${port}`;
    const setup = await fetch(`${origin}/api/setup`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin },
      body: JSON.stringify({ name: 'Sam', email: 'sam@example.com', password: 'sam-password-1', workspaceName: 'Durable' }),
    });
    expect(setup.status).toBe(201);
    const cookie = setup.headers.getSetCookie().map((line) => line.split(';')[0]).join('; ');
    const { workspace } = (await setup.json()) as { workspace: { id: string } };

    const stream = request({ host: '127.0.0.1', port, path: `/api/events?workspaceId=${workspace.id}`, headers: { cookie } });
    stream.on('error', () => {});
    stream.end();
    const [response] = (await once(stream, 'response')) as [IncomingMessage];
    expect(response.statusCode).toBe(200);
    response.on('error', () => {});
    response.resume();
    const streamEnded = once(response, 'close');

    server.child.kill('SIGTERM');
    const [code] = (await once(server.child, 'exit')) as [number];
    expect(code).toBe(0);
    await streamEnded;
    expect(server.output()).toContain('SIGTERM: finishing in-flight work');

    const again = start(dataDir, port);
    try {
      await waitForHealth(port, again.child);
      const setupState = (await (await fetch(`${origin}/api/setup`)).json()) as { needsSetup: boolean };
      expect(setupState.needsSetup).toBe(false);
      const signIn = await fetch(`${origin}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin },
        body: JSON.stringify({ email: 'sam@example.com', password: 'sam-password-1' }),
      });
      expect(signIn.status).toBe(200);
    } finally {
      again.child.kill('SIGKILL');
      await once(again.child, 'exit');
    }
  }, 90_000);
});
