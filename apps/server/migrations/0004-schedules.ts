import { sql, type Kysely, type SqlBool } from 'kysely';
import { createTable } from './migration-helpers.ts';

/**
 * Schedules fire tasks. Each fire is a row whose `(scheduleId, fireAt)` key is unique, so a nominal fire time
 * can be claimed by one node only; `schedulerLease` elects the one node whose scheduler loop runs. Times are
 * ISO text like every Stead table; `enabled` is 0/1 because the dialects store booleans differently.
 */
export const up = async (db: Kysely<unknown>): Promise<void> => {
  await createTable(db, 'schedule', {
    id: 'text primary key',
    workspaceId: 'text not null references workspace.id on delete cascade',
    name: 'text not null',
    kind: 'text not null',
    input: 'text not null',
    triggerType: 'text not null',
    cronExpression: 'text',
    timeZone: "text not null default 'UTC'",
    intervalSeconds: 'integer',
    runAt: 'text',
    enabled: 'integer not null',
    missedPolicy: 'text not null',
    nextFireAt: 'text',
    lastFiredAt: 'text',
    createdBy: 'text',
    createdAt: 'text not null',
    updatedAt: 'text not null',
  }).execute();
  await db.schema.createIndex('schedule_workspace_idx').on('schedule').columns(['workspaceId', 'id']).execute();
  // Every tick asks for enabled schedules that are due; the predicate is literal SQL so both planners match it.
  await db.schema.createIndex('schedule_due_idx').on('schedule').column('nextFireAt').where(sql<SqlBool>`"enabled" = 1`).execute();

  await createTable(db, 'scheduleFire', {
    id: 'text primary key',
    scheduleId: 'text not null references schedule.id on delete cascade',
    fireAt: 'text not null',
    firedAt: 'text not null',
    taskId: 'text',
    outcome: 'text not null',
    error: 'text',
  })
    // The fire key: whichever node inserts it first fires; everyone else's insert does nothing.
    .addUniqueConstraint('scheduleFire_fire_key', ['scheduleId', 'fireAt'])
    .execute();
  // A node that died between claiming a fire and starting its task leaves it pending; ticks look for those.
  await db.schema.createIndex('scheduleFire_pending_idx').on('scheduleFire').column('firedAt').where(sql<SqlBool>`"outcome" = 'pending'`).execute();

  await createTable(db, 'schedulerLease', {
    name: 'text primary key',
    holder: 'text not null',
    expiresAt: 'text not null',
  }).execute();
};

export const down = async (db: Kysely<unknown>): Promise<void> => {
  for (const table of ['schedulerLease', 'scheduleFire', 'schedule']) await db.schema.dropTable(table).ifExists().execute();
};
