import { sql } from 'kysely';
import type { SqlDialect } from '../sql-dialect.ts';

export const postgresDialect: SqlDialect = {
  name: 'postgres',
  crossProcess: true,
  forUpdate: (query) => query.forUpdate(),
  forUpdateSkipLocked: (query) => query.forUpdate().skipLocked(),
  async lockForTransaction(transaction, key) {
    await sql`select pg_advisory_xact_lock(hashtext(${key}))`.execute(transaction);
  },
  storedBoolean: (value) => value,
  storedDate: (value) => value,
  commitWithoutDiskWait: (db, work) =>
    db.transaction().execute(async (transaction) => {
      await sql`set local synchronous_commit = off`.execute(transaction);
      return work(transaction);
    }),
  async now(db) {
    // clock_timestamp(), not now(): inside a transaction now() stays at the transaction's start.
    const result = await sql<{ now: Date | string }>`select clock_timestamp() as now`.execute(db);
    return new Date(result.rows[0]!.now);
  },
};
