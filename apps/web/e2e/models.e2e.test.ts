import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, ConsoleMessage, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixtureChatText, startOpenAiUpstream } from '../../server/test/support/openai-upstream.ts';
import { chromiumAvailable, completeSetup, ensureBuilt, launchChromium, startStead, watchConsole, type RunningStead, workspaceHomeUrl } from './support/stead-browser.ts';

/**
 * The Models area in a real browser against the real server and a local OpenAI-compatible upstream (the
 * server tests' fault-free stand-in for vLLM or llama.cpp): the owner adds the upstream as a local provider,
 * sees its models and their health, makes an alias, asks the route tester, streams a reply in the playground,
 * finds the call in Usage, then disables the provider and sees routing refuse. A second journey gives an API
 * key limits and a default data class of its own. Screenshots go to STEAD_TEST_SCREENSHOTS (default: a temp
 * folder), named `models-…`.
 */
const owner = { name: 'Olivia Owner', email: 'olivia@example.com', password: 'olivia-password-1' };
const LIVE_TIMEOUT = 20_000;

/** The browser logs the refusals the journey provokes on purpose: routing to the models of a disabled provider. */
const refusedOnPurpose = (message: ConsoleMessage) => message.text().includes('status of 404') && /\/model-routes\/test\?|\/v1\/chat\/completions\?/.test(message.location().url);

type Upstream = Awaited<ReturnType<typeof startOpenAiUpstream>>;
type ModelsTab = 'Providers' | 'Models' | 'Routing' | 'Usage' | 'Playground';

/** Creates the owner's account and first workspace through the setup page; each journey then signs in. */
async function setUpOwner(browser: Browser, baseUrl: string, consoleErrors: string[]): Promise<void> {
  const context = await browser.newContext();
  const page = watchConsole(await context.newPage(), consoleErrors);
  await completeSetup(page, baseUrl, owner);
  await context.close();
}

/** A fresh browser context signed in as the owner, on the Models area. */
async function signIn(browser: Browser, baseUrl: string, consoleErrors: string[]): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = watchConsole(await context.newPage(), consoleErrors, refusedOnPurpose);
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('Email', { exact: true }).fill(owner.email);
  await page.getByLabel('Password', { exact: true }).fill(owner.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(workspaceHomeUrl());
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Models' }).click();
  await page.waitForURL('**/models/**');
  return page;
}

async function openTab(page: Page, tab: ModelsTab): Promise<void> {
  const paths: Record<ModelsTab, string> = { Providers: 'providers', Models: 'catalog', Routing: 'routing', Usage: 'usage', Playground: 'playground' };
  await page.getByRole('navigation', { name: 'Models sections' }).getByRole('link', { name: tab, exact: true }).click();
  await page.waitForURL(`**/models/${paths[tab]}`);
}

describe.skipIf(!chromiumAvailable)('the Models area, in Chromium', () => {
  let stead: RunningStead;
  let browser: Browser;
  let upstream: Upstream;
  const consoleErrors: string[] = [];

  const shoot = (page: Page, name: string, fullPage = true) => page.screenshot({ path: join(stead.screenshots, `models-${name}.png`), fullPage });
  /** The viewport scrolled to `target`, then the same on a phone as `<name>-phone` (resizing, not reloading, keeps the journey quick). */
  const shootDesktopAndPhone = async (page: Page, name: string, target: Locator, phoneTarget = target) => {
    await target.scrollIntoViewIfNeeded();
    await shoot(page, name, false);
    await page.setViewportSize({ width: 390, height: 844 });
    await phoneTarget.scrollIntoViewIfNeeded();
    await shoot(page, `${name}-phone`, false);
    await page.setViewportSize({ width: 1280, height: 800 });
  };

  beforeAll(async () => {
    await ensureBuilt();
    // The upstream stands in for a model server on this machine: an administrator allows its loopback address.
    [stead, upstream] = await Promise.all([startStead({ env: { STEAD_EGRESS_ALLOWED_HOSTS: '127.0.0.1' } }), startOpenAiUpstream('local-llm', ['test-chat'])]);
    browser = await launchChromium();
    await setUpOwner(browser, stead.baseUrl, consoleErrors);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await stead?.stop();
    await upstream?.close();
  });

  it('adds a local provider, routes and streams through it, records the call, and stops serving once disabled', async () => {
    const page = await signIn(browser, stead.baseUrl, consoleErrors);
    const expectedReply = fixtureChatText();

    // Providers: add the upstream as a local OpenAI-compatible provider; its models are discovered on adding.
    await openTab(page, 'Providers');
    await page.getByText('No providers yet.', { exact: false }).waitFor();
    await page.getByRole('button', { name: 'Add provider' }).click();
    const addDialog = page.getByRole('dialog', { name: 'Add provider' });
    await addDialog.getByLabel('Name', { exact: true }).fill('local-llm');
    await addDialog.getByLabel('Type', { exact: true }).selectOption('openai-compatible');
    await addDialog.getByLabel('Base URL', { exact: true }).fill(upstream.baseUrl);
    // The radios are visually hidden inside their segment labels; a person clicks the label.
    await addDialog.getByText('Local', { exact: true }).click();
    expect(await addDialog.getByRole('radio', { name: 'Local' }).isChecked()).toBe(true);
    await shoot(page, '01-add-provider', false);
    await addDialog.getByRole('button', { name: 'Add provider' }).click();
    await addDialog.waitFor({ state: 'hidden' });
    const providerRow = page.getByRole('table', { name: 'Providers' }).getByRole('row').filter({ hasText: 'local-llm' });
    await providerRow.getByText('local', { exact: true }).filter({ visible: true }).waitFor();
    await providerRow.getByText(upstream.baseUrl, { exact: true }).waitFor();
    await providerRow.getByRole('button', { name: 'Test local-llm' }).click();
    await providerRow.getByText(/^Reachable in .+ · 1 model$/).waitFor({ timeout: LIVE_TIMEOUT });
    await shoot(page, '02-providers');

    // Catalog: the discovered model, local, with its health.
    await openTab(page, 'Models');
    const modelRow = page.getByRole('table', { name: 'Models' }).getByRole('row').filter({ hasText: 'local-llm/test-chat' });
    await modelRow.waitFor();
    await modelRow.getByText('discovered', { exact: false }).waitFor();
    await modelRow.getByText('Healthy', { exact: true }).waitFor();
    await modelRow.getByText('local', { exact: true }).filter({ visible: true }).waitFor();
    await shoot(page, '03-catalog');

    // Routing: an alias, then the tester says which target would serve a private request for it, and why.
    await openTab(page, 'Routing');
    await page.getByText('No aliases yet.', { exact: false }).waitFor();
    await page.getByRole('button', { name: 'New alias' }).click();
    const aliasDialog = page.getByRole('dialog', { name: 'New alias' });
    await aliasDialog.getByLabel('Name', { exact: true }).fill('fast');
    await aliasDialog.getByLabel('Targets', { exact: true }).fill('local-llm/test-chat');
    await aliasDialog.getByRole('button', { name: 'Add to Targets' }).click();
    await aliasDialog.getByRole('button', { name: 'Create alias' }).click();
    await aliasDialog.waitFor({ state: 'hidden' });
    await page.getByRole('table', { name: 'Aliases' }).getByRole('row').filter({ hasText: 'fast' }).getByText('local-llm/test-chat').waitFor();

    const tester = page.getByRole('form', { name: 'Route tester' });
    await tester.getByLabel('Model', { exact: true }).fill('fast');
    await tester.getByLabel('Data class', { exact: true }).selectOption('private');
    await tester.getByRole('button', { name: 'Test route' }).click();
    const verdict = page.getByRole('region', { name: 'Tester result' });
    await verdict.getByText('local-llm/test-chat', { exact: true }).waitFor();
    await verdict.getByText('serves first', { exact: true }).waitFor();
    await verdict.getByText(/^Reason: alias fast → 1 target/).waitFor();
    await shoot(page, '04-routing-tester');

    // Playground: a streamed reply through the alias, with the routing decision beside it.
    await openTab(page, 'Playground');
    // The tab's page loads lazily after the URL changes: until its Send button shows, "Model" may still name
    // the Routing tab's field.
    await page.getByRole('button', { name: 'Send' }).waitFor();
    await page.getByLabel('Model', { exact: true }).selectOption('fast');
    await page.getByLabel('Message', { exact: true }).fill('What is the weather in Paris?');
    await page.getByRole('button', { name: 'Send' }).click();
    const messages = page.getByRole('list', { name: 'Messages' });
    await messages.getByText(expectedReply, { exact: true }).waitFor({ timeout: LIVE_TIMEOUT });
    await messages.getByText('served by', { exact: false }).waitFor();
    const decision = page.getByRole('region', { name: 'Routing decision' });
    await decision.getByText('Served by', { exact: false }).waitFor();
    await decision.getByText('local-llm/test-chat', { exact: true }).first().waitFor();
    expect(upstream.chatRequests().at(-1)?.body).toMatchObject({ model: 'test-chat', stream: true });
    await shoot(page, '05-playground');

    // Usage: the call, with the target that served it.
    await openTab(page, 'Usage');
    const calls = page.getByRole('table', { name: 'Recent calls' });
    const callRow = calls.getByRole('row').filter({ hasText: 'fast' }).first();
    await callRow.getByText('→ local-llm/test-chat', { exact: false }).waitFor();
    await callRow.getByText('ok', { exact: true }).waitFor();
    await page.getByText('Calls', { exact: true }).waitFor();
    await page.getByText('Calls per day', { exact: true }).waitFor();
    await shoot(page, '06-usage');

    // Disable the provider: it says so, and routing refuses instead of serving.
    await openTab(page, 'Providers');
    await providerRow.getByRole('switch', { name: 'Disable local-llm' }).click();
    await providerRow.getByText('disabled', { exact: true }).waitFor();
    await shoot(page, '07-provider-disabled');
    await openTab(page, 'Routing');
    await tester.getByLabel('Model', { exact: true }).fill('fast');
    await tester.getByRole('button', { name: 'Test route' }).click();
    await verdict.getByRole('alert').waitFor();
    expect(await verdict.getByText('local-llm/test-chat', { exact: true }).count()).toBe(0);
    await shoot(page, '08-routing-refused');

    await openTab(page, 'Playground');
    const chatRequestsBefore = upstream.chatRequests().length;
    await page.getByLabel('Model', { exact: true }).selectOption('fast');
    await page.getByLabel('Message', { exact: true }).fill('Still there?');
    await page.getByRole('button', { name: 'Send' }).click();
    await decision.getByText('no target would serve it', { exact: false }).waitFor({ timeout: LIVE_TIMEOUT });
    await page.getByRole('list', { name: 'Messages' }).getByRole('alert').waitFor();
    expect(upstream.chatRequests().length).toBe(chatRequestsBefore);
    await shoot(page, '09-playground-refused');

    expect(consoleErrors).toEqual([]);
    await page.context().close();
  }, 90_000);

  it('gives an API key limits and a default data class of its own, edits and removes them', async () => {
    const page = await signIn(browser, stead.baseUrl, consoleErrors);

    // An API key to give limits to.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'API keys' }).click();
    await page.getByLabel('Key name', { exact: true }).fill('deploy bot');
    await page.getByLabel('Role', { exact: true }).selectOption('member');
    await page.getByRole('button', { name: 'Create key' }).click();
    await page.getByRole('button', { name: 'I have copied it' }).click();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Models' }).click();

    // Usage → Budgets: none of its own at first; add limits for the key.
    await openTab(page, 'Usage');
    const keyLimits = page.getByRole('region', { name: 'API key limits' });
    await keyLimits.getByText('No API key has limits of its own', { exact: false }).waitFor();
    await keyLimits.getByRole('button', { name: 'Add key limits' }).click();
    const addDialog = page.getByRole('dialog', { name: 'Limits for an API key' });
    // Nothing chosen: the form says what is missing and sends nothing.
    await addDialog.getByRole('button', { name: 'Save limits' }).click();
    await addDialog.getByText('Pick an API key.', { exact: true }).waitFor();
    await addDialog.getByLabel('API key', { exact: true }).selectOption({ label: await addDialog.getByRole('option', { name: /^deploy bot/ }).innerText() });
    await addDialog.getByRole('button', { name: 'Save limits' }).click();
    await addDialog.getByText('Set at least one limit.', { exact: true }).waitFor();
    await addDialog.getByLabel('Requests per minute', { exact: true }).fill('30');
    await addDialog.getByLabel('Spend per day ($)', { exact: true }).fill('2.5');
    await shoot(page, '10-key-limits-add', false);
    await addDialog.getByRole('button', { name: 'Save limits' }).click();
    await addDialog.waitFor({ state: 'hidden' });
    const keyRow = keyLimits.getByRole('listitem', { name: 'Limits of deploy bot' });
    await keyRow.getByText('0 used of 30', { exact: true }).waitFor();
    await keyRow.getByText('$0 used of $2.50', { exact: true }).waitFor();
    // The viewport, scrolled to the budgets (a full-page shot draws the sticky sidebar mid-page); on a phone each
    // limit carries its own label.
    await shootDesktopAndPhone(page, '11-key-limits', keyRow);

    // Edit: a new per-minute limit, the spend limit cleared.
    await keyRow.getByRole('button', { name: 'Edit limits of deploy bot' }).click();
    const editDialog = page.getByRole('dialog', { name: 'Limits of deploy bot' });
    expect(await editDialog.getByLabel('Requests per minute', { exact: true }).inputValue()).toBe('30');
    await editDialog.getByLabel('Requests per minute', { exact: true }).fill('10');
    await editDialog.getByLabel('Spend per day ($)', { exact: true }).fill('');
    await editDialog.getByRole('button', { name: 'Save limits' }).click();
    await editDialog.waitFor({ state: 'hidden' });
    await keyRow.getByText('0 used of 10', { exact: true }).waitFor();
    // Both spend limits (day and month) are unset now.
    await expect.poll(() => keyRow.getByText('$0 used, no limit', { exact: true }).count()).toBe(2);

    // Remove them: the key follows the workspace's limits alone again.
    await keyRow.getByRole('button', { name: 'Remove limits of deploy bot' }).click();
    await page.getByRole('dialog', { name: 'Remove key limits?' }).getByRole('button', { name: 'Remove limits' }).click();
    await keyLimits.getByText('No API key has limits of its own', { exact: false }).waitFor();

    // Routing → Default data class: the key gets its own default, changes it, then follows the workspace again.
    await openTab(page, 'Routing');
    const keyDefaults = page.getByRole('region', { name: 'API key defaults' });
    await keyDefaults.getByText('No API key has a default of its own', { exact: false }).waitFor();
    await keyDefaults.getByLabel('API key', { exact: true }).selectOption({ label: await keyDefaults.getByRole('option', { name: /^deploy bot/ }).innerText() });
    await keyDefaults.getByLabel('Default data class', { exact: true }).selectOption('private');
    await keyDefaults.getByRole('button', { name: 'Add key default' }).click();
    const classOfKey = keyDefaults.getByLabel('Default data class of deploy bot', { exact: true });
    await classOfKey.waitFor();
    expect(await classOfKey.inputValue()).toBe('private');
    await classOfKey.selectOption('public');
    await page.getByText('deploy bot: public', { exact: true }).waitFor();
    // The tester answers as for the key's calls: without a data class of its own, the key's default applies.
    const tester = page.getByRole('form', { name: 'Route tester' });
    await tester.getByLabel('As API key', { exact: true }).selectOption({ label: await tester.getByRole('option', { name: /^deploy bot/ }).innerText() });
    expect(await tester.getByLabel('Data class', { exact: true }).inputValue()).toBe('');
    await tester.getByRole('option', { name: 'default (public)' }).waitFor({ state: 'attached' });
    const asked = page.waitForRequest((request) => request.url().includes('/model-routes/test?') && request.url().includes('keyId=') && !request.url().includes('dataClass='));
    await tester.getByRole('button', { name: 'Test route' }).click();
    await asked;
    await shoot(page, '12-tester-as-key', false);
    await shootDesktopAndPhone(page, '12-key-defaults', keyDefaults.getByRole('button', { name: 'Add key default' }), keyDefaults);
    await keyDefaults.getByRole('button', { name: 'Remove the default of deploy bot' }).click();
    await keyDefaults.getByText('No API key has a default of its own', { exact: false }).waitFor();

    expect(consoleErrors).toEqual([]);
    await page.context().close();
  }, 60_000);
});

/**
 * Config as code: a provider, an alias and a route rule declared in stead.config.yaml show with a
 * "stead.config.yaml" badge, their controls disabled; rules made in the dashboard go after the declared one and
 * saving them leaves it in place.
 */
describe.skipIf(!chromiumAvailable)('declared gateway entries, in Chromium', () => {
  let stead: RunningStead;
  let browser: Browser;
  let upstream: Upstream;
  let configDir = '';
  const consoleErrors: string[] = [];

  const shoot = (page: Page, name: string, fullPage = true) => page.screenshot({ path: join(stead.screenshots, `models-${name}.png`), fullPage });

  beforeAll(async () => {
    await ensureBuilt();
    upstream = await startOpenAiUpstream('team-llm', ['test-chat']);
    configDir = mkdtempSync(join(tmpdir(), 'stead-e2e-config-'));
    const config = join(configDir, 'stead.config.yaml');
    writeFileSync(
      config,
      [
        'gateway:',
        '  providers:',
        '    - name: team-llm',
        '      type: openai-compatible',
        `      baseUrl: ${upstream.baseUrl}`,
        '      locality: local',
        '  aliases:',
        '    team: [team-llm/test-chat]',
        '  rules:',
        '    - name: Private stays on the team server',
        '      match: { dataClasses: [private] }',
        '      targets: [team-llm/test-chat]',
        '',
      ].join('\n'),
    );
    stead = await startStead({ env: { STEAD_CONFIG: config } });
    browser = await launchChromium();
    await setUpOwner(browser, stead.baseUrl, consoleErrors);
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await stead?.stop();
    await upstream?.close();
    if (configDir) rmSync(configDir, { recursive: true, force: true });
  });

  it('shows declared entries read-only and keeps the declared rule ahead of rules made here', async () => {
    const page = await signIn(browser, stead.baseUrl, consoleErrors);
    const hint = 'Declared in stead.config.yaml; edit it there';

    // Providers: the badge, the switch and Remove disabled with the reason, Test still there.
    await openTab(page, 'Providers');
    const providerRow = page.getByRole('table', { name: 'Providers' }).getByRole('row').filter({ hasText: 'team-llm' });
    await providerRow.getByText('stead.config.yaml', { exact: true }).waitFor();
    const toggle = providerRow.getByRole('switch', { name: 'Disable team-llm' });
    expect(await toggle.isDisabled()).toBe(true);
    expect(await toggle.getAttribute('title')).toBe(hint);
    expect(await providerRow.getByRole('button', { name: 'Remove team-llm' }).isDisabled()).toBe(true);
    await providerRow.getByRole('button', { name: 'Test team-llm' }).click();
    await providerRow.getByText(/^Reachable in .+ · 1 model$/).waitFor({ timeout: LIVE_TIMEOUT });
    // The count comes from the provider itself.
    await providerRow.getByRole('cell', { name: '1', exact: true }).waitFor();
    await shoot(page, '20-declared-provider');

    // Routing: the declared alias and rule, read-only; a rule made here goes after the declared one.
    await openTab(page, 'Routing');
    const aliasRow = page.getByRole('table', { name: 'Aliases' }).getByRole('row').filter({ hasText: 'team' });
    await aliasRow.getByText('stead.config.yaml', { exact: true }).waitFor();
    expect(await aliasRow.getByRole('button', { name: 'Edit alias team' }).isDisabled()).toBe(true);
    expect(await aliasRow.getByRole('button', { name: 'Remove alias team' }).isDisabled()).toBe(true);
    const declaredRule = page.getByRole('list', { name: 'Declared route rules' }).getByRole('listitem', { name: 'Rule 1: Private stays on the team server' });
    await declaredRule.getByText('stead.config.yaml', { exact: true }).waitFor();
    await page.getByText('No rules made here', { exact: false }).waitFor();
    await page.getByRole('button', { name: 'Add rule' }).click();
    const ownRule = page.getByRole('listitem', { name: 'Rule 2: Rule 2' });
    await ownRule.getByLabel('Then try, in order', { exact: true }).fill('team');
    await ownRule.getByRole('button', { name: 'Add to Then try, in order' }).click();
    await ownRule.getByLabel('Name of rule 2', { exact: true }).fill('Everything else via team');
    await page.getByRole('button', { name: 'Save rules' }).click();
    await page.getByRole('status').filter({ hasText: /^Saved$/ }).waitFor();
    await page.getByRole('listitem', { name: 'Rule 2: Everything else via team' }).waitFor();
    await declaredRule.waitFor();

    // The tester: a private request takes the declared rule.
    const tester = page.getByRole('form', { name: 'Route tester' });
    await tester.getByLabel('Data class', { exact: true }).selectOption('private');
    await tester.getByRole('button', { name: 'Test route' }).click();
    const verdict = page.getByRole('region', { name: 'Tester result' });
    await verdict.getByText(/Private stays on the team server/).waitFor();
    await verdict.getByText('team-llm/test-chat', { exact: true }).waitFor();
    await shoot(page, '21-declared-routing');

    expect(consoleErrors).toEqual([]);
    await page.context().close();
  }, 60_000);
});
