import { sql } from 'kysely';
import type { SqlDialect } from '../sql-dialect.ts';

export const sqliteDialect: SqlDialect = {
  name: 'sqlite',
  crossProcess: false,
  forUpdate: (query) => query,
  forUpdateSkipLocked: (query) => query,
  async lockForTransaction() {},
  storedBoolean: (value) => (value ? 1 : 0),
  storedDate: (value) => value.toISOString(),
  commitWithoutDiskWait: (db, work) =>
    db.connection().execute(async (connection) => {
      const { rows } = await sql<{ synchronous: number }>`pragma synchronous`.execute(connection);
      const previous = rows[0]?.synchronous ?? 2;
      await sql`pragma synchronous = normal`.execute(connection);
      try {
        return await work(connection);
      } finally {
        await sql.raw(`pragma synchronous = ${Number(previous)}`).execute(connection);
      }
    }),
  async now(db) {
    const result = await sql<{ now: string }>`select strftime('%Y-%m-%dT%H:%M:%fZ', 'now') as now`.execute(db);
    return new Date(result.rows[0]!.now);
  },
};
