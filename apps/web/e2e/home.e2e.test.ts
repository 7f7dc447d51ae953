import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAiUpstream } from '../../server/test/support/openai-upstream.ts';
import { chromiumAvailable, completeSetup, steadInChromium, watchConsole } from './support/stead-browser.ts';

/**
 * The home page of a fresh instance in a real browser against the real server: the owner sets up, opens Home,
 * finds the first steps and the copy-paste snippets with this server's /v1 base URL; a model and a key added
 * through the API tick the checklist off live; a failed task shows where it stopped and its long error stays
 * inside its box on a phone; the audit log names its targets. Screenshots go to STEAD_TEST_SCREENSHOTS
 * (default: a temp folder), named `home-…`.
 */
const owner = { name: 'Olivia Owner', email: 'olivia@example.com', password: 'olivia-password-1' };
const LIVE_TIMEOUT = 20_000;
const phone = { width: 390, height: 844 };
const desktop = { width: 1280, height: 800 };

/** Whether the table holding `text` is wider than its scrolling wrapper (it would need a sideways scroll). */
const tableSpills = (page: Page, text: string) =>
  page.getByRole('table').filter({ hasText: text }).first().evaluate((table) => table.scrollWidth > table.parentElement!.clientWidth + 1);

/** How far an element's content reaches past its box, in pixels (0 when it fits or scrolls inside itself). */
const overflowOf = (page: Page, selector: string) =>
  page.locator(selector).first().evaluate((element) => {
    const style = getComputedStyle(element);
    const scrolls = ['auto', 'scroll'].includes(style.overflowX);
    const box = element.getBoundingClientRect();
    return { spill: scrolls ? 0 : element.scrollWidth - element.clientWidth, right: box.right };
  });

describe.skipIf(!chromiumAvailable)('home, in Chromium', () => {
  // The failing task and the model upstream are on loopback, which egress refuses unless allowed.
  const chromium = steadInChromium({ env: { STEAD_EGRESS_ALLOWED_HOSTS: '127.0.0.1' } });
  let upstream: Awaited<ReturnType<typeof startOpenAiUpstream>>;
  const consoleErrors: string[] = [];
  const shoot = (page: Page, name: string, fullPage = true) => page.screenshot({ path: join(chromium.stead.screenshots, `home-${name}.png`), fullPage });
  const shootBoth = async (page: Page, name: string) => {
    await shoot(page, name);
    await page.setViewportSize(phone);
    await shoot(page, `${name}-phone`);
    await page.setViewportSize(desktop);
  };

  beforeAll(async () => {
    upstream = await startOpenAiUpstream('local-llm', ['test-chat']);
  });
  afterAll(async () => {
    await upstream?.close();
  });

  it('walks a newcomer from an empty instance to a first call, and shows failures and names plainly', async () => {
    const { baseUrl } = chromium.stead;
    const context = await chromium.browser.newContext({ viewport: desktop });
    const page = watchConsole(await context.newPage(), consoleErrors);
    await completeSetup(page, baseUrl, owner);
    const workspaceId = /\/w\/([^/]+)/.exec(page.url())![1]!;

    // Home is the first page of the workspace in the sidebar, and the workspace's index.
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link').first().textContent()).toBe('Home');
    await nav.getByRole('link', { name: 'Home' }).click();
    await page.waitForURL(new RegExp(`/w/${workspaceId}/?$`));
    await expect.poll(() => nav.getByRole('link', { name: 'Home' }).getAttribute('aria-current')).toBe('page');
    // Home's path is a prefix of every workspace page, yet only Home is marked.
    await expect.poll(() => nav.getByRole('link', { name: 'Members' }).getAttribute('aria-current')).toBeNull();

    // First steps of an empty instance: nothing done yet, with the base URL this server advertises.
    const steps = page.getByRole('list', { name: 'First steps' });
    const step = (id: string) => steps.locator(`[data-step="${id}"]`);
    await step('model').waitFor();
    expect(await step('model').getAttribute('data-done')).toBe('false');
    expect(await step('key').getAttribute('data-done')).toBe('false');
    expect(await step('call').getAttribute('data-done')).toBe('false');
    expect(await page.getByTestId('gateway-base-url').textContent()).toBe(`${baseUrl}/v1`);
    const snippet = page.getByTestId('gateway-snippet');
    expect(await snippet.textContent()).toContain(`curl '${baseUrl}/v1/chat/completions'`);
    await page.getByRole('tab', { name: 'Python' }).click();
    expect(await snippet.textContent()).toContain(`OpenAI(base_url="${baseUrl}/v1", api_key=os.environ["STEAD_API_KEY"])`);
    await page.getByRole('button', { name: 'Copy Python' }).waitFor();
    await page.getByRole('tab', { name: 'JavaScript' }).click();
    expect(await snippet.textContent()).toContain(`new OpenAI({ baseURL: "${baseUrl}/v1", apiKey: process.env.STEAD_API_KEY })`);
    await page.getByRole('region', { name: 'Server' }).getByText('Connected').waitFor();
    await shootBoth(page, '01-empty');

    // A model and a key, added through the API: the checklist ticks them off without a reload.
    await page.evaluate(() => Object.assign(window, { journeyMarker: 'no reload' }));
    const api = (method: 'POST' | 'GET', path: string, data?: unknown) =>
      page.request.fetch(`${baseUrl}${path}`, { method, data, headers: { origin: baseUrl } });
    const provider = await api('POST', `/api/workspaces/${workspaceId}/model-providers`, { name: 'local-llm', type: 'openai-compatible', baseUrl: upstream.baseUrl, locality: 'local' });
    expect(provider.status()).toBe(201);
    await expect.poll(() => step('model').getAttribute('data-done'), { timeout: LIVE_TIMEOUT }).toBe('true');
    const key = await api('POST', `/api/workspaces/${workspaceId}/keys`, { name: 'deploy-bot', role: 'member' });
    expect(key.status()).toBe(201);
    await expect.poll(() => step('key').getAttribute('data-done'), { timeout: LIVE_TIMEOUT }).toBe('true');
    expect(await page.evaluate(() => (window as unknown as { journeyMarker?: string }).journeyMarker)).toBe('no reload');
    // The snippets name a real model now.
    expect(await snippet.textContent()).toContain('model: "local-llm/test-chat"');

    // A first call with the key, as the curl snippet makes it: the last step and today's usage follow.
    const { secret } = (await key.json()) as { secret: string };
    const call = await fetch(`${baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'local-llm/test-chat', messages: [{ role: 'user', content: 'Hello!' }] }),
    });
    expect(call.status).toBe(200);
    await page.reload();
    // Everything done: the checklist goes, the snippets stay.
    await page.getByRole('heading', { name: 'Call the gateway' }).waitFor();
    await steps.waitFor({ state: 'detached', timeout: LIVE_TIMEOUT });
    const usage = page.getByRole('region', { name: "Today's usage" });
    await usage.getByText('Calls', { exact: true }).waitFor();
    expect(await usage.locator('dd').first().textContent()).toBe('1');
    await page.getByRole('region', { name: 'Models' }).getByText('local-llm/test-chat').waitFor();

    // A task that fails for good (the server answers 404 to a made-up path), its error a long unbroken URL: Home lists it, live.
    const longPath = 'x'.repeat(400);
    const task = await api('POST', `/api/workspaces/${workspaceId}/tasks`, { kind: 'http.request', input: { url: `${baseUrl}/api/${longPath}` }, maxAttempts: 1 });
    expect(task.status()).toBe(201);
    const taskId = ((await task.json()) as { task: { id: string } }).task.id;
    const failed = page.getByRole('region', { name: 'Failed tasks' });
    await failed.getByRole('link', { name: 'http.request' }).waitFor({ timeout: LIVE_TIMEOUT });
    await shootBoth(page, '02-with-data');

    // Its page: the progress says where it stopped, not the last step as if the task were still on it.
    await failed.getByRole('link', { name: 'http.request' }).click();
    await page.waitForURL(`**/tasks/${taskId}`);
    const progress = page.locator('[data-progress-tone]');
    await progress.waitFor();
    expect(await progress.getAttribute('data-progress-tone')).toBe('failed');
    expect(await progress.textContent()).toBe('Failed at 60% · 404 received, reading body');
    await page.getByRole('alert').getByText(longPath, { exact: false }).waitFor();

    // Nothing spills out of its box on a phone: the error wraps, the page does not scroll sideways.
    await page.setViewportSize(phone);
    const pageWidth = await page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));
    expect(pageWidth.scroll).toBeLessThanOrEqual(pageWidth.client);
    const alert = await overflowOf(page, '[role="alert"]');
    expect(alert.spill).toBeLessThanOrEqual(0);
    expect(alert.right).toBeLessThanOrEqual(phone.width);
    const input = await overflowOf(page, 'pre[aria-label="Input"]');
    expect(input.right).toBeLessThanOrEqual(phone.width);
    // The attempts table wraps the same error instead of growing wider than its card.
    expect(await tableSpills(page, 'Outcome')).toBe(false);
    await shoot(page, '03-failed-task-phone');
    await page.setViewportSize(desktop);
    expect(await tableSpills(page, 'Outcome')).toBe(false);
    await shoot(page, '03-failed-task');

    // A schedule's tasks name it, linked; once it is deleted they say so instead of showing a bare id.
    const schedule = await api('POST', `/api/workspaces/${workspaceId}/schedules`, {
      name: 'Health pulse', kind: 'http.request', input: { url: `${baseUrl}/api/health` }, trigger: { type: 'interval', seconds: 1 },
    });
    expect(schedule.status()).toBe(201);
    const scheduleId = ((await schedule.json()) as { schedule: { id: string } }).schedule.id;
    await nav.getByRole('link', { name: 'Tasks' }).click();
    await page.waitForURL('**/tasks');
    const origin = page.getByRole('main').getByRole('link', { name: 'Schedule Health pulse' }).first();
    await origin.waitFor({ timeout: LIVE_TIMEOUT });
    expect(await origin.getAttribute('href')).toBe(`/w/${workspaceId}/schedules/${scheduleId}`);
    await page.getByRole('main').getByRole('link', { name: 'http.request' }).first().click();
    await page.waitForURL('**/tasks/*');
    await page.getByRole('main').getByRole('link', { name: 'Schedule Health pulse' }).waitFor();
    expect((await api('POST', `/api/workspaces/${workspaceId}/schedules/${scheduleId}/disable`)).status()).toBe(200);
    expect((await page.request.fetch(`${baseUrl}/api/workspaces/${workspaceId}/schedules/${scheduleId}`, { method: 'DELETE', headers: { origin: baseUrl } })).status()).toBe(204);
    await page.reload();
    await page.getByRole('main').getByText(`Schedule ${scheduleId.slice(0, 8)}… (deleted)`).waitFor();
    await shoot(page, '05-task-of-deleted-schedule', false);

    // The audit log names what was changed, linked: the provider and the key, not their ids.
    await nav.getByRole('link', { name: 'Audit log' }).click();
    await page.waitForURL('**/audit');
    const table = page.getByRole('main');
    await table.getByRole('link', { name: 'Provider local-llm' }).filter({ visible: true }).first().waitFor();
    await table.getByRole('link', { name: 'API key deploy-bot' }).filter({ visible: true }).first().waitFor();
    expect(await table.getByRole('link', { name: 'Provider local-llm' }).first().getAttribute('href')).toBe(`/w/${workspaceId}/models`);
    // The deleted schedule keeps its name, greyed and marked, with nothing to link to.
    // (Each target is in the row twice, one of them hidden at this width.)
    await table.getByText('Schedule Health pulse').filter({ visible: true }).first().waitFor();
    expect(await table.getByRole('link', { name: 'Schedule Health pulse' }).count()).toBe(0);
    await table.getByText('(deleted)').filter({ visible: true }).first().waitFor();
    await shootBoth(page, '04-audit');

    expect(consoleErrors).toEqual([]);
    await context.close();
  }, 120_000);

  it('gives a viewer a home without broken cards: no activity card, the key step left to an admin', async () => {
    const { baseUrl } = chromium.stead;
    const ownerContext = await chromium.browser.newContext();
    const signIn = await ownerContext.request.post(`${baseUrl}/api/auth/login`, { data: { email: owner.email, password: owner.password }, headers: { origin: baseUrl } });
    expect(signIn.status()).toBe(200);
    const workspaces = (await (await ownerContext.request.get(`${baseUrl}/api/workspaces`)).json()) as { workspaces: { id: string }[] };
    const workspaceId = workspaces.workspaces[0]!.id;
    const invite = await ownerContext.request.post(`${baseUrl}/api/workspaces/${workspaceId}/invitations`, { data: { email: 'vera@example.com', role: 'viewer' }, headers: { origin: baseUrl } });
    const token = ((await invite.json()) as { url: string }).url.split('/invite/')[1]!;
    await ownerContext.close();

    const context = await chromium.browser.newContext({ viewport: phone });
    const viewer = { name: 'Vera Viewer', email: 'vera@example.com', password: 'vera-password-1' };
    expect((await context.request.post(`${baseUrl}/api/auth/sign-up`, { data: { ...viewer, invitationToken: token }, headers: { origin: baseUrl } })).status()).toBe(201);
    expect((await context.request.post(`${baseUrl}/api/invitations/${token}/accept`, { headers: { origin: baseUrl } })).status()).toBe(200);
    const page = watchConsole(await context.newPage(), consoleErrors);
    await page.goto(`${baseUrl}/w/${workspaceId}`);
    await page.getByRole('heading', { name: 'Home' }).waitFor();
    await page.getByRole('region', { name: 'Server' }).getByText('Connected').waitFor();
    await page.getByRole('region', { name: 'Models' }).getByText('local-llm/test-chat').waitFor();
    // The audit log is for admins: the card is not there, rather than there and refused.
    expect(await page.getByRole('region', { name: 'Recent activity' }).count()).toBe(0);
    // A viewer cannot list keys, so the overview does not claim there are none, and there is no "Create a key" to click.
    const overview = await context.request.get(`${baseUrl}/api/workspaces/${workspaceId}/overview`);
    expect(((await overview.json()) as { setup: { keys: number | null } }).setup.keys).toBeNull();
    expect(await page.getByRole('link', { name: 'Create a key' }).count()).toBe(0);
    expect(await page.getByRole('link', { name: 'Add a model' }).count()).toBe(0);
    await shoot(page, '06-viewer-phone');
    expect(consoleErrors).toEqual([]);
    await context.close();
  }, 60_000);
});
