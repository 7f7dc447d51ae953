import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedReply, startFakeOllama, stopFakeOllama } from './support/fake-ollama.ts';
import { chromiumAvailable, completeSetup, ensureBuilt, launchChromium, startStead, watchConsole, workspaceHomeUrl, type RunningStead } from './support/stead-browser.ts';

/**
 * A newcomer's first hour, in one journey (issue 13): a fresh instance → setup → Home with its first steps → the
 * Ollama on this machine added from "Detect local servers" with no setting and no restart (Home ticks the step
 * off) → a colleague invited who creates their own API key → the administrator hands them a password reset link
 * and they sign in with the new password → the Playground answers from the local model. The server runs without
 * STEAD_EGRESS_ALLOWED_HOSTS, as a newcomer's does; the Ollama is a fake on its default port answering from
 * recorded-format fixtures. Screenshots `newcomer-…` (desktop and phone) go to STEAD_TEST_SCREENSHOTS.
 */
const owner = { name: 'Olivia Owner', email: 'olivia@example.com', password: 'olivia-password-1' };
const colleague = { name: 'Carl Colleague', email: 'carl@example.com', password: 'carl-password-12' };
const newPassword = 'carl-new-password-34';
const LIVE_TIMEOUT = 20_000;

const ollama = chromiumAvailable ? await startFakeOllama('newcomer journey') : undefined;

describe.skipIf(!chromiumAvailable || !ollama)('a newcomer’s first hour, in Chromium', () => {
  let stead: RunningStead;
  let browser: Browser;
  const consoleErrors: string[] = [];
  const shoot = async (page: Page, name: string) => {
    await page.screenshot({ path: join(stead.screenshots, `newcomer-${name}.png`), fullPage: true });
    const size = page.viewportSize();
    await page.setViewportSize({ width: 390, height: 844 });
    await page.screenshot({ path: join(stead.screenshots, `newcomer-${name}-phone.png`), fullPage: true });
    if (size) await page.setViewportSize(size);
  };
  const openPage = async (context: BrowserContext) => watchConsole(await context.newPage(), consoleErrors);

  beforeAll(async () => {
    await ensureBuilt();
    stead = await startStead();
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await stead?.stop();
    await stopFakeOllama(ollama);
  });

  it('walks setup, Home, a local model, a member’s own key, a password reset and the Playground', async () => {
    const baseUrl = stead.baseUrl;
    const ownerContext = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await openPage(ownerContext);

    // Setup lands on Home, whose first steps say what to do next.
    await completeSetup(page, baseUrl, owner);
    const workspaceId = page.url().split('/w/')[1]!.split('/')[0]!;
    const steps = page.getByRole('list', { name: 'First steps' });
    await steps.locator('[data-step="model"]').waitFor();
    expect(await steps.locator('[data-step="model"]').getAttribute('data-done')).toBe('false');
    expect(await page.getByTestId('gateway-base-url').textContent()).toBe(`${baseUrl}/v1`);
    await shoot(page, '01-home');

    // The Ollama on this machine, found and added in one click: no setting, no restart.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Models' }).click();
    await page.waitForURL('**/models/providers');
    await page.getByRole('button', { name: 'Detect local servers' }).click();
    const detect = page.getByRole('dialog', { name: 'Detect local servers' });
    const found = detect.getByRole('listitem', { name: 'Ollama' });
    await found.getByRole('button', { name: 'Add Ollama as ollama' }).click();
    await found.getByText('Added as ollama').waitFor({ timeout: LIVE_TIMEOUT });
    await detect.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('table', { name: 'Providers' }).getByRole('row').filter({ hasText: 'http://127.0.0.1:11434' }).getByText('local', { exact: true }).filter({ visible: true }).waitFor();
    await shoot(page, '02-local-provider');

    // Home ticks the step off.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Home' }).click();
    await page.waitForURL(workspaceHomeUrl(workspaceId));
    await expect.poll(() => steps.locator('[data-step="model"]').getAttribute('data-done'), { timeout: LIVE_TIMEOUT }).toBe('true');

    // A colleague joins as a member and creates a key for themselves.
    const invitation = await ownerContext.request.post(`${baseUrl}/api/workspaces/${workspaceId}/invitations`, { data: { email: colleague.email, role: 'member' }, headers: { origin: baseUrl } });
    expect(invitation.status()).toBe(201);
    const colleagueContext = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const colleaguePage = await openPage(colleagueContext);
    await colleaguePage.goto(((await invitation.json()) as { url: string }).url);
    await colleaguePage.getByLabel('Name', { exact: true }).fill(colleague.name);
    await colleaguePage.getByLabel('Email', { exact: true }).fill(colleague.email);
    await colleaguePage.getByLabel('Password', { exact: true }).fill(colleague.password);
    await colleaguePage.getByRole('button', { name: 'Create account and join' }).click();
    await colleaguePage.waitForURL(workspaceHomeUrl(workspaceId));
    await colleaguePage.goto(`${baseUrl}/w/${workspaceId}/keys`);
    await colleaguePage.getByText('You have no API keys here yet.').waitFor();
    // Roles up to their own: a member cannot make an admin key.
    await expect.poll(() => colleaguePage.getByLabel('Role', { exact: true }).locator('option').allTextContents()).toEqual(['member', 'viewer']);
    await colleaguePage.getByLabel('Key name', { exact: true }).fill('carl laptop');
    await colleaguePage.getByRole('button', { name: 'Create key' }).click();
    const secretField = colleaguePage.getByLabel('API key secret');
    await secretField.waitFor();
    const secret = await secretField.inputValue();
    await colleaguePage.screenshot({ path: join(stead.screenshots, 'newcomer-03-member-key-phone.png'), fullPage: true });
    await colleaguePage.getByRole('button', { name: 'I have copied it' }).click();
    // The key works against the gateway, with the local model.
    const call = await fetch(`${baseUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'ollama/llama3.2:latest', messages: [{ role: 'user', content: 'Hello!' }] }),
    });
    expect(call.status).toBe(200);

    // The administrator hands over a reset link; the colleague sets a new password and signs in with it.
    await page.getByRole('link', { name: 'Users' }).click();
    await page.waitForURL('**/admin/users');
    await page.getByRole('button', { name: `Actions for ${colleague.name}` }).click();
    await page.getByRole('menuitem', { name: 'Reset password…' }).click();
    await page.getByRole('button', { name: 'Make reset link' }).click();
    const linkField = page.getByLabel('Password link', { exact: true });
    await linkField.waitFor();
    const resetLink = await linkField.inputValue();
    await shoot(page, '04-reset-link');
    await page.getByRole('button', { name: 'Done' }).click();
    await colleaguePage.goto(resetLink);
    await colleaguePage.getByText(`For ${colleague.name} (${colleague.email})`).waitFor();
    await colleaguePage.getByLabel('New password', { exact: true }).fill(newPassword);
    await colleaguePage.getByLabel('Repeat the new password', { exact: true }).fill(newPassword);
    await colleaguePage.getByRole('button', { name: 'Set password' }).click();
    await colleaguePage.getByText('Password set').waitFor();
    await colleaguePage.getByRole('link', { name: 'Go to sign in' }).click();
    await colleaguePage.waitForURL('**/login**');
    await colleaguePage.getByLabel('Password', { exact: true }).fill(newPassword);
    await colleaguePage.getByRole('button', { name: 'Sign in' }).click();
    await colleaguePage.waitForURL(workspaceHomeUrl(workspaceId));
    await colleagueContext.close();

    // The Playground answers from the local model, and keeps the conversation across a tab switch.
    await page.goto(`${baseUrl}/w/${workspaceId}/models/playground`);
    await page.getByLabel('Model', { exact: true }).selectOption('ollama/llama3.2:latest');
    await page.getByLabel('Temperature', { exact: true }).fill('0.2');
    await page.getByLabel('Message', { exact: true }).fill('What can you do?');
    await page.getByRole('button', { name: 'Send' }).click();
    const messages = page.getByRole('list', { name: 'Messages' });
    await messages.getByText(expectedReply, { exact: true }).waitFor({ timeout: LIVE_TIMEOUT });
    expect(ollama!.chats.at(-1)).toMatchObject({ model: 'llama3.2:latest', options: { temperature: 0.2 } });
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Home' }).click();
    await page.waitForURL(workspaceHomeUrl(workspaceId));
    await page.goto(`${baseUrl}/w/${workspaceId}/models/playground`);
    await messages.getByText('What can you do?', { exact: true }).waitFor();
    await shoot(page, '05-playground');

    expect(consoleErrors).toEqual([]);
    await ownerContext.close();
  });
});
