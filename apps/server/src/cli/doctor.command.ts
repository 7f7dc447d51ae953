import { accessSync, constants, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, maskConfig } from '../config/config.loader.ts';
import { dataDirectoryMode, loosePermissions } from '../platform/database/data-directory.ts';
import { createDatabase } from '../platform/database/database.factory.ts';
import type { DatabaseHandle } from '../platform/database/database.port.ts';
import { migrations } from '../feature-list.ts';
import { pendingMigrations } from '../platform/database/migrator.ts';
import { defaultWebDir, webAppBuilt } from '../platform/http/web-app.ts';
import { steadVersion } from '../version.ts';
import { output, type OutputOptions } from '../platform/cli/cli-output.ts';

interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

const attempt = async (name: string, run: () => Promise<string>): Promise<Check> => {
  try {
    return { name, ok: true, detail: await run() };
  } catch (error) {
    return { name, ok: false, detail: error instanceof Error ? error.message : String(error) };
  }
};

/** `stead doctor`: effective configuration (secrets masked) and a check of everything Stead depends on. */
export const runDoctor = async (options: OutputOptions): Promise<void> => {
  const { config, file } = loadConfig();
  const checks: Check[] = [];
  checks.push(
    await attempt('data directory writable', async () => {
      mkdirSync(config.dataDir, { recursive: true, mode: dataDirectoryMode });
      accessSync(config.dataDir, constants.W_OK);
      return config.dataDir;
    }),
  );
  checks.push(
    await attempt('data directory permissions', async () => {
      const loose = loosePermissions(config.dataDir);
      if (loose.length > 0) throw new Error(`other users of this machine can read: ${loose.join('; ')}; stead start tightens what it owns, or chmod them`);
      return 'owner only';
    }),
  );
  // Opening the database is a check of its own: a read-only data directory fails here, and the rest is still reported.
  let database: DatabaseHandle | undefined;
  checks.push(
    await attempt('database reachable', async () => {
      database = await createDatabase({ databaseUrl: config.databaseUrl, sqliteFile: join(config.dataDir, 'stead.db') });
      await database.ping();
      return `${database.dialect} ${database.location}`;
    }),
  );
  const opened = database;
  const skipped = { ok: false, detail: 'not checked: the database could not be opened' };
  if (opened) {
    checks.push(
      await attempt('database integrity', async () => {
        const problems = await opened.checkIntegrity();
        if (problems.length > 0) throw new Error(problems.slice(0, 5).join('; '));
        return 'ok';
      }),
    );
    checks.push(
      await attempt('migrations', async () => {
        const pending = await pendingMigrations(opened.db, migrations);
        return pending.length === 0 ? 'up to date' : `${pending.length} pending (applied at start or by stead migrate): ${pending.join(', ')}`;
      }),
    );
    await opened.close().catch(() => {});
  } else {
    checks.push({ name: 'database integrity', ...skipped }, { name: 'migrations', ...skipped });
  }
  if (config.redisUrl) {
    checks.push(
      await attempt('redis reachable', async () => {
        const { Redis } = await import('ioredis');
        const redis = new Redis(config.redisUrl!, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 3000, retryStrategy: () => null });
        try {
          await redis.connect();
          return `PING ${await redis.ping()}`;
        } finally {
          redis.disconnect();
        }
      }),
    );
  }
  const webDir = config.webDir ?? defaultWebDir;
  checks.push({ name: 'web app built', ok: webAppBuilt(webDir), detail: webAppBuilt(webDir) ? webDir : `${webDir} missing: run npm run build` });

  const healthy = checks.every((check) => check.ok);
  output(options, { version: steadVersion, configFile: file ?? null, config: maskConfig(config), checks, healthy }, () =>
    [
      `Stead ${steadVersion}${file ? ` (config ${file})` : ''}`,
      '',
      'Configuration:',
      ...Object.entries(maskConfig(config)).map(([key, value]) => `  ${key.padEnd(20)} ${value === undefined ? '-' : JSON.stringify(value)}`),
      '',
      'Checks:',
      ...checks.map((check) => `  ${check.ok ? 'ok  ' : 'FAIL'}  ${check.name}: ${check.detail}`),
    ].join('\n'),
  );
  if (!healthy) process.exitCode = 1;
};
