import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { createSqliteDatabase } from './database.factory.ts';
import { startSqliteCheckpointer } from './sqlite-checkpointer.ts';

const directories: string[] = [];
const newFile = () => {
  const directory = mkdtempSync(join(tmpdir(), 'stead-checkpoint-'));
  directories.push(directory);
  return join(directory, 'stead.db');
};
afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

const walBytes = (file: string) => (existsSync(`${file}-wal`) ? statSync(`${file}-wal`).size : 0);

describe('SQLite checkpoints from a worker thread', () => {
  it('keeps the write-ahead log small under steady writes while the server connection never checkpoints', async () => {
    const file = newFile();
    const checkpoints: { logFrames: number; checkpointedFrames: number }[] = [];
    const errors: Error[] = [];
    const handle = createSqliteDatabase({ file, checkpointInBackground: { intervalMs: 20, onCheckpoint: (result) => checkpoints.push(result), onError: (error) => errors.push(error) } });
    const { db } = handle;
    const automatic = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(db);
    expect(automatic.rows[0]?.wal_autocheckpoint).toBe(0);

    await sql`create table ledger (id integer primary key, payload text not null)`.execute(db);
    // 24 MB of rows in 60 commits. Without the thread's checkpoints (automatic ones are off) the log would hold all of it.
    const payload = 'x'.repeat(2_000);
    let maxWal = 0;
    for (let batch = 0; batch < 60; batch++) {
      await db.transaction().execute(async (transaction) => {
        for (let row = 0; row < 200; row++) await sql`insert into ledger (payload) values (${payload})`.execute(transaction);
      });
      maxWal = Math.max(maxWal, walBytes(file));
      await sleep(15);
    }

    expect(errors).toEqual([]);
    expect(checkpoints.some((each) => each.checkpointedFrames > 0)).toBe(true);
    expect(maxWal).toBeLessThan(12 * 1024 * 1024);
    const counted = await sql<{ rows: number }>`select count(*) as "rows" from ledger`.execute(db);
    expect(counted.rows[0]?.rows).toBe(12_000);

    await handle.close();
    // The thread's connection closed first, so the server's close was the last one and folded the log in.
    expect(existsSync(`${file}-wal`)).toBe(false);
    const reopened = createSqliteDatabase({ file });
    await expect(reopened.checkIntegrity()).resolves.toEqual([]);
    const again = await sql<{ rows: number }>`select count(*) as "rows" from ledger`.execute(reopened.db);
    expect(again.rows[0]?.rows).toBe(12_000);
    await reopened.close();
  });

  it('reports a thread that cannot open the database', async () => {
    let reported: (error: Error) => void = () => {};
    const failure = new Promise<Error>((resolve) => (reported = resolve));
    const checkpointer = startSqliteCheckpointer({ file: join(newFile(), 'missing-folder', 'stead.db'), intervalMs: 20, onError: reported });
    await expect(failure).resolves.toMatchObject({ message: expect.stringMatching(/unable to open|directory does not exist/i) });
    await checkpointer.stop();
  });

  it('keeps the process alive while it stops, so a caller that closes the database on an error can still report it', () => {
    // Closing the database is the last thing such a process waits for; the thread is not referenced while it runs.
    const module = new URL('./database.factory.ts', import.meta.url).href;
    const script = `const { createSqliteDatabase } = await import(${JSON.stringify(module)});
      const handle = createSqliteDatabase({ file: ${JSON.stringify(newFile())}, checkpointInBackground: { onError: () => {} } });
      await handle.close();
      process.stdout.write('closed');
      process.exitCode = 3;`;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    expect(child.stderr).toBe('');
    expect({ status: child.status, stdout: child.stdout }).toEqual({ status: 3, stdout: 'closed' });
  });

  it('is not used without being asked for, or for an in-memory database', async () => {
    for (const handle of [createSqliteDatabase({ file: newFile() }), createSqliteDatabase({ file: ':memory:', checkpointInBackground: { onError: () => {} } })]) {
      const automatic = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(handle.db);
      expect(automatic.rows[0]?.wal_autocheckpoint).toBe(1000);
      await handle.close();
    }
  });
});
