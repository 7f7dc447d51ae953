import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, steadInChromium, watchConsole, workspaceHomeUrl } from './support/stead-browser.ts';

/**
 * The whole first-day journey in a real browser against the real server (the `stead` program on a fresh
 * SQLite data directory, serving the built dashboard): setup → sign in → create a workspace → invite a
 * colleague who accepts → create an API key → see every one of those actions in the audit log.
 * Screenshots of each step go to STEAD_TEST_SCREENSHOTS (default: a temp folder) for people to look at.
 */
const owner = { name: 'Olivia Owner', email: 'olivia@example.com', password: 'olivia-password-1' };
const colleague = { name: 'Carl Colleague', email: 'carl@example.com', password: 'carl-password-12' };

describe.skipIf(!chromiumAvailable)('first day with Stead, in Chromium', () => {
  const chromium = steadInChromium();
  let baseUrl = '';
  const consoleErrors: string[] = [];

  const shoot = (page: Page, name: string) => page.screenshot({ path: join(chromium.stead.screenshots, `${name}.png`), fullPage: true });
  const watch = (page: Page) => watchConsole(page, consoleErrors);

  beforeAll(() => {
    baseUrl = chromium.stead.baseUrl;
  });

  it('walks setup, sign-in, workspace, invitation, API key and audit log', async () => {
    const context = await chromium.browser.newContext({ viewport: { width: 1280, height: 800 } });
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
    await page.waitForURL(workspaceHomeUrl());

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
    await page.waitForURL(workspaceHomeUrl());

    // A second workspace, which becomes the current one.
    const firstWorkspaceUrl = page.url();
    await page.getByRole('button', { name: /workspace/i }).first().click();
    await page.getByRole('menuitem', { name: /create workspace/i }).click();
    await page.getByLabel('Workspace name', { exact: true }).fill('Research');
    await page.getByRole('button', { name: 'Create workspace' }).click();
    await page.waitForURL((url) => workspaceHomeUrl().test(url.pathname) && url.href !== firstWorkspaceUrl);
    const researchId = page.url().split('/w/')[1]!.split('/')[0]!;
    await page.getByText('Research').first().waitFor();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Members' }).click();
    await page.waitForURL('**/members');

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
    const guestContext = await chromium.browser.newContext({ viewport: { width: 375, height: 740 } });
    const guest = watch(await guestContext.newPage());
    await guest.goto(inviteUrl);
    await guest.getByText('Research').first().waitFor();
    await guest.getByLabel('Name', { exact: true }).fill(colleague.name);
    await guest.getByLabel('Email', { exact: true }).fill(colleague.email);
    await guest.getByLabel('Password', { exact: true }).fill(colleague.password);
    await shoot(guest, '04-invitation-phone');
    await guest.getByRole('button', { name: 'Create account and join' }).click();
    await guest.waitForURL(workspaceHomeUrl(researchId));
    await guest.goto(`${baseUrl}/w/${researchId}/members`);
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
