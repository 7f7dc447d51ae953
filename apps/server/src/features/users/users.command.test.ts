import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inheritedEnv, jsonOf, runStead, type Env } from '../../../test/support/stead-cli.ts';
import { createCore } from '../../app.ts';
import { loadConfig } from '../../config/config.loader.ts';

/**
 * `stead users …`, spawned as an operator on the server runs them. SQLite only: the commands call the same
 * services the HTTP routes do, which users.test.ts covers on both dialects; each spawn costs seconds.
 */
describe('stead users on sqlite', { timeout: 60_000 }, () => {
  let root: string;
  let env: Env;
  const stead = (args: string[], stdin?: string) => runStead(args, { env, cwd: root, ...(stdin === undefined ? {} : { stdin }) });

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'stead-users-cli-'));
    env = { ...inheritedEnv(), STEAD_DATA_DIR: join(root, 'data'), STEAD_LOG_LEVEL: 'silent', STEAD_PUBLIC_URL: 'https://stead.example.com' };
  });
  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('creates a user with a set-password link, prints reset links, and keeps the last administrator', async () => {
    expect((await stead(['admin', 'create', '--email', 'root@example.com', '--password-stdin'], 'root-password-1\n')).code).toBe(0);

    const created = jsonOf<{ user: { email: string; isAdmin: boolean }; resetLink: { url: string } }>(await stead(['users', 'create', '--email', 'bea@example.com', '--name', 'Bea', '--json']));
    expect(created.user).toMatchObject({ email: 'bea@example.com', isAdmin: false });
    expect(created.resetLink.url).toMatch(/^https:\/\/stead\.example\.com\/reset-password#[\w-]{43}$/);

    const reset = await stead(['users', 'reset-password', '--email', 'bea@example.com']);
    expect(reset.code).toBe(0);
    const url = /https:\/\/\S+/.exec(reset.stdout)?.[0] ?? '';
    expect(url).toContain('/reset-password#');
    expect(url).not.toBe(created.resetLink.url);

    const lastAdmin = await stead(['users', 'demote', '--email', 'root@example.com']);
    expect(lastAdmin.code).not.toBe(0);
    expect(lastAdmin.stderr).toContain('last_instance_admin');
    expect((await stead(['users', 'promote', '--email', 'bea@example.com'])).code).toBe(0);
    const listed = jsonOf<{ users: { email: string; isAdmin: boolean }[] }>(await stead(['users', 'list', '--json']));
    expect(listed.users.map((user) => [user.email, user.isAdmin])).toEqual([['root@example.com', true], ['bea@example.com', true]]);

    // The printed link is the one that works (the first one was replaced by it).
    const core = await createCore(loadConfig({ env, cwd: root }).config);
    try {
      await expect(core.auth.resetPasswordWithLink(created.resetLink.url.split('/reset-password#')[1]!, 'bea-password-1')).rejects.toMatchObject({ code: 'reset_link_invalid' });
      const user = await core.auth.resetPasswordWithLink(url.split('/reset-password#')[1]!, 'bea-password-1');
      expect(user.email).toBe('bea@example.com');
    } finally {
      await core.close();
    }
  });
});
