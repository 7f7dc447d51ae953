// Child processes and temp directories of a bench suite (gateway, platform): every child is tracked and killed on
// exit (also on Ctrl-C), temp directories go with cleanup(), and Stead's health is probed on a fresh connection.
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const host = '127.0.0.1';

const live = new Set();
const tempDirs = [];
export const killAll = () => {
  for (const child of live) child.kill('SIGKILL');
};
export const cleanup = () => {
  killAll();
  for (const dir of tempDirs.splice(0)) rmSync(dir, { recursive: true, force: true });
};
process.once('exit', cleanup);
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    cleanup();
    process.exit(130);
  });
}

export const newTempDir = (prefix) => {
  const dir = mkdtempSync(join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
};

/** Tracks a spawned child; `output` keeps its stdout and stderr, `exit` resolves when it ends. */
export const track = (child) => {
  live.add(child);
  const output = [];
  for (const stream of [child.stdout, child.stderr]) stream?.on('data', (chunk) => output.push(chunk.toString()));
  let exited = null;
  const exit = new Promise((resolve) => {
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      live.delete(child);
      resolve(exited);
    });
  });
  return { child, output, exit, exited: () => exited };
};

export const stopProcess = async (proc, timeoutMs = 10_000) => {
  if (proc.child.exitCode !== null || proc.child.signalCode !== null) return proc.exited();
  proc.child.kill('SIGTERM');
  const result = await Promise.race([proc.exit, sleep(timeoutMs).then(() => null)]);
  if (result) return result;
  proc.child.kill('SIGKILL');
  return proc.exit;
};

/** Status code of one GET, or null when nothing answered; a fresh connection each time, as a cold client has. */
export const probe = (port, path) =>
  new Promise((resolve) => {
    const request = http.get({ host, port, path, agent: false, timeout: 1_000 }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? null));
      response.on('error', () => resolve(null));
    });
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(null));
  });

/** Environment of Stead: the caller's, minus every STEAD_* setting (no stray database or Redis URL). */
export const steadEnv = (dataDir, port, extra = {}) => {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('STEAD_')));
  return { ...env, STEAD_DATA_DIR: dataDir, STEAD_PORT: String(port), STEAD_HOST: host, STEAD_LOG_LEVEL: 'warn', ...extra };
};
