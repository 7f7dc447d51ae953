import { sql } from 'kysely';
import type { DatabaseHandle } from './database.port.ts';

/**
 * The database's own time. Nodes of a cluster drift apart; the database is the one clock they all share, so
 * leases and schedule times read from it agree whichever node wrote them. Tests inject a plain object instead.
 */
export interface DatabaseClock {
  now(): Promise<Date>;
}

export const createDatabaseClock = (handle: DatabaseHandle): DatabaseClock => ({
  async now() {
    if (handle.dialect === 'postgres') {
      // clock_timestamp(), not now(): inside a transaction now() stays at the transaction's start.
      const result = await sql<{ now: Date | string }>`select clock_timestamp() as now`.execute(handle.db);
      return new Date(result.rows[0]!.now);
    }
    const result = await sql<{ now: string }>`select strftime('%Y-%m-%dT%H:%M:%fZ', 'now') as now`.execute(handle.db);
    return new Date(result.rows[0]!.now);
  },
});
