import type { Kysely } from 'kysely';
import type { SqlDialect } from './sql-dialect.ts';

/**
 * The database's own time. Nodes of a cluster drift apart; the database is the one clock they all share, so
 * leases and schedule times read from it agree whichever node wrote them. Tests inject a plain object instead.
 */
export interface DatabaseClock {
  now(): Promise<Date>;
}

export const createDatabaseClock = <DB>(handle: { db: Kysely<DB>; sqlDialect: SqlDialect }): DatabaseClock => ({
  now: () => handle.sqlDialect.now(handle.db),
});
