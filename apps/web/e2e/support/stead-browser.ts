import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type ConsoleMessage, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';

/**
 * What every browser journey needs: the built dashboard, a real `stead` server on a fresh SQLite data
 * directory, the system Chromium, and a record of console errors. Journeys in several files run in parallel,
 * so building is guarded by a lock and skipped when the build is newer than its sources.
 */
export const repositoryRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Whether Chromium is installed; without it the journeys are skipped (and fail under STEAD_TEST_REQUIRE=all). */
export const chromiumAvailable = existsSync(chromiumPath);
if (!chromiumAvailable) {
  if (process.env.STEAD_TEST_REQUIRE === 'all') throw new Error(`STEAD_TEST_REQUIRE=all but Chromium is missing at ${chromiumPath} (apt-get install chromium)`);
  console.warn(`[skip] browser tests skipped: no Chromium at ${chromiumPath} (apt-get install chromium, or set CHROMIUM_PATH)`);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Newest modification time of the files under `paths` (relative to the repository root). */
function newestInput(paths: readonly string[]): number {
  let newest = 0;
  for (const path of paths) {
    const absolute = join(repositoryRoot, path);
    if (!existsSync(absolute)) continue;
    const stat = statSync(absolute);
    if (!stat.isDirectory()) {
      newest = Math.max(newest, stat.mtimeMs);
      continue;
    }
    for (const file of readdirSync(absolute, { recursive: true })) {
      newest = Math.max(newest, statSync(join(absolute, String(file))).mtimeMs);
    }
  }
  return newest;
}

const webInputs = ['apps/web/src', 'apps/web/public', 'apps/web/index.html', 'apps/web/vite.config.ts', 'packages/api-client/src'];

/** A dashboard build older than its sources would test yesterday's pages. */
function webBuildIsFresh(): boolean {
  const built = join(repositoryRoot, 'apps/web/dist/index.html');
  return existsSync(built) && statSync(built).mtimeMs >= newestInput(webInputs);
}

async function withBuildLock(action: () => void): Promise<void> {
  const lock = join(repositoryRoot, 'node_modules/.cache/stead-e2e-build.lock');
  mkdirSync(dirname(lock), { recursive: true });
  const deadline = Date.now() + 170_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    // A lock left behind by a killed run goes stale after five minutes.
    try {
      if (Date.now() - statSync(lock).mtimeMs > 300_000) rmSync(lock, { recursive: true, force: true });
    } catch {
      // Removed by its owner meanwhile.
    }
    if (Date.now() > deadline) throw new Error(`another test file held ${lock} for too long`);
    await sleep(250);
  }
  try {
    action();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/**
 * Builds the dashboard when its build is missing or older than its sources, and the server bundle when it is
 * missing (`bin/stead.mjs` runs the TypeScript sources itself when they are newer than the bundle).
 */
export async function ensureBuilt(): Promise<void> {
  const serverBundle = join(repositoryRoot, 'apps/server/dist/main.js');
  if (webBuildIsFresh() && existsSync(serverBundle)) return;
  await withBuildLock(() => {
    const builds: [string, boolean][] = [
      ['@stead/server', !existsSync(serverBundle)],
      ['@stead/web', !webBuildIsFresh()],
    ];
    for (const [workspace, needed] of builds) {
      if (!needed) continue;
      const build = spawnSync('npm', ['run', 'build', '-w', workspace], { cwd: repositoryRoot, stdio: 'inherit' });
      if (build.status !== 0) throw new Error(`npm run build -w ${workspace} failed`);
    }
  });
}

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface RunningStead {
  baseUrl: string;
  dataDir: string;
  /** Where screenshots go: STEAD_TEST_SCREENSHOTS, else a folder in the data directory. */
  screenshots: string;
  /** Stops the server and, unless screenshots were asked for, deletes the data directory. */
  stop(): Promise<void>;
}

/** Starts `stead start` on a free port and a fresh data directory; resolves once /api/health answers. */
export async function startStead(options: { env?: Record<string, string> } = {}): Promise<RunningStead> {
  const dataDir = mkdtempSync(join(tmpdir(), 'stead-e2e-'));
  const screenshots = process.env.STEAD_TEST_SCREENSHOTS ?? join(dataDir, 'screenshots');
  mkdirSync(screenshots, { recursive: true });
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const server: ChildProcess = spawn(process.execPath, [join(repositoryRoot, 'apps/server/bin/stead.mjs'), 'start'], {
    env: { ...process.env, STEAD_DATA_DIR: dataDir, STEAD_PORT: String(port), STEAD_LOG_LEVEL: 'warn', ...options.env },
    stdio: 'inherit',
  });
  const stop = async () => {
    if (server.exitCode === null) {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      server.kill('SIGTERM');
      await Promise.race([exited, sleep(10_000)]);
    }
    if (!process.env.STEAD_TEST_SCREENSHOTS) rmSync(dataDir, { recursive: true, force: true });
  };
  // Running the TypeScript sources (an edited checkout) starts slower than the bundle.
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await fetch(`${baseUrl}/api/health`)).ok) break;
    } catch {
      // not listening yet
    }
    if (server.exitCode !== null) throw new Error(`the server exited with code ${server.exitCode}`);
    if (Date.now() > deadline) {
      await stop();
      throw new Error('the server did not start');
    }
    await sleep(50);
  }
  return { baseUrl, dataDir, screenshots, stop };
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

export interface SteadInChromium {
  readonly stead: RunningStead;
  readonly browser: Browser;
}

/** A suite's server and browser: started (after building) before its tests, stopped after them. */
export function steadInChromium(options: { env?: Record<string, string> } = {}): SteadInChromium {
  let stead: RunningStead | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    await ensureBuilt();
    stead = await startStead(options);
    browser = await launchChromium();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await stead?.stop();
  });
  return {
    get stead() {
      return stead!;
    },
    get browser() {
      return browser!;
    },
  };
}

/**
 * Collects page errors and console errors into `errors`. A signed-out page's session probe answers 401 by
 * design; `expected` lets a journey allow other errors it provokes on purpose.
 */
export function watchConsole(page: Page, errors: string[], expected: (message: ConsoleMessage) => boolean = () => false): Page {
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() !== 'error' || message.text().includes('401') || expected(message)) return;
    errors.push(`${message.text()} (${message.location().url})`);
  });
  return page;
}

/** A workspace's home page (`/w/<id>` or `/w/<id>/`), where setup, sign-in and joining land. */
export const workspaceHomeUrl = (workspaceId = '[^/]+'): RegExp => new RegExp(`/w/${workspaceId}/?$`);

/** Creates the owner's account and first workspace on a fresh instance's setup page; ends on the workspace's home page. */
export async function completeSetup(page: Page, baseUrl: string, owner: { name: string; email: string; password: string }, workspaceName = 'Acme'): Promise<void> {
  await page.goto(`${baseUrl}/`);
  await page.waitForURL('**/setup');
  await page.getByLabel('Name', { exact: true }).fill(owner.name);
  await page.getByLabel('Email', { exact: true }).fill(owner.email);
  await page.getByLabel('Password', { exact: true }).fill(owner.password);
  await page.getByLabel('Workspace name', { exact: true }).fill(workspaceName);
  await page.getByRole('button', { name: 'Create owner account' }).click();
  await page.waitForURL(workspaceHomeUrl());
}
