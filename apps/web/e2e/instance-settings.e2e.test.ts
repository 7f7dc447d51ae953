import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { ConsoleMessage, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, completeSetup, steadInChromium, watchConsole } from './support/stead-browser.ts';

/**
 * An instance administrator lets tasks reach a machine on their own network without a restart: a task to a
 * loopback HTTP server fails with the egress message (which points at Instance settings), the administrator
 * opens Instance settings, sees where each setting comes from (the environment's allowed host among them),
 * allows the address, and the same task succeeds. Screenshots (`instance-settings-…`) at desktop and phone width.
 */
const owner = { name: 'Olivia Owner', email: 'olivia@example.com', password: 'olivia-password-1' };
const LIVE_TIMEOUT = 20_000;

describe.skipIf(!chromiumAvailable)('instance settings, in Chromium', () => {
  // An allowed host from the environment, shown as such (nothing listens there).
  const chromium = steadInChromium({ env: { STEAD_EGRESS_ALLOWED_HOSTS: '10.9.8.7' } });
  const consoleErrors: string[] = [];
  let lan: Server;
  let lanUrl: string;
  beforeAll(async () => {
    lan = createServer((_request, response) => response.writeHead(200, { 'content-type': 'text/plain' }).end('hello from the LAN'));
    await new Promise<void>((resolve) => lan.listen(0, '127.0.0.1', resolve));
    lanUrl = `http://127.0.0.1:${(lan.address() as AddressInfo).port}/status`;
  });
  afterAll(async () => {
    lan.closeAllConnections();
    await new Promise<void>((resolve) => lan.close(() => resolve()));
  });

  const shoot = (page: Page, name: string, fullPage = true) =>
    page.screenshot({ path: join(chromium.stead.screenshots, `instance-settings-${name}.png`), fullPage });

  /** Runs an http.request task to the LAN server from the Tasks page and returns its row. */
  const runLanTask = async (page: Page) => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tasks' }).click();
    await page.waitForURL('**/tasks');
    await page.getByRole('button', { name: 'Run task' }).click();
    const dialog = page.getByRole('dialog', { name: 'Run task' });
    await dialog.getByLabel('Kind', { exact: true }).selectOption('http.request');
    await dialog.getByLabel('Input (JSON)', { exact: true }).fill(JSON.stringify({ method: 'GET', url: lanUrl }, null, 2));
    await dialog.getByRole('button', { name: 'Run task' }).click();
    await dialog.waitFor({ state: 'hidden' });
    return page.getByRole('row').filter({ has: page.getByRole('link', { name: 'http.request' }) }).first();
  };

  it('allows a private host in Instance settings, and the next task reaches it without a restart', async () => {
    const { baseUrl } = chromium.stead;
    const context = await chromium.browser.newContext({ viewport: { width: 1280, height: 800 } });
    // The browser logs the refusal of the URL the journey submits on purpose.
    const refusedRule = (message: ConsoleMessage) => message.text().includes('status of 400') && message.location().url.endsWith('/api/admin/allowed-hosts');
    const page = watchConsole(await context.newPage(), consoleErrors, refusedRule);
    await completeSetup(page, baseUrl, owner);

    // Refused first, and the message says where to allow it.
    const refused = await runLanTask(page);
    await refused.getByText('failed', { exact: true }).waitFor({ timeout: LIVE_TIMEOUT });
    await refused.getByRole('link', { name: 'http.request' }).click();
    await page.waitForURL('**/tasks/*');
    await page.getByText('Instance settings → Allowed hosts', { exact: false }).first().waitFor();
    await shoot(page, '01-task-refused');

    // Instance settings: where each setting comes from; the environment's allowed host cannot be removed here.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Instance settings' }).click();
    await page.waitForURL('**/admin/settings');
    const hosts = page.getByRole('list', { name: 'Allowed hosts' });
    const fromEnvironment = hosts.getByRole('listitem').filter({ hasText: '10.9.8.7' });
    await fromEnvironment.getByText('from STEAD_EGRESS_ALLOWED_HOSTS').waitFor();
    expect(await fromEnvironment.getByRole('button', { name: /Remove/ }).count()).toBe(0);
    const settings = page.getByRole('list', { name: 'Settings' });
    const egressRow = settings.getByRole('listitem').filter({ hasText: 'egressAllowedHosts' });
    await egressRow.getByText('Environment', { exact: true }).waitFor();
    await egressRow.getByText('+ dashboard', { exact: true }).waitFor();
    await settings.getByRole('listitem').filter({ hasText: 'logFormat' }).getByText('Default', { exact: true }).waitFor();
    // Unset settings are listed too, so a person sees what could be set.
    await settings.getByRole('listitem').filter({ hasText: 'STEAD_DATABASE_URL' }).getByText('Default', { exact: true }).waitFor();

    // A URL is not a host: refused with the reason, nothing stored.
    await page.getByLabel('Add a host', { exact: true }).fill('http://127.0.0.1:8080');
    await page.getByRole('button', { name: 'Allow host' }).click();
    await page.getByText('without a scheme or port', { exact: false }).waitFor();
    // The address itself: allowed at once.
    await page.getByLabel('Add a host', { exact: true }).fill('127.0.0.1');
    await page.getByRole('button', { name: 'Allow host' }).click();
    const added = hosts.getByRole('listitem').filter({ hasText: '127.0.0.1' });
    await added.getByText('Dashboard', { exact: true }).waitFor();
    await added.getByRole('button', { name: 'Remove 127.0.0.1' }).waitFor();
    await page.getByText('Allowed 127.0.0.1', { exact: true }).waitFor({ state: 'hidden', timeout: 10_000 });
    await shoot(page, '02-settings');

    // The same task now reaches the LAN server.
    const allowed = await runLanTask(page);
    await allowed.getByText('succeeded', { exact: true }).waitFor({ timeout: LIVE_TIMEOUT });
    await allowed.getByRole('link', { name: 'http.request' }).click();
    await page.waitForURL('**/tasks/*');
    expect(await page.getByLabel('Output', { exact: true }).textContent()).toContain('hello from the LAN');
    await shoot(page, '03-task-succeeded');

    // Instance settings on a phone.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${baseUrl}/admin/settings`);
    await page.getByRole('list', { name: 'Allowed hosts' }).getByText('127.0.0.1').waitFor();
    await shoot(page, '04-settings-phone');

    expect(consoleErrors).toEqual([]);
    await context.close();
  }, 90_000);
});
