import type { Kysely } from 'kysely';
import { createJobLog } from './0002-jobs.ts';

/**
 * The embedded queue counts attempts cut off by a lost lease (a killed or stalled worker) apart from counted
 * attempts, with their own ceiling, so crashes alone never use up `maxAttempts`. Job log lines go: the run
 * record holds the only log of a unit of work.
 */
export const up = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema.alterTable('job').addColumn('stalls', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('job').addColumn('maxStalls', 'integer', (c) => c.notNull().defaultTo(5)).execute();
  await db.schema.dropTable('jobLog').ifExists().execute();
};

export const down = async (db: Kysely<unknown>): Promise<void> => {
  await createJobLog(db);
  await db.schema.alterTable('job').dropColumn('maxStalls').execute();
  await db.schema.alterTable('job').dropColumn('stalls').execute();
};
