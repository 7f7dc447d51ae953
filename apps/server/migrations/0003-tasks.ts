import type { Kysely } from 'kysely';

/**
 * Tasks: the user-visible record of background work (what ran, its attempts, progress, log and output). It lives
 * in the main database whichever queue adapter runs the jobs, so the tasks page reads the same on one node and
 * on a cluster.
 */
export const up = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema
    .createTable('task')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('workspaceId', 'text', (c) => c.notNull().references('workspace.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('input', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('jobId', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('maxAttempts', 'integer', (c) => c.notNull())
    .addColumn('progressPercent', 'integer')
    .addColumn('progressMessage', 'text')
    .addColumn('output', 'text')
    .addColumn('error', 'text')
    .addColumn('origin', 'text', (c) => c.notNull())
    .addColumn('originId', 'text')
    .addColumn('idempotencyKey', 'text')
    .addColumn('createdBy', 'text')
    .addColumn('createdAt', 'text', (c) => c.notNull())
    .addColumn('runAt', 'text', (c) => c.notNull())
    .addColumn('startedAt', 'text')
    .addColumn('finishedAt', 'text')
    .addColumn('updatedAt', 'text', (c) => c.notNull())
    .execute();
  // The tasks page lists newest first within a workspace, optionally by state or kind.
  await db.schema.createIndex('task_workspace_idx').on('task').columns(['workspaceId', 'id']).execute();
  await db.schema.createIndex('task_state_idx').on('task').columns(['workspaceId', 'state', 'id']).execute();
  await db.schema.createIndex('task_kind_idx').on('task').columns(['workspaceId', 'kind', 'id']).execute();
  // A repeated request with the same key (a schedule's fire, a client retrying a POST) gets the first task.
  await db.schema.createIndex('task_idempotencyKey_idx').on('task').columns(['workspaceId', 'idempotencyKey']).unique().execute();
  await db.schema.createIndex('task_origin_idx').on('task').columns(['originId', 'id']).execute();

  await db.schema
    .createTable('taskAttempt')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('taskId', 'text', (c) => c.notNull().references('task.id').onDelete('cascade'))
    .addColumn('number', 'integer', (c) => c.notNull())
    .addColumn('startedAt', 'text', (c) => c.notNull())
    .addColumn('finishedAt', 'text')
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('error', 'text')
    .execute();
  await db.schema.createIndex('taskAttempt_taskId_idx').on('taskAttempt').columns(['taskId', 'id']).execute();

  await db.schema
    .createTable('taskLog')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('taskId', 'text', (c) => c.notNull().references('task.id').onDelete('cascade'))
    .addColumn('attempt', 'integer', (c) => c.notNull())
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('line', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('taskLog_taskId_idx').on('taskLog').columns(['taskId', 'id']).execute();
};

export const down = async (db: Kysely<unknown>): Promise<void> => {
  for (const table of ['taskLog', 'taskAttempt', 'task']) await db.schema.dropTable(table).ifExists().execute();
};
