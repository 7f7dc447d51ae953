import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { describeEachDialect } from '../../../test/support/databases.ts';
import type { Kysely } from 'kysely';
import type { DatabaseDialect } from './database.port.ts';
import { sqlDialects } from './dialects/dialects.ts';

const commitWithoutDiskWait = <DB, T>(db: Kysely<DB>, dialect: DatabaseDialect, work: (db: Kysely<DB>) => Promise<T>): Promise<T> => sqlDialects[dialect].commitWithoutDiskWait(db, work);

describeEachDialect('commitWithoutDiskWait', (use, dialect) => {
  it('commits the work and leaves every other statement as durable as before', async () => {
    const { db } = use();
    const setting = async () =>
      dialect === 'sqlite'
        ? String((await sql<{ synchronous: number }>`pragma synchronous`.execute(db)).rows[0]?.synchronous)
        : (await sql<{ synchronous_commit: string }>`show synchronous_commit`.execute(db)).rows[0]?.synchronous_commit;
    const before = await setting();
    const seen = await commitWithoutDiskWait(db, dialect, async (relaxed) => {
      await relaxed.insertInto('steadMeta').values({ key: 'commit-test', value: 'kept', updatedAt: new Date().toISOString() }).execute();
      return dialect === 'sqlite'
        ? String((await sql<{ synchronous: number }>`pragma synchronous`.execute(relaxed)).rows[0]?.synchronous)
        : (await sql<{ synchronous_commit: string }>`show synchronous_commit`.execute(relaxed)).rows[0]?.synchronous_commit;
    });
    expect(seen).toBe(dialect === 'sqlite' ? '1' : 'off');
    expect(await setting()).toBe(before);
    expect(before).toBe(dialect === 'sqlite' ? '2' : 'on');
    await expect(db.selectFrom('steadMeta').select('value').where('key', '=', 'commit-test').executeTakeFirst()).resolves.toEqual({ value: 'kept' });
  });

  it('restores the setting when the work fails', async () => {
    const { db } = use();
    await expect(commitWithoutDiskWait(db, dialect, async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    const after = dialect === 'sqlite' ? (await sql<{ synchronous: number }>`pragma synchronous`.execute(db)).rows[0]?.synchronous : (await sql<{ synchronous_commit: string }>`show synchronous_commit`.execute(db)).rows[0]?.synchronous_commit;
    expect(after).toBe(dialect === 'sqlite' ? 2 : 'on');
  });
});
