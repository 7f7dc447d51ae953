import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createCore } from '../../app.ts';
import { configSchema } from '../../config/config.schema.ts';
import { loosePermissions, prepareDataDirectory } from './data-directory.ts';
import { createSqliteDatabase } from './database.factory.ts';

const modeOf = (path: string): number => statSync(path).mode & 0o777;

describe.skipIf(process.platform === 'win32')('data directory and database file modes', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'stead-modes-'));
  });
  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('a fresh start creates the data directory 0700 and stead.db, its WAL and shared memory and secret.key 0600', async () => {
    const dataDir = join(root, 'nested', 'data');
    const core = await createCore(configSchema.parse({ dataDir, logLevel: 'silent' }));
    try {
      // A write, so the WAL holds something and both side files exist while the database is open.
      await core.workspaces.listAll();
      await sql`create table if not exists mode_probe (id integer)`.execute(core.database.db);
      expect(modeOf(dataDir)).toBe(0o700);
      for (const name of ['stead.db', 'stead.db-wal', 'stead.db-shm', 'secret.key']) expect([name, modeOf(join(dataDir, name))]).toEqual([name, 0o600]);
      expect(loosePermissions(dataDir)).toEqual([]);
    } finally {
      await core.close();
    }
  });

  it('tightens a data directory and database files left 0755/0644 by an older version', () => {
    const dataDir = join(root, 'data');
    mkdirSync(dataDir, { mode: 0o755 });
    chmodSync(dataDir, 0o755);
    const file = join(dataDir, 'stead.db');
    const first = createSqliteDatabase({ file });
    void first.close();
    for (const path of [file, `${file}-wal`, `${file}-shm`]) {
      writeFileSync(path, '', { flag: 'a' });
      chmodSync(path, 0o644);
    }
    expect(loosePermissions(dataDir)).toEqual([
      `${dataDir} is 0755 (should be 0700)`,
      'stead.db is 0644 (should be 0600)',
      'stead.db-wal is 0644 (should be 0600)',
      'stead.db-shm is 0644 (should be 0600)',
    ]);
    expect(prepareDataDirectory(dataDir)).toEqual({ warnings: [] });
    const reopened = createSqliteDatabase({ file });
    void reopened.close();
    expect(loosePermissions(dataDir)).toEqual([]);
  });

  it('leaves a shared (sticky) directory alone and says so', () => {
    const shared = join(root, 'shared');
    mkdirSync(shared);
    chmodSync(shared, 0o1777);
    const { warnings } = prepareDataDirectory(shared);
    expect(warnings).toEqual([expect.stringContaining(`${shared} is 0777`)]);
    expect(statSync(shared).mode & 0o7777).toBe(0o1777);
  });

  // Tests run as root here, where a chmod 0500 directory is still writable; these paths fail for root too.
  it('names the path and the cause when the data directory cannot be created', () => {
    writeFileSync(join(root, 'a-file'), 'not a directory');
    const dataDir = join(root, 'a-file', 'data');
    expect(() => prepareDataDirectory(dataDir)).toThrow(expect.objectContaining({ code: 'data_dir_unusable', message: expect.stringContaining(dataDir) }));
    expect(() => createSqliteDatabase({ file: join(dataDir, 'stead.db') })).toThrow(
      expect.objectContaining({ code: 'database_open_failed', message: expect.stringMatching(/a-file\/data\/stead\.db: .*ENOTDIR/) }),
    );
  });

  it('names the path and the cause when SQLite cannot open the file', () => {
    const file = join(root, 'stead.db');
    mkdirSync(file);
    expect(() => createSqliteDatabase({ file })).toThrow(
      expect.objectContaining({ name: 'SteadError', code: 'database_open_failed', message: expect.stringContaining(`${file}:`), details: { path: file } }),
    );
  });
});
