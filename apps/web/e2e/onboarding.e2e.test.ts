import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The whole first-day journey in a real browser against the real server (the `stead` program on a fresh
 * SQLite data directory, serving the built dashboard): setup → sign in → create a workspace → invite a
 * colleague who accepts → create an API key → see every one of those actions in the audit log.
 * Screenshots of each step go to STEAD_TEST_SCREENSHOTS (default: a temp folder) for people to look at.
 */
const repositoryRoot = fileURLToPath(new URL('../../../', import.meta.url));
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const required = process.env.STEAD_TEST_REQUIRE === 'all';
const available = existsSync(chromiumPath);
if (!available) {
  if (required) throw new Error(`STEAD_TEST_REQUIRE=all but Chromium is missing at ${chromiumPath} (apt-get install chromium)`);
  console.warn(`[skip] browser tests skipped: no Chromium at ${chromiumPath} (apt-get install chromium, or set CHROMIUM_PATH)`);
}

const freePort = async () => {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
};

const owner = { name: 'Olivia Owner', email: 'olivia@example.com', password: 'olivia-password-1' };
const colleague = { name: 'Carl Colleague', email: 'carl@example.com', password: 'carl-password-12' };

describe.skipIf(!available)('first day with Stead, in Chromium', () => {
  let server: ChildProcess;
  let browser: Browser;
  let baseUrl = '';
  const dataDir = mkdtempSync(join(tmpdir(), 'stead-e2e-'));
  const shots = process.env.STEAD_TEST_SCREENSHOTS ?? join(dataDir, 'screenshots');
  const consoleErrors: string[] = [];

  const shoot = (page: Page, name: string) => page.screenshot({ path: join(shots, `${name}.png`), fullPage: true });
  const watch = (page: Page) => {
    page.on('pageerror', (error) => consoleErrors.push(error.message));
    page.on('console', (message) => {
      // A signed-out page's session probe answers 401 by design; everything else is a defect.
      if (message.type() === 'error' && !message.text().includes('401')) consoleErrors.push(message.text());
    });
    return page;
  };

  beforeAll(async () => {
    mkdirSync(shots, { recursive: true });
    for (const [workspace, output] of [['@stead/server', 'apps/server/dist/main.js'], ['@stead/web', 'apps/web/dist/index.html']]) {
      if (existsSync(join(repositoryRoot, output!)) && process.env.CI === undefined) continue;
      const build = spawnSync('npm', ['run', 'build', '-w', workspace!], { cwd: repositoryRoot, stdio: 'inherit' });
      if (build.status !== 0) throw new Error(`npm run build -w ${workspace} failed`);
    }
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    server = spawn(process.execPath, [join(repositoryRoot, 'apps/server/bin/stead.mjs'), 'start'], {
      env: { ...process.env, STEAD_DATA_DIR: dataDir, STEAD_PORT: String(port), STEAD_LOG_LEVEL: 'warn' },
      stdio: 'inherit',
    });
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        if ((await fetch(`${baseUrl}/api/health`)).ok) break;
      } catch {
        // not listening yet
      }
      if (server.exitCode !== null) throw new Error(`the server exited with code ${server.exitCode}`);
      if (Date.now() > deadline) throw new Error('the server did not start');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
    });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    server?.kill('SIGTERM');
    if (!process.env.STEAD_TEST_SCREENSHOTS) rmSync(dataDir, { recursive: true, force: true });
  });

  it('walks setup, sign-in, workspace, invitation, API key and audit log', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = watch(await context.newPage());

    // Setup: a fresh instance sends everyone to the setup page.
    await page.goto(`${baseUrl}/`);
    await page.waitForURL('**/setup');
    await shoot(page, '01-setup');
    await page.getByLabel('Name', { exact: true }).fill(owner.name);
    await page.getByLabel('Email', { exact: true }).fill(owner.email);
    await page.getByLabel('Password', { exact: true }).fill(owner.password);
    await page.getByLabel('Workspace name', { exact: true }).fill('Acme');
    await page.getByRole('button', { name: 'Create owner account' }).click();
    await page.waitForURL('**/members');

    // Sign out, then sign in again.
    await page.getByRole('button', { name: 'Account menu' }).click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.waitForURL('**/login**');
    await page.getByLabel('Email', { exact: true }).fill(owner.email);
    await page.getByLabel('Password', { exact: true }).fill('not-the-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').first()).toBeTruthy();
    await page.getByRole('alert').first().waitFor();
    await shoot(page, '02-login-error');
    await page.getByLabel('Password', { exact: true }).fill(owner.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL('**/members');

    // A second workspace, which becomes the current one.
    const firstWorkspaceUrl = page.url();
    await page.getByRole('button', { name: /workspace/i }).first().click();
    await page.getByRole('menuitem', { name: /create workspace/i }).click();
    await page.getByLabel('Workspace name', { exact: true }).fill('Research');
    await page.getByRole('button', { name: 'Create workspace' }).click();
    await page.waitForURL((url) => /\/w\/[^/]+\/members/.test(url.pathname) && url.href !== firstWorkspaceUrl);
    const researchId = page.url().split('/w/')[1]!.split('/')[0]!;
    await page.getByText('Research').first().waitFor();

    // Invite a colleague as a member; the link is shown once.
    await page.getByRole('button', { name: 'Invite' }).click();
    await page.getByLabel('Email', { exact: true }).fill(colleague.email);
    await page.getByLabel('Role', { exact: true }).selectOption('member');
    await page.getByRole('button', { name: 'Create invitation' }).click();
    const link = page.getByLabel('Invitation link');
    await link.waitFor();
    const inviteUrl = await link.inputValue();
    expect(inviteUrl).toContain('/invite/');
    await shoot(page, '03-invitation-link');
    await page.getByRole('button', { name: 'Done' }).click();

    // The colleague opens the link in their own browser (on a phone), creates an account and joins.
    const guestContext = await browser.newContext({ viewport: { width: 375, height: 740 } });
    const guest = watch(await guestContext.newPage());
    await guest.goto(inviteUrl);
    await guest.getByText('Research').first().waitFor();
    await guest.getByLabel('Name', { exact: true }).fill(colleague.name);
    await guest.getByLabel('Email', { exact: true }).fill(colleague.email);
    await guest.getByLabel('Password', { exact: true }).fill(colleague.password);
    await shoot(guest, '04-invitation-phone');
    await guest.getByRole('button', { name: 'Create account and join' }).click();
    await guest.waitForURL(`**/w/${researchId}/members`);
    await guest.getByText(owner.email).first().waitFor();
    await shoot(guest, '05-joined-phone');
    await guestContext.close();

    // The owner sees the new member.
    await page.reload();
    await page.getByText(colleague.email).first().waitFor();
    await shoot(page, '06-members');

    // An API key, shown once, that works against the API.
    await page.getByRole('link', { name: 'API keys' }).click();
    await page.getByLabel('Key name', { exact: true }).fill('deploy bot');
    await page.getByLabel('Role', { exact: true }).selectOption('member');
    await page.getByRole('button', { name: 'Create key' }).click();
    const secretField = page.getByLabel('API key secret');
    await secretField.waitFor();
    const secret = await secretField.inputValue();
    expect(secret).toMatch(/^stead_/);
    await shoot(page, '07-api-key');
    const viaKey = await fetch(`${baseUrl}/api/workspaces/${researchId}/members`, { headers: { authorization: `Bearer ${secret}` } });
    expect(viaKey.status).toBe(200);
    await page.getByRole('button', { name: 'I have copied it' }).click();

    // The audit log shows each of those actions.
    await page.getByRole('link', { name: 'Audit log' }).click();
    for (const action of ['workspace.create', 'invitation.create', 'invitation.accept', 'key.create']) {
      await page.getByText(action, { exact: true }).first().waitFor();
    }
    await shoot(page, '08-audit');

    // Instance administrators also see sign-ins and setup across workspaces.
    await page.goto(`${baseUrl}/admin/audit`);
    for (const action of ['setup.complete', 'auth.login', 'auth.sign-up']) {
      await page.getByText(action, { exact: true }).first().waitFor();
    }
    await shoot(page, '09-admin-audit');

    expect(consoleErrors).toEqual([]);
    await context.close();
  }, 120_000);
});
