import { sql, type Kysely, type SqlBool } from 'kysely';

/**
 * Schedules fire tasks. Each fire is a row whose `(scheduleId, fireAt)` key is unique, so a nominal fire time
 * can be claimed by one node only; `schedulerLease` elects the one node whose scheduler loop runs. Times are
 * ISO text like every Stead table; `enabled` is 0/1 because the dialects store booleans differently.
 */
export const up = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema
    .createTable('schedule')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspaceId', 'text', (c) => c.notNull().references('workspace.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('input', 'text', (c) => c.notNull())
    .addColumn('triggerType', 'text', (c) => c.notNull())
    .addColumn('cronExpression', 'text')
    .addColumn('timeZone', 'text', (c) => c.notNull().defaultTo('UTC'))
    .addColumn('intervalSeconds', 'integer')
    .addColumn('runAt', 'text')
    .addColumn('enabled', 'integer', (c) => c.notNull())
    .addColumn('missedPolicy', 'text', (c) => c.notNull())
    .addColumn('nextFireAt', 'text')
    .addColumn('lastFiredAt', 'text')
    .addColumn('createdBy', 'text')
    .addColumn('createdAt', 'text', (c) => c.notNull())
    .addColumn('updatedAt', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('schedule_workspace_idx').on('schedule').columns(['workspaceId', 'id']).execute();
  // Every tick asks for enabled schedules that are due; the predicate is literal SQL so both planners match it.
  await db.schema.createIndex('schedule_due_idx').on('schedule').column('nextFireAt').where(sql<SqlBool>`"enabled" = 1`).execute();

  await db.schema
    .createTable('scheduleFire')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('scheduleId', 'text', (c) => c.notNull().references('schedule.id').onDelete('cascade'))
    .addColumn('fireAt', 'text', (c) => c.notNull())
    .addColumn('firedAt', 'text', (c) => c.notNull())
    .addColumn('taskId', 'text')
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    // The fire key: whichever node inserts it first fires; everyone else's insert does nothing.
    .addUniqueConstraint('scheduleFire_fire_key', ['scheduleId', 'fireAt'])
    .execute();
  // A node that died between claiming a fire and starting its task leaves it pending; ticks look for those.
  await db.schema.createIndex('scheduleFire_pending_idx').on('scheduleFire').column('firedAt').where(sql<SqlBool>`"outcome" = 'pending'`).execute();

  await db.schema
    .createTable('schedulerLease')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('expiresAt', 'text', (c) => c.notNull())
    .execute();
};

export const down = async (db: Kysely<unknown>): Promise<void> => {
  for (const table of ['schedulerLease', 'scheduleFire', 'schedule']) await db.schema.dropTable(table).ifExists().execute();
};
