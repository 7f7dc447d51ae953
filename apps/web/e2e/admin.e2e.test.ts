import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { chromiumAvailable, completeSetup, steadInChromium, watchConsole } from './support/stead-browser.ts';

/**
 * Instance administration from the dashboard, in Chromium against the real server: an administrator creates a
 * user and hands over the one-time link, the user sets a password with it (on a phone) and signs in; later the
 * user forgets the password, the login page says what to do, the administrator makes a reset link, the user
 * sets a new password and signs in with it; the old link and password no longer work. Promotion to
 * administrator shows in the user's sidebar.
 */
const owner = { name: 'Olivia Owner', email: 'olivia@example.com', password: 'olivia-password-1' };
const nina = { name: 'Nina New', email: 'nina@example.com' };
const desktop = { width: 1280, height: 800 };
const phone = { width: 375, height: 740 };

describe.skipIf(!chromiumAvailable)('an administrator manages users, in Chromium', () => {
  const chromium = steadInChromium();
  let baseUrl = '';
  const consoleErrors: string[] = [];
  // Wrong passwords and used links answer 401/404 on purpose; the pages explain them.
  const watch = (page: Page) => watchConsole(page, consoleErrors, (message) => /40[14]/.test(message.text()));
  const shoot = (page: Page, name: string) => page.screenshot({ path: join(chromium.stead.screenshots, `${name}.png`), fullPage: true });

  beforeAll(() => {
    baseUrl = chromium.stead.baseUrl;
  });

  /** Sets a password on the reset page a link opens, and lands on sign-in with the email filled in. */
  const setPassword = async (page: Page, link: string, password: string, screenshot?: string) => {
    await page.goto(link);
    await page.getByText(`For ${nina.name} (${nina.email})`).waitFor();
    await page.getByLabel('New password', { exact: true }).fill(password);
    await page.getByLabel('Repeat the new password', { exact: true }).fill(password);
    if (screenshot) await shoot(page, screenshot);
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.getByText('Password set').waitFor();
    await page.getByRole('link', { name: 'Go to sign in' }).click();
    await page.waitForURL('**/login**');
    expect(await page.getByLabel('Email', { exact: true }).inputValue()).toBe(nina.email);
  };

  const signIn = async (page: Page, password: string) => {
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
  };

  it('creates a user, resets a password with a link, and promotes', async () => {
    const adminContext = await chromium.browser.newContext({ viewport: desktop });
    const admin = watch(await adminContext.newPage());
    await completeSetup(admin, baseUrl, owner);

    // Create Nina; the dashboard never asks the administrator for her password.
    await admin.getByRole('link', { name: 'Users' }).click();
    await admin.waitForURL('**/admin/users');
    await admin.getByRole('button', { name: 'Create user' }).click();
    await admin.getByLabel('Name', { exact: true }).fill(nina.name);
    await admin.getByLabel('Email', { exact: true }).fill(nina.email);
    await admin.getByRole('button', { name: 'Create user' }).last().click();
    const linkField = admin.getByLabel('Password link', { exact: true });
    await linkField.waitFor();
    const firstLink = await linkField.inputValue();
    expect(firstLink).toMatch(/\/reset-password#[\w-]{43}$/);
    await shoot(admin, 'admin-01-user-created-link');
    await admin.getByRole('button', { name: 'Done' }).click();
    await admin.getByRole('table', { name: 'Users' }).getByText(nina.email).waitFor();
    await shoot(admin, 'admin-02-users-page');

    // Nina opens the link on her phone, sets a password and signs in.
    const ninaContext = await chromium.browser.newContext({ viewport: phone });
    const ninaPage = watch(await ninaContext.newPage());
    await setPassword(ninaPage, firstLink, 'nina-first-password', 'admin-03-reset-password-page-phone');
    await signIn(ninaPage, 'nina-first-password');
    await ninaPage.waitForURL((url) => !url.pathname.startsWith('/login'));
    await ninaPage.getByRole('button', { name: 'Account menu' }).click();
    await ninaPage.getByRole('menuitem', { name: 'Sign out' }).click();
    await ninaPage.waitForURL('**/login**');

    // The link worked once.
    await ninaPage.goto(firstLink);
    await ninaPage.getByText('This link cannot be used').waitFor();

    // She forgets the password: the login page says what to do.
    await ninaPage.goto(`${baseUrl}/login`);
    await ninaPage.getByRole('button', { name: 'Forgot password?' }).click();
    await ninaPage.getByText('This Stead instance sends no email').waitFor();
    await ninaPage.getByText('stead users reset-password --email').waitFor();
    await shoot(ninaPage, 'admin-04-forgot-password-phone');

    // The administrator makes a reset link from the user's actions.
    await admin.getByRole('button', { name: `Actions for ${nina.name}` }).click();
    await admin.getByRole('menuitem', { name: 'Reset password…' }).click();
    await admin.getByRole('button', { name: 'Make reset link' }).click();
    await linkField.waitFor();
    const resetLink = await linkField.inputValue();
    expect(resetLink).not.toBe(firstLink);
    await shoot(admin, 'admin-05-reset-link');
    await admin.getByRole('button', { name: 'Done' }).click();

    // The reset page at desktop width (looking does not use the link up).
    const desktopContext = await chromium.browser.newContext({ viewport: desktop });
    const desktopPage = watch(await desktopContext.newPage());
    await desktopPage.goto(resetLink);
    await desktopPage.getByText(`For ${nina.name} (${nina.email})`).waitFor();
    await shoot(desktopPage, 'admin-05b-reset-password-page');
    await desktopContext.close();

    // Nina sets a new password with it and signs in; the old one fails.
    await setPassword(ninaPage, resetLink, 'nina-second-password');
    await signIn(ninaPage, 'nina-first-password');
    await ninaPage.getByRole('alert').first().waitFor();
    await signIn(ninaPage, 'nina-second-password');
    await ninaPage.waitForURL((url) => !url.pathname.startsWith('/login'));
    expect(await ninaPage.getByRole('link', { name: 'Users' }).count()).toBe(0);

    // Promoted, she sees the instance section on her next page load.
    await admin.getByRole('button', { name: `Actions for ${nina.name}` }).click();
    await admin.getByRole('menuitem', { name: 'Make administrator…' }).click();
    await admin.getByRole('button', { name: 'Make administrator' }).click();
    await admin.getByText(`${nina.name} is now an administrator`).waitFor();
    await ninaPage.goto(`${baseUrl}/admin/users`);
    await ninaPage.getByRole('table', { name: 'Users' }).getByText(owner.email).waitFor();
    await shoot(ninaPage, 'admin-06-users-page-phone');

    // With two administrators, one may remove the other.
    await admin.getByRole('button', { name: `Actions for ${nina.name}` }).click();
    await admin.getByRole('menuitem', { name: 'Remove administrator…' }).click();
    await admin.getByRole('button', { name: 'Remove administrator' }).click();
    await admin.getByText(`${nina.name} is no longer an administrator`).waitFor();

    expect(consoleErrors).toEqual([]);
    await ninaContext.close();
    await adminContext.close();
  });
});
