import { sql, type Kysely } from 'kysely';
import type { Database } from './database.types.ts';
import type { DatabaseDialect } from './database.port.ts';

/**
 * Runs `work` with commits that do not wait for the disk: SQLite `synchronous = NORMAL` on its one connection
 * (held for the duration, so no other statement commits that way), PostgreSQL `synchronous_commit = off` for one
 * transaction. A process crash loses nothing either way (SQLite's WAL, PostgreSQL's server, keep the commit); a
 * power loss or OS crash may lose the last moments of such writes. For high-volume records that tolerate that
 * (the model usage ledger), where an fsync per batch blocked the event loop for milliseconds; never for state
 * other work acts on (jobs, keys, settings).
 */
export const commitWithoutDiskWait = async <T>(db: Kysely<Database>, dialect: DatabaseDialect, work: (db: Kysely<Database>) => Promise<T>): Promise<T> => {
  if (dialect === 'postgres') {
    return db.transaction().execute(async (transaction) => {
      await sql`set local synchronous_commit = off`.execute(transaction);
      return work(transaction);
    });
  }
  return db.connection().execute(async (connection) => {
    const { rows } = await sql<{ synchronous: number }>`pragma synchronous`.execute(connection);
    const previous = rows[0]?.synchronous ?? 2;
    await sql`pragma synchronous = normal`.execute(connection);
    try {
      return await work(connection);
    } finally {
      await sql.raw(`pragma synchronous = ${Number(previous)}`).execute(connection);
    }
  });
};
