import type { Kysely } from 'kysely';
import type { DatabaseDialect } from './database.port.ts';
import { sqlDialects } from './dialects/dialects.ts';

/**
 * `SqlDialect.commitWithoutDiskWait` by dialect name, for repositories that take the name rather than the
 * handle's `sqlDialect` (see sql-dialect.ts for what it trades).
 */
export const commitWithoutDiskWait = <DB, T>(db: Kysely<DB>, dialect: DatabaseDialect, work: (db: Kysely<DB>) => Promise<T>): Promise<T> =>
  sqlDialects[dialect].commitWithoutDiskWait(db, work);
