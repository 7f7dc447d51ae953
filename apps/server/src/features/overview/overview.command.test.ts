import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { inheritedEnv, jsonOf, runStead } from '../../../test/support/stead-cli.ts';
import { configuredBaseUrl } from './overview.command.ts';
import type { Overview } from './overview.schema.ts';

describe('configuredBaseUrl', () => {
  it('prefers the public URL, else the listen address as reached from this machine', () => {
    expect(configuredBaseUrl({ publicUrl: 'https://stead.example.com', host: '0.0.0.0', port: 7070 })).toBe('https://stead.example.com/v1');
    expect(configuredBaseUrl({ publicUrl: undefined, host: '0.0.0.0', port: 7070 })).toBe('http://127.0.0.1:7070/v1');
    expect(configuredBaseUrl({ publicUrl: undefined, host: '192.168.1.5', port: 8080 })).toBe('http://192.168.1.5:8080/v1');
    expect(configuredBaseUrl({ publicUrl: undefined, host: '::1', port: 7070 })).toBe('http://[::1]:7070/v1');
  });
});

// One spawn pair (a second or two each): the command prints what the home page shows, for scripts.
describe('stead overview', { timeout: 60_000 }, () => {
  const root = mkdtempSync(join(tmpdir(), 'stead-overview-cli-'));
  const env = { ...inheritedEnv(), STEAD_DATA_DIR: join(root, 'data'), STEAD_LOG_LEVEL: 'silent', STEAD_PUBLIC_URL: 'https://stead.example.com' };
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('prints the base URL, setup and today’s usage of a workspace', async () => {
    const admin = await runStead(['admin', 'create', '--email', 'a@example.com', '--password-stdin'], { env, cwd: root, stdin: 'first-password-1\n' });
    expect(admin.code, admin.stderr).toBe(0);
    const overview = jsonOf<Overview>(await runStead(['overview', '--workspace', 'personal', '--json'], { env, cwd: root }));
    expect(overview.gateway.baseUrl).toBe('https://stead.example.com/v1');
    expect(overview.setup).toEqual({ providers: 0, models: 0, keys: 0 });
    expect(overview.usageToday.requests).toBe(0);
  });
});
