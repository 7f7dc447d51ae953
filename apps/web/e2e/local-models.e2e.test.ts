import { join } from 'node:path';
import type { Browser, ConsoleMessage, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectedReply, startFakeOllama, stopFakeOllama } from './support/fake-ollama.ts';
import { chromiumAvailable, completeSetup, ensureBuilt, launchChromium, startStead, watchConsole, type RunningStead } from './support/stead-browser.ts';

/**
 * A newcomer with Ollama on their machine (issue 13): the add form turns Local by itself for 127.0.0.1:11434,
 * warns and is refused when switched to Hosted, and adds it as Local without any setting or restart; "Detect local
 * servers" finds the same server and adds it in one click; a model's capabilities are corrected; the Playground
 * sends temperature and max tokens and keeps its conversation across a tab switch. The Ollama here is a fake on
 * its real default port answering from the recorded-format fixtures, so the server runs WITHOUT
 * STEAD_EGRESS_ALLOWED_HOSTS, as a newcomer's does. Another test file may hold 11434 for a while: the journey waits for
 * it (test/support/fixed-port.ts). Screenshots: `local-models-…` in STEAD_TEST_SCREENSHOTS (default: a temp folder).
 */
const owner = { name: 'Olivia Owner', email: 'olivia@example.com', password: 'olivia-password-1' };
const LIVE_TIMEOUT = 20_000;
const ollama = chromiumAvailable ? await startFakeOllama('local models journey') : undefined;

/** The refusal the journey provokes on purpose: adding the server as Hosted. */
const refusedOnPurpose = (message: ConsoleMessage) => message.text().includes('status of 422') && message.location().url.includes('/model-providers');

describe.skipIf(!chromiumAvailable || !ollama)('local model servers, in Chromium', () => {
  let stead: RunningStead;
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];
  const shoot = (name: string) => page.screenshot({ path: join(stead.screenshots, `local-models-${name}.png`) });
  const shootDesktopAndPhone = async (name: string, target: Locator) => {
    await target.scrollIntoViewIfNeeded();
    await shoot(name);
    await page.setViewportSize({ width: 390, height: 844 });
    await target.scrollIntoViewIfNeeded();
    await shoot(`${name}-phone`);
    await page.setViewportSize({ width: 1280, height: 800 });
  };
  const openTab = async (tab: 'Providers' | 'Models' | 'Playground', path: string) => {
    await page.getByRole('navigation', { name: 'Models sections' }).getByRole('link', { name: tab, exact: true }).click();
    await page.waitForURL(`**/models/${path}`);
  };

  beforeAll(async () => {
    await ensureBuilt();
    stead = await startStead();
    browser = await launchChromium();
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = watchConsole(await context.newPage(), consoleErrors, refusedOnPurpose);
    await completeSetup(page, stead.baseUrl, owner);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Models' }).click();
    await page.waitForURL('**/models/providers');
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await stead?.stop();
    await stopFakeOllama(ollama);
  });

  it('turns the add form Local for an address on this machine, refuses Hosted with "choose Local", and adds it without any setting', async () => {
    await page.getByRole('button', { name: 'Add provider' }).click();
    const dialog = page.getByRole('dialog', { name: 'Add provider' });
    await dialog.getByLabel('Name', { exact: true }).fill('ollama-openai');
    expect(await dialog.getByRole('radio', { name: 'Hosted' }).isChecked()).toBe(true);
    await dialog.getByLabel('Base URL', { exact: true }).fill('http://127.0.0.1:11434/v1');
    // Nobody clicked Local: the address did.
    expect(await dialog.getByRole('radio', { name: 'Local' }).isChecked()).toBe(true);
    await dialog.getByText("This is Ollama's port on this machine: a Local provider, reachable at once.").waitFor();
    await shootDesktopAndPhone('01-add-form-local', dialog.getByLabel('Base URL', { exact: true }));

    // Switched to Hosted, the form warns; the server refuses it with the same advice.
    await dialog.getByText('Hosted', { exact: true }).click();
    const warning = dialog.getByRole('alert').filter({ hasText: 'A hosted provider cannot use an address on this machine' });
    await warning.waitFor();
    await dialog.getByRole('button', { name: 'Add provider' }).click();
    await dialog.getByText(/Choose locality local; Stead then reaches it at once/).waitFor();
    await shoot('02-hosted-refused');
    await warning.getByRole('button', { name: 'Use Local' }).click();
    expect(await dialog.getByRole('radio', { name: 'Local' }).isChecked()).toBe(true);
    await dialog.getByRole('button', { name: 'Add provider' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const row = page.getByRole('table', { name: 'Providers' }).getByRole('row').filter({ hasText: 'ollama-openai' });
    await row.getByText('local', { exact: true }).filter({ visible: true }).waitFor();
    await row.getByRole('button', { name: 'Test ollama-openai' }).click();
    await row.getByText(/^Reachable in .+ · 2 models$/).waitFor({ timeout: LIVE_TIMEOUT });
  });

  it('detects the Ollama on this machine and adds it in one click', async () => {
    await page.getByRole('button', { name: 'Detect local servers' }).click();
    const dialog = page.getByRole('dialog', { name: 'Detect local servers' });
    const found = dialog.getByRole('listitem', { name: 'Ollama' });
    await found.getByText('2 models: llama3.2:latest, nomic-embed-text:latest').waitFor({ timeout: LIVE_TIMEOUT });
    await shootDesktopAndPhone('03-detect', found);
    await found.getByRole('button', { name: 'Add Ollama as ollama' }).click();
    await found.getByText('Added as ollama').waitFor({ timeout: LIVE_TIMEOUT });
    await dialog.getByRole('button', { name: 'Done' }).click();
    await page.getByRole('table', { name: 'Providers' }).getByRole('row').filter({ hasText: 'http://127.0.0.1:11434' }).filter({ hasNotText: '/v1' }).getByText('ollama', { exact: true }).waitFor();
  });

  it("shows what discovery learned and corrects a model's capabilities", async () => {
    await openTab('Models', 'catalog');
    const table = page.getByRole('table', { name: 'Models' });
    // /api/show says what each Ollama model does; the OpenAI-compatible listing's embedding model is known by its name.
    await table.getByRole('row').filter({ hasText: 'ollama/nomic-embed-text:latest' }).getByText('embeddings', { exact: true }).filter({ visible: true }).waitFor();
    const guessed = table.getByRole('row').filter({ hasText: 'ollama-openai/llama3.2:latest' });
    await guessed.getByRole('button', { name: 'Edit ollama-openai/llama3.2:latest' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit ollama-openai/llama3.2:latest' });
    await dialog.getByLabel('tools', { exact: true }).check();
    await dialog.getByLabel('Context (tokens)', { exact: true }).fill('131072');
    await shootDesktopAndPhone('04-edit-model', dialog.getByLabel('Context (tokens)', { exact: true }));
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await guessed.getByText('tools', { exact: true }).filter({ visible: true }).waitFor();
    await guessed.getByText('131k', { exact: true }).filter({ visible: true }).waitFor();
    await shoot('05-models');
  });

  it('sends temperature and max tokens from the Playground and keeps the conversation across a tab switch until Clear', async () => {
    await openTab('Playground', 'playground');
    await page.getByRole('button', { name: 'Send' }).waitFor();
    await page.getByLabel('Model', { exact: true }).selectOption('ollama/llama3.2:latest');
    await page.getByLabel('Temperature', { exact: true }).fill('0.3');
    await page.getByLabel('Max tokens', { exact: true }).fill('42');
    await page.getByLabel('Message', { exact: true }).fill('What is the weather in Paris?');
    await page.getByRole('button', { name: 'Send' }).click();
    const messages = page.getByRole('list', { name: 'Messages' });
    await messages.getByText(expectedReply, { exact: true }).waitFor({ timeout: LIVE_TIMEOUT });
    expect(ollama!.chats.at(-1)).toMatchObject({ model: 'llama3.2:latest', options: { temperature: 0.3, num_predict: 42 } });

    await openTab('Providers', 'providers');
    await openTab('Playground', 'playground');
    await messages.getByText(expectedReply, { exact: true }).waitFor();
    await messages.getByText('What is the weather in Paris?', { exact: true }).waitFor();
    expect(await page.getByLabel('Temperature', { exact: true }).inputValue()).toBe('0.3');
    expect(await page.getByLabel('Max tokens', { exact: true }).inputValue()).toBe('42');
    await shootDesktopAndPhone('06-playground-kept', messages);

    await page.getByRole('button', { name: 'Clear' }).click();
    await messages.waitFor({ state: 'detached' });
    await openTab('Providers', 'providers');
    await openTab('Playground', 'playground');
    await page.getByRole('button', { name: 'Send' }).waitFor();
    expect(await page.getByRole('list', { name: 'Messages' }).count()).toBe(0);
  });

  it('edits a provider in place: a new name and timeouts, no delete and re-add', async () => {
    await openTab('Providers', 'providers');
    const table = page.getByRole('table', { name: 'Providers' });
    await table.getByRole('button', { name: 'Edit ollama-openai' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit ollama-openai' });
    await dialog.getByLabel('Name', { exact: true }).fill('ollama-compat');
    await dialog.getByLabel('Connect (s)', { exact: true }).fill('5');
    await shootDesktopAndPhone('07-edit-provider', dialog.getByLabel('Name', { exact: true }));
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const row = table.getByRole('row').filter({ hasText: 'ollama-compat' });
    await row.getByText('Timeouts: connect 5 s').waitFor();
    expect(await row.getByText('local', { exact: true }).filter({ visible: true }).count()).toBe(1);
    await shoot('08-providers');
    expect(consoleErrors).toEqual([]);
  });
});
