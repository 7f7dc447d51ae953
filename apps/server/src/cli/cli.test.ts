import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../feature-list.ts';
import { isolatedPostgresUrl } from '../../test/support/databases.ts';
import { serviceUrl } from '../../test/support/services.ts';
import { inheritedEnv, jsonOf, runStead, type Env } from '../../test/support/stead-cli.ts';
import { createCore, type SteadCore } from '../app.ts';
import { loadConfig } from '../config/config.loader.ts';
import type { DatabaseDialect } from '../platform/database/database.port.ts';

/**
 * The real `stead` program, spawned the way a script or an operator runs it. Each spawn pays for tsx
 * start-up (about a second), so each database gets one sequence of steps sharing a data directory.
 */
const rootPackage = JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as { version: string };

const run = runStead;


const noStack = (stderr: string) => expect(stderr).not.toMatch(/^\s+at /m);

interface Sandbox {
  root: string;
  dataDir: string;
  webDir: string;
  env: Env;
}

const createSandbox = (extraEnv: Env = {}): Sandbox => {
  const root = mkdtempSync(join(tmpdir(), 'stead-cli-'));
  const dataDir = join(root, 'data');
  // `stead doctor` checks for a built web app; a stand-in keeps the check independent of `npm run build`.
  const webDir = join(root, 'web');
  mkdirSync(webDir);
  writeFileSync(join(webDir, 'index.html'), '<!doctype html><title>Stead</title>\n');
  return { root, dataDir, webDir, env: { ...inheritedEnv(), STEAD_DATA_DIR: dataDir, STEAD_LOG_LEVEL: 'silent', ...extraEnv } };
};

// Each spawn takes one to two seconds, more while the whole suite runs; a step makes up to five.
const stepTimeout = { timeout: 60_000 };

describe('stead (no database needed)', stepTimeout, () => {
  let sandbox: Sandbox;
  const stead = (args: string[], env: Env = {}) => run(args, { env: { ...sandbox.env, ...env }, cwd: sandbox.root });

  beforeAll(() => {
    sandbox = createSandbox();
  });
  afterAll(() => {
    rmSync(sandbox.root, { recursive: true, force: true });
  });

  it('prints the package version', async () => {
    const output = jsonOf<{ version: string }>(await stead(['version', '--json']));
    expect(output).toEqual({ version: rootPackage.version });
  });

  it('lists its commands in --help', async () => {
    const help = await stead(['--help']);
    expect(help.code).toBe(0);
    for (const command of ['start', 'worker', 'migrate', 'doctor', 'version', 'admin', 'workspaces', 'keys', 'secrets', 'tasks', 'schedules', 'providers', 'models', 'routes']) {
      expect(help.stdout).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
    }
    const adminHelp = await stead(['admin', '--help']);
    expect(adminHelp.code).toBe(0);
    expect(adminHelp.stdout).toMatch(/^\s+create\b/m);
    expect(adminHelp.stdout).toMatch(/^\s+reset-password\b/m);
  });

  it('stops with exit code 1 and names the setting when the configuration is invalid', async () => {
    const badPort = await stead(['migrate'], { STEAD_PORT: 'abc' });
    expect(badPort.code).toBe(1);
    expect(badPort.stderr).toMatch(/^error \[config_invalid\]: STEAD_PORT: /);
    noStack(badPort.stderr);
    expect(existsSync(sandbox.dataDir)).toBe(false);

    const yaml = join(sandbox.root, 'broken.yaml');
    writeFileSync(yaml, 'port: [\n');
    const badFile = await stead(['workspaces', 'list'], { STEAD_CONFIG: yaml });
    expect(badFile.code).toBe(1);
    expect(badFile.stderr.startsWith(`error [config_invalid]: ${yaml}: `)).toBe(true);
    noStack(badFile.stderr);
  });

  it('refuses a key expiry that is not a whole number of days, before touching any data', async () => {
    for (const days of ['0', 'abc']) {
      const result = await stead(['keys', 'create', '--email', 'a@example.com', '--workspace', 'ops', '--expires-in-days', days]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(`option '--expires-in-days <days>' argument '${days}' is invalid`);
    }
    expect(existsSync(sandbox.dataDir)).toBe(false);
  });

  it('doctor exits 1 and says why when a check fails', async () => {
    const emptyWebDir = join(sandbox.root, 'no-web');
    mkdirSync(emptyWebDir);
    const result = await stead(['doctor', '--json'], { STEAD_WEB_DIR: emptyWebDir });
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as { healthy: boolean; checks: { name: string; ok: boolean; detail: string }[] };
    expect(report.healthy).toBe(false);
    expect(report.checks.find((check) => check.name === 'web app built')).toMatchObject({ ok: false, detail: expect.stringContaining('missing') });
  });

  // Tests run as root, for whom a chmod 0500 directory is still writable: a data directory under a regular file,
  // and a `stead.db` that is a directory, fail for root too.
  it('an unusable data directory: start, doctor and tasks list name the path and the cause, with no stack trace', async () => {
    writeFileSync(join(sandbox.root, 'a-file'), 'not a directory');
    const underFile = join(sandbox.root, 'a-file', 'data');
    const blocked = join(sandbox.root, 'blocked');
    mkdirSync(join(blocked, 'stead.db'), { recursive: true });

    const start = await stead(['start'], { STEAD_DATA_DIR: underFile, STEAD_PORT: '0' });
    expect(start.code).toBe(1);
    expect(start.stderr).toContain(`error [data_dir_unusable]: The data directory ${underFile} cannot be created: ENOTDIR`);
    noStack(start.stderr);

    const list = await stead(['tasks', 'list', '--workspace', 'ops'], { STEAD_DATA_DIR: blocked });
    expect(list.code).toBe(1);
    expect(list.stderr).toContain(`error [database_open_failed]: Cannot open the SQLite database ${join(blocked, 'stead.db')}: EISDIR`);
    noStack(list.stderr);

    for (const dataDir of [underFile, blocked]) {
      const doctor = await stead(['doctor', '--json'], { STEAD_DATA_DIR: dataDir });
      expect(doctor.code, doctor.stderr).toBe(1);
      noStack(doctor.stderr);
      const report = JSON.parse(doctor.stdout) as { healthy: boolean; checks: { name: string; ok: boolean; detail: string }[] };
      expect(report.healthy).toBe(false);
      expect(report.checks.find((check) => check.name === 'database reachable')).toMatchObject({ ok: false, detail: expect.stringContaining(join(dataDir, 'stead.db')) });
      expect(report.checks.map((check) => check.name)).toEqual(expect.arrayContaining(['data directory writable', 'database integrity', 'migrations', 'web app built']));
    }
  });

  it('doctor reports a data directory or database file other users can read', async () => {
    const dataDir = join(sandbox.root, 'loose');
    mkdirSync(dataDir, { mode: 0o755 });
    chmodSync(dataDir, 0o755);
    writeFileSync(join(dataDir, 'stead.db'), '');
    chmodSync(join(dataDir, 'stead.db'), 0o644);
    const result = await stead(['doctor', '--json'], { STEAD_DATA_DIR: dataDir, STEAD_WEB_DIR: sandbox.webDir });
    const report = JSON.parse(result.stdout) as { healthy: boolean; checks: { name: string; ok: boolean; detail: string }[] };
    expect(report.checks.find((check) => check.name === 'data directory permissions')).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/loose is 0755 \(should be 0700\); stead\.db is 0644 \(should be 0600\)/),
    });
    expect(report.healthy).toBe(false);
    expect(result.code).toBe(1);
  });
});

const cliSuite = (dialect: DatabaseDialect) => {
  const enabled = dialect === 'sqlite' || serviceUrl('postgres') !== undefined;

  describe.skipIf(!enabled)(`stead on ${dialect}`, stepTimeout, () => {
    let sandbox: Sandbox;
    let disposeDatabase: (() => Promise<void>) | undefined;
    const stead = (args: string[], options: { env?: Env; stdin?: string } = {}) =>
      run(args, { env: { ...sandbox.env, ...options.env }, cwd: sandbox.root, ...(options.stdin === undefined ? {} : { stdin: options.stdin }) });

    /** The same core the CLI builds, in-process, to check what a command left behind. */
    const withCore = async <T>(action: (core: SteadCore) => Promise<T>): Promise<T> => {
      const core = await createCore(loadConfig({ env: sandbox.env, cwd: sandbox.root }).config);
      try {
        return await action(core);
      } finally {
        await core.close();
      }
    };

    const email = 'a@example.com';
    const password = 'first-password-1';
    const newPassword = 'second-password-2';
    const client = { cookie: undefined, userAgent: undefined, clientAddress: '127.0.0.1' };
    const keySecrets: { id: string; secret: string }[] = [];

    beforeAll(async () => {
      if (dialect === 'postgres') {
        const isolated = await isolatedPostgresUrl(serviceUrl('postgres')!);
        disposeDatabase = isolated.dispose;
        sandbox = createSandbox({ STEAD_DATABASE_URL: isolated.url });
      } else {
        sandbox = createSandbox();
      }
    });
    afterAll(async () => {
      await disposeDatabase?.();
      if (sandbox) rmSync(sandbox.root, { recursive: true, force: true });
    });

    it('migrate applies every migration once, starting with the platform one', async () => {
      const first = jsonOf<{ database: string; applied: string[] }>(await stead(['migrate', '--json']));
      expect(first.applied[0]).toBe('0001-platform');
      expect(first.applied).toEqual(Object.keys(migrations));
      if (dialect === 'sqlite') expect(first.database).toBe(join(sandbox.dataDir, 'stead.db'));
      const second = jsonOf<{ applied: string[] }>(await stead(['migrate', '--json']));
      expect(second.applied).toEqual([]);
    });

    it('admin create makes an administrator with a workspace, refusing weak passwords and duplicates', async () => {
      const created = jsonOf<{ user: { id: string; email: string; isAdmin: unknown }; workspace: { name: string; slug: string } }>(
        await stead(['admin', 'create', '--email', email, '--password-stdin', '--json'], { stdin: `${password}\n` }),
      );
      expect(created.user.email).toBe(email);
      expect(created.workspace).toMatchObject({ name: 'Personal', slug: 'personal' });
      expect(JSON.stringify(created)).not.toContain(password);

      const weak = await stead(['admin', 'create', '--email', 'b@example.com', '--password-stdin'], { stdin: 'short\n' });
      expect(weak.code).toBe(1);
      expect(weak.stderr).toMatch(/^error \[password_too_weak\]: /);
      noStack(weak.stderr);

      const duplicate = await stead(['admin', 'create', '--email', email, '--password-stdin'], { stdin: `${password}\n` });
      expect(duplicate.code).toBe(1);
      expect(duplicate.stderr).toMatch(/^error \[email_taken\]: /);

      await withCore(async (core) => {
        expect(await core.auth.findUserByEmail('b@example.com')).toBeFalsy();
        expect((await core.workspaces.listAll()).map((workspace) => workspace.slug)).toEqual(['personal']);
      });
    });

    it('workspaces create and list', async () => {
      const { workspace } = jsonOf<{ workspace: { id: string; name: string; slug: string } }>(
        await stead(['workspaces', 'create', '--name', 'Ops', '--owner', email, '--json']),
      );
      expect(workspace).toMatchObject({ name: 'Ops', slug: 'ops' });
      const { workspaces } = jsonOf<{ workspaces: { id: string; name: string; slug: string }[] }>(await stead(['workspaces', 'list', '--json']));
      expect(workspaces.map((entry) => entry.slug).sort()).toEqual(['ops', 'personal']);
      expect(workspaces.find((entry) => entry.slug === 'ops')?.id).toBe(workspace.id);
    });

    it('tasks run, list, show, cancel and retry; bad kinds and inputs create nothing', async () => {
      const unknown = await stead(['tasks', 'run', 'no.such', '--workspace', 'ops']);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toMatch(/^error \[task_kind_unknown\]: /);
      const invalid = await stead(['tasks', 'run', 'http.request', '--workspace', 'ops', '--input', '{"url":"ftp://x"}']);
      expect(invalid.stderr).toMatch(/^error \[validation_failed\]: .*input\.url/);
      const notJson = await stead(['tasks', 'run', 'http.request', '--workspace', 'ops', '--input', '{url']);
      expect(notJson.code).toBe(1);
      expect(jsonOf<{ tasks: unknown[] }>(await stead(['tasks', 'list', '--workspace', 'ops', '--json'])).tasks).toEqual([]);

      // No worker runs here, so the task stays queued until a server picks it up.
      const { task } = jsonOf<{ task: { id: string; state: string; origin: { type: string } } }>(
        await stead(['tasks', 'run', 'http.request', '--workspace', 'ops', '--input', '{"url":"https://example.com/"}', '--delay-ms', '60000', '--json']),
      );
      expect(task).toMatchObject({ state: 'queued', origin: { type: 'cli' } });
      const listed = jsonOf<{ tasks: { id: string }[] }>(await stead(['tasks', 'list', '--workspace', 'ops', '--state', 'queued', '--json']));
      expect(listed.tasks.map((entry) => entry.id)).toEqual([task.id]);
      expect((await stead(['tasks', 'cancel', '--id', task.id, '--workspace', 'ops'])).stdout).toContain('is cancelled');
      const shown = jsonOf<{ task: { state: string } }>(await stead(['tasks', 'show', '--id', task.id, '--workspace', 'ops', '--json']));
      expect(shown.task.state).toBe('cancelled');
      const again = await stead(['tasks', 'cancel', '--id', task.id, '--workspace', 'ops']);
      expect(again.stderr).toMatch(/^error \[task_state_conflict\]: /);
      expect((await stead(['tasks', 'retry', '--id', task.id, '--workspace', 'ops'])).stdout).toContain('is queued');
    });

    it('schedules add prints the next fire times; list, disable, enable and remove', async () => {
      const badCron = await stead(['schedules', 'add', '--workspace', 'ops', '--name', 'bad', '--kind', 'http.request', '--input', '{"url":"https://example.com/"}', '--cron', 'not a cron']);
      expect(badCron.code).toBe(1);
      expect(badCron.stderr).toMatch(/^error \[schedule_invalid\]: /);
      const added = await stead(['schedules', 'add', '--workspace', 'ops', '--name', 'nightly', '--kind', 'http.request', '--input', '{"url":"https://example.com/"}', '--cron', '0 3 * * *', '--tz', 'Europe/Berlin']);
      expect(added.code, added.stderr).toBe(0);
      expect(added.stdout).toMatch(/Next fire times:\n( {2}\d{4}-\d\d-\d\dT0[12]:00:00\.000Z\n?){3}/);
      const { schedules } = jsonOf<{ schedules: { id: string; name: string; enabled: boolean }[] }>(await stead(['schedules', 'list', '--workspace', 'ops', '--json']));
      expect(schedules).toEqual([expect.objectContaining({ name: 'nightly', enabled: true })]);
      const id = schedules[0]!.id;
      expect(jsonOf<{ schedule: { enabled: boolean } }>(await stead(['schedules', 'disable', '--workspace', 'ops', '--id', id, '--json'])).schedule.enabled).toBe(false);
      expect(jsonOf<{ schedule: { enabled: boolean } }>(await stead(['schedules', 'enable', '--workspace', 'ops', '--id', id, '--json'])).schedule.enabled).toBe(true);
      expect((await stead(['schedules', 'remove', '--workspace', 'ops', '--id', id])).code).toBe(0);
      expect(jsonOf<{ schedules: unknown[] }>(await stead(['schedules', 'list', '--workspace', 'ops', '--json'])).schedules).toEqual([]);
    });

    it('keys create prints the secret once, list never shows it, revoke takes effect', async () => {
      const created = jsonOf<{ key: { id: string; role: string; name: string }; secret: string }>(
        await stead(['keys', 'create', '--email', email, '--workspace', 'ops', '--role', 'admin', '--json']),
      );
      expect(created.key).toMatchObject({ role: 'admin', name: 'cli' });
      expect(created.secret).toMatch(/^stead_[\w-]+$/);
      keySecrets.push({ id: created.key.id, secret: created.secret });

      // Without --json only the secret is printed, so `KEY=$(stead keys create …)` captures exactly it.
      const plain = await stead(['keys', 'create', '--email', email, '--workspace', 'ops', '--name', 'deploy', '--expires-in-days', '30']);
      expect(plain.code, plain.stderr).toBe(0);
      expect(plain.stdout).toMatch(/^stead_[\w-]+\n$/);
      const plainSecret = plain.stdout.trim();

      const listed = await stead(['keys', 'list', '--workspace', 'ops', '--json']);
      const { keys } = jsonOf<{ keys: { id: string; name: string; role: string; createdAt: string; expiresAt: string | null; revokedAt: string | null }[] }>(listed);
      expect(keys.map((key) => key.name).sort()).toEqual(['cli', 'deploy']);
      const deploy = keys.find((key) => key.name === 'deploy')!;
      expect(deploy.role).toBe('member');
      expect(Date.parse(deploy.expiresAt!) - Date.parse(deploy.createdAt)).toBe(30 * 86_400_000);
      expect(keys.find((key) => key.name === 'cli')?.expiresAt).toBeNull();
      expect(listed.stdout).not.toContain(created.secret);
      expect(listed.stdout).not.toContain(plainSecret);
      expect(keys.every((key) => !('secret' in key) && key.revokedAt === null)).toBe(true);
      keySecrets.push({ id: keys.find((key) => key.name === 'deploy')!.id, secret: plainSecret });

      const revoked = await stead(['keys', 'revoke', '--workspace', 'ops', '--id', created.key.id]);
      expect(revoked.code, revoked.stderr).toBe(0);
      const after = jsonOf<{ keys: { id: string; revokedAt: string | null }[] }>(await stead(['keys', 'list', '--workspace', 'ops', '--json']));
      expect(after.keys.find((key) => key.id === created.key.id)?.revokedAt).toEqual(expect.any(String));
      expect(after.keys.find((key) => key.id !== created.key.id)?.revokedAt).toBeNull();

      await withCore(async (core) => {
        expect(await core.keys.authenticate(created.secret)).toBeNull();
        expect(await core.keys.authenticate(plainSecret)).toMatchObject({ type: 'key', role: 'member' });
      });
    });

    it('admin reset-password sets a password that signs in', async () => {
      const result = await stead(['admin', 'reset-password', '--email', email, '--password-stdin'], { stdin: `${newPassword}\n` });
      expect(result.code, result.stderr).toBe(0);
      await withCore(async (core) => {
        const signedIn = await core.auth.signIn({ email, password: newPassword }, client);
        expect(signedIn.result).toMatchObject({ status: 'signed-in', user: { email, isAdmin: true } });
        await expect(core.auth.signIn({ email, password }, client)).rejects.toMatchObject({ code: 'invalid_credentials' });
      });
    });

    it('doctor reports a healthy instance and masks the secret key', async () => {
      const secretKey = randomBytes(32).toString('base64');
      const result = await stead(['doctor', '--json'], { env: { STEAD_SECRET_KEY: secretKey, STEAD_WEB_DIR: sandbox.webDir } });
      const report = jsonOf<{ healthy: boolean; version: string; config: Record<string, unknown>; checks: { name: string; ok: boolean; detail: string }[] }>(result);
      expect(report.healthy).toBe(true);
      expect(report.version).toBe(rootPackage.version);
      const checks = Object.fromEntries(report.checks.map((check) => [check.name, check]));
      expect(checks['database reachable']).toMatchObject({ ok: true, detail: expect.stringMatching(new RegExp(`^${dialect} `)) });
      expect(checks['database integrity']).toMatchObject({ ok: true, detail: 'ok' });
      expect(checks['migrations']).toMatchObject({ ok: true, detail: 'up to date' });
      expect(checks['data directory writable']).toMatchObject({ ok: true });
      expect(checks['web app built']).toMatchObject({ ok: true });
      expect(report.config.secretKey).toBe('****');
      expect(report.config.dataDir).toBe(sandbox.dataDir);
      expect(result.stdout).not.toContain(secretKey);
      // base64 is not the only spelling that would give the key away.
      expect(result.stdout).not.toContain(Buffer.from(secretKey, 'base64').toString('hex'));
    });

    it('secrets rotate-key re-encrypts stored secrets under a new key file', async () => {
      await withCore((core) => core.secrets.store(null, 'demo', 'hunter2'));
      const keyFile = join(sandbox.dataDir, 'secret.key');
      const before = readFileSync(keyFile, 'utf8');

      const rotated = jsonOf<{ keyId: string; reencrypted: number }>(await stead(['secrets', 'rotate-key', '--json']));
      expect(rotated.reencrypted).toBe(1);
      expect(readFileSync(keyFile, 'utf8')).not.toBe(before);
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
      expect(existsSync(join(sandbox.dataDir, 'secret.key.previous'))).toBe(false);
      await withCore(async (core) => {
        expect(await core.secrets.reveal(null, 'demo')).toBe('hunter2');
      });

      // With STEAD_SECRET_KEY the program cannot change the key for the operator, so it asks for one.
      const refused = await stead(['secrets', 'rotate-key'], { env: { STEAD_SECRET_KEY: randomBytes(32).toString('base64') } });
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/^error \[config_invalid\]: STEAD_SECRET_KEY/);
      noStack(refused.stderr);
    });

    it('secrets set reads the value from stdin, list never shows it, set again replaces it, remove deletes it', async () => {
      const value = `cli-canary-${randomBytes(8).toString('hex')}`;
      const created = await stead(['secrets', 'set', '--workspace', 'ops', '--name', 'crm-token', '--usable-by', 'member', '--description', 'CRM', '--value-stdin', '--json'], { stdin: `${value}\n` });
      expect(jsonOf<{ secret: { name: string; usableBy: string } }>(created).secret).toMatchObject({ name: 'crm-token', usableBy: 'member' });
      const bad = await stead(['secrets', 'set', '--workspace', 'ops', '--name', 'model-provider:x', '--value-stdin'], { stdin: 'v\n' });
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/^error \[validation_failed\]: name/);
      const replaced = await stead(['secrets', 'set', '--workspace', 'ops', '--name', 'crm-token', '--value-stdin'], { stdin: `${value}-2\n` });
      expect(replaced.stdout).toContain('Replaced the value of secret crm-token');
      const listed = await stead(['secrets', 'list', '--workspace', 'ops', '--json']);
      expect(jsonOf<{ secrets: { name: string }[] }>(listed).secrets.map((secret) => secret.name)).toEqual(['crm-token']);
      for (const result of [created, replaced, listed, bad]) expect(result.stdout + result.stderr).not.toContain(value);
      await withCore(async (core) => {
        const workspace = await core.workspaces.resolve('ops');
        expect(await core.secrets.reveal(workspace.id, 'workspace-secret:crm-token')).toBe(`${value}-2`);
      });
      expect((await stead(['secrets', 'remove', '--workspace', 'ops', '--name', 'crm-token'])).code).toBe(0);
      expect(jsonOf<{ secrets: unknown[] }>(await stead(['secrets', 'list', '--workspace', 'ops', '--json'])).secrets).toEqual([]);
    });

    it('records every change made from the command line in the audit log as cli', async () => {
      const { events } = await withCore((core) => core.audit.list(undefined, { limit: 50 }));
      const fromCli = events.filter((event) => event.actor.label === 'cli');
      expect(fromCli.every((event) => event.actor.type === 'system' && event.outcome === 'success')).toBe(true);
      expect(fromCli.map((event) => event.action).sort()).toEqual(
        [
          'key.create', 'key.create', 'key.revoke', 'secrets.rotate-key', 'user.create', 'user.password-reset', 'workspace.create',
          'task.create', 'task.cancel', 'task.retry', 'schedule.create', 'schedule.disable', 'schedule.enable', 'schedule.delete',
          'secret.create', 'secret.update', 'secret.delete',
        ].sort(),
      );
      expect(fromCli.find((event) => event.action === 'key.revoke')?.target.id).toBe(keySecrets[0]!.id);
      // Nothing in the log may hold a key's secret.
      expect(JSON.stringify(events)).not.toMatch(/stead_[\w-]{20,}/);
    });
  });
};

cliSuite('sqlite');
cliSuite('postgres');
