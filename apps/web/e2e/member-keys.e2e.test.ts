import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, completeSetup, steadInChromium, watchConsole, workspaceHomeUrl } from './support/stead-browser.ts';

/**
 * A member's day with API keys, in Chromium against the real server: the API keys page is in their sidebar,
 * they create a key for themselves (roles offered up to their own), see only their own keys, and when an
 * admin turns self-service off they get an explanation instead of an error; pages their role cannot use
 * (workspace settings, the audit log) explain whom to ask. The owner sees the invitation as accepted, by whom.
 */
const owner = { name: 'Olivia Owner', email: 'olivia@example.com', password: 'olivia-password-1' };
const member = { name: 'Max Member', email: 'max@example.com', password: 'max-password-123' };
const desktop = { width: 1280, height: 800 };
const phone = { width: 375, height: 740 };

describe.skipIf(!chromiumAvailable)('a member creates their own API key, in Chromium', () => {
  const chromium = steadInChromium();
  let baseUrl = '';
  const consoleErrors: string[] = [];
  // The pages a member may not use answer 403 on purpose; the page explains it.
  const watch = (page: Page) => watchConsole(page, consoleErrors, (message) => message.text().includes('403'));
  const shoot = (page: Page, name: string) => page.screenshot({ path: join(chromium.stead.screenshots, `${name}.png`), fullPage: true });

  beforeAll(() => {
    baseUrl = chromium.stead.baseUrl;
  });

  /** The owner invites Max as a member through the API (the invitation journey has its own test). */
  const invite = async (ownerContext: BrowserContext, workspaceId: string): Promise<string> => {
    const response = await ownerContext.request.post(`${baseUrl}/api/workspaces/${workspaceId}/invitations`, {
      data: { email: member.email, role: 'member' },
      headers: { origin: baseUrl },
    });
    expect(response.status()).toBe(201);
    return ((await response.json()) as { url: string }).url;
  };

  it('walks the API keys page as a member, with self-service on and then off', async () => {
    const ownerContext = await chromium.browser.newContext({ viewport: desktop });
    const ownerPage = watch(await ownerContext.newPage());
    await completeSetup(ownerPage, baseUrl, owner);
    const workspaceId = ownerPage.url().split('/w/')[1]!.split('/')[0]!;
    // The owner's own key, which the member must not see.
    await ownerPage.goto(`${baseUrl}/w/${workspaceId}/keys`);
    await ownerPage.getByLabel('Key name', { exact: true }).fill('owner automation');
    await ownerPage.getByRole('button', { name: 'Create key' }).click();
    await ownerPage.getByRole('button', { name: 'I have copied it' }).click();

    const inviteUrl = await invite(ownerContext, workspaceId);
    const memberContext = await chromium.browser.newContext({ viewport: desktop });
    const page = watch(await memberContext.newPage());
    await page.goto(inviteUrl);
    await page.getByLabel('Name', { exact: true }).fill(member.name);
    await page.getByLabel('Email', { exact: true }).fill(member.email);
    await page.getByLabel('Password', { exact: true }).fill(member.password);
    await page.getByRole('button', { name: 'Create account and join' }).click();
    await page.waitForURL(workspaceHomeUrl(workspaceId));

    // The owner sees the invitation as accepted by Max, not as expiring.
    await ownerPage.goto(`${baseUrl}/w/${workspaceId}/members`);
    await ownerPage.getByRole('cell', { name: /^Accepted .* by Max Member$/ }).waitFor();
    expect(await ownerPage.getByText(/Expires in/).count()).toBe(0);
    await ownerPage.screenshot({ path: join(chromium.stead.screenshots, 'member-keys-00-invitation-accepted.png'), fullPage: true });

    // The API keys page is in the member's sidebar.
    await page.getByRole('link', { name: 'API keys' }).click();
    await page.waitForURL(`**/w/${workspaceId}/keys`);
    await page.getByText('You have no API keys here yet.').waitFor();
    const roles = await page.getByLabel('Role', { exact: true }).locator('option').allTextContents();
    expect(roles).toEqual(['member', 'viewer']);
    await page.getByLabel('Key name', { exact: true }).fill('laptop script');
    await page.getByRole('button', { name: 'Create key' }).click();
    const secretField = page.getByLabel('API key secret');
    await secretField.waitFor();
    const secret = await secretField.inputValue();
    expect(secret).toMatch(/^stead_/);
    const viaKey = await fetch(`${baseUrl}/api/workspaces/${workspaceId}/members`, { headers: { authorization: `Bearer ${secret}` } });
    expect(viaKey.status).toBe(200);
    await page.getByRole('button', { name: 'I have copied it' }).click();
    await page.getByRole('table', { name: 'Your API keys' }).getByText('laptop script').waitFor();
    expect(await page.getByText('owner automation').count()).toBe(0);
    await shoot(page, 'member-keys-01-keys-page-member');

    const phoneContext = await chromium.browser.newContext({ viewport: phone, storageState: await memberContext.storageState() });
    const phonePage = watch(await phoneContext.newPage());
    await phonePage.goto(`${baseUrl}/w/${workspaceId}/keys`);
    await phonePage.getByText('laptop script').waitFor();
    await shoot(phonePage, 'member-keys-02-keys-page-member-phone');

    // Pages a member cannot use explain themselves instead of showing an error string.
    await page.goto(`${baseUrl}/w/${workspaceId}/settings`);
    await page.getByText('Workspace settings are for admins').waitFor();
    await shoot(page, 'member-keys-03-forbidden-settings');
    await page.goto(`${baseUrl}/w/${workspaceId}/audit`);
    await page.getByText('Not available with your role').waitFor();
    expect(await page.getByText('does not grant').count()).toBe(0);
    await shoot(page, 'member-keys-04-forbidden-audit');
    await phonePage.goto(`${baseUrl}/w/${workspaceId}/settings`);
    await phonePage.getByText('Workspace settings are for admins').waitFor();
    await shoot(phonePage, 'member-keys-05-forbidden-settings-phone');

    // The owner turns self-service off in the workspace settings.
    await ownerPage.goto(`${baseUrl}/w/${workspaceId}/settings`);
    const toggle = ownerPage.getByRole('switch', { name: 'Members create their own API keys' });
    await ownerPage.locator('#member-keys:not([disabled])').waitFor();
    expect(await toggle.getAttribute('aria-checked')).toBe('true');
    await toggle.click();
    await ownerPage.getByText('Only admins and owners create API keys now').waitFor();
    expect(await toggle.getAttribute('aria-checked')).toBe('false');
    await ownerPage.screenshot({ path: join(chromium.stead.screenshots, 'member-keys-06-settings-owner.png'), fullPage: true });

    await page.goto(`${baseUrl}/w/${workspaceId}/keys`);
    await page.getByText('API keys are managed by admins of this workspace').waitFor();
    expect(await page.getByRole('button', { name: 'Create key' }).count()).toBe(0);
    await page.getByText('laptop script').waitFor();
    await shoot(page, 'member-keys-07-keys-off-member');
    await phonePage.goto(`${baseUrl}/w/${workspaceId}/keys`);
    await phonePage.getByText('API keys are managed by admins of this workspace').waitFor();
    await shoot(phonePage, 'member-keys-08-keys-off-member-phone');

    // The member still revokes their own key.
    await page.getByRole('button', { name: 'Revoke laptop script' }).click();
    await page.getByRole('button', { name: 'Revoke key' }).click();
    await page.getByText('revoked', { exact: true }).waitFor();
    const afterRevoke = await fetch(`${baseUrl}/api/workspaces/${workspaceId}/members`, { headers: { authorization: `Bearer ${secret}` } });
    expect(afterRevoke.status).toBe(401);

    expect(consoleErrors).toEqual([]);
    await phoneContext.close();
    await memberContext.close();
    await ownerContext.close();
  });
});
