import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { chromiumAvailable, completeSetup, steadInChromium, watchConsole } from './support/stead-browser.ts';

/**
 * The workspace secrets store in a real browser: the owner adds a secret (value in a password field), sees it
 * listed without its value, replaces the value and changes who may use it, picks it as a webhook's signing secret
 * in the task form, and deletes it after confirming. Screenshots go to STEAD_TEST_SCREENSHOTS, named `secrets-…`.
 */
const owner = { name: 'Olivia Owner', email: 'olivia@example.com', password: 'olivia-password-1' };
const value = 'whsec_c2VjcmV0LXZhbHVlLW5ldmVyLXNob3du';
const replacement = 'whsec_cmVwbGFjZWQtdmFsdWUtbmV2ZXItc2hvd24';

describe.skipIf(!chromiumAvailable)('workspace secrets, in Chromium', () => {
  const chromium = steadInChromium();
  const consoleErrors: string[] = [];
  const shoot = (page: Page, name: string) => page.screenshot({ path: join(chromium.stead.screenshots, `secrets-${name}.png`), fullPage: true });

  it('adds, lists, replaces, picks and deletes a secret without ever showing its value', async () => {
    const context = await chromium.browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = watchConsole(await context.newPage(), consoleErrors);
    await completeSetup(page, chromium.stead.baseUrl, owner);

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Secrets' }).click();
    await page.waitForURL('**/secrets');
    await page.getByText('No secrets yet.', { exact: false }).waitFor();
    expect(await page.getByLabel('Value', { exact: true }).getAttribute('type')).toBe('password');
    await page.getByLabel('Name', { exact: true }).fill('github-webhook');
    await page.getByLabel('Value', { exact: true }).fill(value);
    await page.getByLabel('Description', { exact: true }).fill('Signs deploy webhooks');
    await page.getByLabel('Tasks may use it when created by').selectOption('member');
    await page.getByRole('button', { name: 'Add secret' }).click();
    const row = page.getByRole('row').filter({ hasText: 'github-webhook' });
    await row.waitFor();
    await row.getByText('Signs deploy webhooks').waitFor();
    expect(await page.getByLabel('Value', { exact: true }).inputValue()).toBe('');
    expect(await page.content()).not.toContain(value);
    await shoot(page, '01-listed');

    // Replace the value and raise who may use it; the dialog never shows the old value.
    await row.getByRole('button', { name: 'Edit' }).click();
    const dialog = page.getByRole('dialog', { name: 'Edit “github-webhook”' });
    expect(await dialog.getByLabel('New value').inputValue()).toBe('');
    await dialog.getByLabel('New value').fill(replacement);
    await dialog.getByLabel('Tasks may use it when created by').selectOption('admin');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await row.getByText('admin', { exact: true }).waitFor();
    expect(await page.content()).not.toContain(replacement);

    // The task form offers it as the signing secret of a webhook.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Tasks' }).click();
    await page.waitForURL('**/tasks');
    await page.getByRole('button', { name: 'Run task' }).click();
    const runDialog = page.getByRole('dialog', { name: 'Run task' });
    await runDialog.getByLabel('Kind', { exact: true }).selectOption('webhook.deliver');
    await runDialog.getByLabel('Signing secret').selectOption('github-webhook');
    expect(JSON.parse(await runDialog.getByLabel('Input (JSON)', { exact: true }).inputValue())).toMatchObject({ secretName: 'github-webhook' });
    await shoot(page, '02-task-form-picker');
    await page.keyboard.press('Escape');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Secrets' }).click();
    await row.getByRole('button', { name: 'Delete' }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete secret?' });
    await confirm.getByRole('button', { name: 'Delete secret' }).click();
    await page.getByText('No secrets yet.', { exact: false }).waitFor();
    expect(consoleErrors).toEqual([]);
  });
});
