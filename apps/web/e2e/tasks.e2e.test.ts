import { join } from 'node:path';
import type { ConsoleMessage, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { chromiumAvailable, completeSetup, steadInChromium, watchConsole } from './support/stead-browser.ts';

/**
 * Background work in a real browser against the real server: the owner runs an `http.request` task against
 * the server's own /api/health, watches it succeed without reloading, reads its log and output, then sets up
 * an interval schedule (seeing its next fire times before saving), watches it fire, and disables it.
 * Screenshots go to STEAD_TEST_SCREENSHOTS (default: a temp folder), named `tasks-…`.
 */
const owner = { name: 'Olivia Owner', email: 'olivia@example.com', password: 'olivia-password-1' };
/** Waits for things the server does by itself (a task finishing, a schedule firing): generous, never a sleep. */
const LIVE_TIMEOUT = 20_000;

/** The browser logs a refused preview by itself; the journey provokes one on purpose with a bad cron expression. */
const refusedPreview = (message: ConsoleMessage) => message.text().includes('status of 400') && message.location().url.includes('/schedules/preview?');

describe.skipIf(!chromiumAvailable)('tasks and schedules, in Chromium', () => {
  // The task calls the server itself on loopback, which egress refuses unless allowed.
  const chromium = steadInChromium({ env: { STEAD_EGRESS_ALLOWED_HOSTS: '127.0.0.1' } });
  const consoleErrors: string[] = [];

  const shoot = (page: Page, name: string, fullPage = true) => page.screenshot({ path: join(chromium.stead.screenshots, `tasks-${name}.png`), fullPage });
  const watch = (page: Page) => watchConsole(page, consoleErrors, refusedPreview);

  it('runs a task and watches it live, then schedules it, sees it fire and disables it', async () => {
    const { baseUrl } = chromium.stead;
    const healthInput = JSON.stringify({ method: 'GET', url: `${baseUrl}/api/health` }, null, 2);
    const context = await chromium.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = watch(await context.newPage());

    // Setup: the owner's account and first workspace.
    await completeSetup(page, baseUrl, owner);

    // Tasks: run one against the server's own health endpoint.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tasks' }).click();
    await page.waitForURL('**/tasks');
    await page.getByText('No tasks yet.', { exact: false }).waitFor();
    await page.getByText('Live', { exact: true }).waitFor();
    // A reload would wipe this marker: the state change below must arrive over the event stream.
    await page.evaluate(() => Object.assign(window, { journeyMarker: 'no reload' }));
    await page.getByRole('button', { name: 'Run task' }).click();
    const runDialog = page.getByRole('dialog', { name: 'Run task' });
    await runDialog.getByLabel('Kind', { exact: true }).selectOption('http.request');
    await runDialog.getByLabel('Input (JSON)', { exact: true }).fill(healthInput);
    await runDialog.getByRole('button', { name: 'Run task' }).click();
    await runDialog.waitFor({ state: 'hidden' });
    const taskRow = page.getByRole('row').filter({ has: page.getByRole('link', { name: 'http.request' }) });
    await taskRow.getByText('succeeded', { exact: true }).waitFor({ timeout: LIVE_TIMEOUT });
    expect(await page.evaluate(() => (window as unknown as { journeyMarker?: string }).journeyMarker)).toBe('no reload');
    await shoot(page, '01-task-succeeded');

    // Its detail: log lines and the stored response.
    await taskRow.getByRole('link', { name: 'http.request' }).click();
    await page.waitForURL('**/tasks/*');
    const log = page.getByRole('log', { name: 'Log lines' });
    await log.getByText(`GET ${baseUrl}/api/health`).waitFor();
    await log.getByText(/^200 OK in \d+ ms$/).waitFor();
    const output = page.getByLabel('Output', { exact: true });
    await output.waitFor();
    expect(await output.textContent()).toContain('"status": 200');
    await shoot(page, '02-task-detail');

    // Schedules: empty at first, explained.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Schedules' }).click();
    await page.waitForURL('**/schedules');
    await page.getByText('No schedules yet.', { exact: false }).waitFor();
    await page.getByRole('button', { name: 'New schedule' }).click();
    const dialog = page.getByRole('dialog', { name: 'New schedule' });
    await dialog.getByLabel('Name', { exact: true }).fill('Health pulse');
    await dialog.getByLabel('Task kind', { exact: true }).selectOption('http.request');
    await dialog.getByLabel('Input (JSON)', { exact: true }).fill(healthInput);
    const preview = dialog.getByRole('region', { name: 'Preview' });

    // A bad cron expression: the server's reason shows before anything is saved.
    await dialog.getByLabel('Cron expression', { exact: true }).fill('61 9 * * *');
    await preview.getByText('Invalid value for minute: 61', { exact: false }).waitFor();
    await dialog.getByLabel('Cron expression', { exact: true }).fill('30 9 * * 1-5');
    await preview.getByText(/^Every weekday at 09:30 \(/).waitFor();

    // Every 2 seconds, with its next five fire times shown before saving.
    // The radios are visually hidden inside their segment labels; a person clicks the label.
    await dialog.getByText('Interval', { exact: true }).click();
    expect(await dialog.getByRole('radio', { name: 'Interval' }).isChecked()).toBe(true);
    await dialog.getByLabel('Every', { exact: true }).fill('2');
    await dialog.getByLabel('Interval unit', { exact: true }).selectOption('seconds');
    await preview.getByText('Every 2 seconds', { exact: true }).waitFor();
    await expect.poll(() => preview.getByRole('listitem').count(), { timeout: LIVE_TIMEOUT }).toBe(5);
    await preview.getByText('Updating…').waitFor({ state: 'hidden' });
    await shoot(page, '03-new-schedule-preview', false);
    await dialog.getByRole('button', { name: 'Create schedule' }).click();
    await page.waitForURL(/\/schedules\/[^/]+$/);
    await page.getByRole('heading', { name: 'Health pulse' }).waitFor();

    // Fires appear in the history by themselves, each linking to the task it started.
    const history = page.getByRole('table', { name: 'Fire history' });
    const fireLinks = history.getByRole('link', { name: 'View task' });
    await expect.poll(() => fireLinks.count(), { timeout: LIVE_TIMEOUT }).toBeGreaterThanOrEqual(2);
    expect(await fireLinks.first().getAttribute('href')).toMatch(/\/tasks\/[^/]+$/);
    await page.getByRole('table', { name: 'Latest tasks' }).getByText('succeeded', { exact: true }).first().waitFor({ timeout: LIVE_TIMEOUT });
    await shoot(page, '04-schedule-detail');

    // Disable it: it says so, and the list agrees.
    await page.getByRole('button', { name: 'Disable', exact: true }).click();
    await page.getByRole('button', { name: 'Enable', exact: true }).waitFor();
    await page.getByText('It does not fire until it is enabled again.').waitFor();

    // The same pages on a phone (resizing, not reloading, keeps the journey quick).
    await page.setViewportSize({ width: 390, height: 844 });
    await shoot(page, '05-schedule-detail-phone');
    await page.getByRole('main').getByRole('link', { name: 'Schedules' }).click();
    await page.waitForURL('**/schedules');
    const toggle = page.getByRole('switch', { name: 'Health pulse enabled' });
    await toggle.waitFor();
    expect(await toggle.getAttribute('aria-checked')).toBe('false');
    await shoot(page, '06-schedules-list-phone');
    await page.setViewportSize({ width: 1280, height: 800 });
    await shoot(page, '07-schedules-list');

    expect(consoleErrors).toEqual([]);
    await context.close();
  }, 60_000);
});
