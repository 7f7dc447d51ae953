import type { Kysely } from 'kysely';
import { createTable } from './migration-helpers.ts';

/**
 * Tasks: the user-visible record of background work (what ran, its attempts, progress, log and output). It lives
 * in the main database whichever queue adapter runs the jobs, so the tasks page reads the same on one node and
 * on a cluster.
 */
export const up = async (db: Kysely<unknown>): Promise<void> => {
  await createTable(db, 'task', {
    id: 'text primary key',
    workspaceId: 'text not null references workspace.id on delete cascade',
    kind: 'text not null',
    input: 'text not null',
    state: 'text not null',
    jobId: 'text',
    attempts: 'integer not null',
    maxAttempts: 'integer not null',
    progressPercent: 'integer',
    progressMessage: 'text',
    output: 'text',
    error: 'text',
    origin: 'text not null',
    originId: 'text',
    idempotencyKey: 'text',
    createdBy: 'text',
    createdAt: 'text not null',
    runAt: 'text not null',
    startedAt: 'text',
    finishedAt: 'text',
    updatedAt: 'text not null',
  }).execute();
  // The tasks page lists newest first within a workspace, optionally by state or kind.
  await db.schema.createIndex('task_workspace_idx').on('task').columns(['workspaceId', 'id']).execute();
  await db.schema.createIndex('task_state_idx').on('task').columns(['workspaceId', 'state', 'id']).execute();
  await db.schema.createIndex('task_kind_idx').on('task').columns(['workspaceId', 'kind', 'id']).execute();
  // A repeated request with the same key (a schedule's fire, a client retrying a POST) gets the first task.
  await db.schema.createIndex('task_idempotencyKey_idx').on('task').columns(['workspaceId', 'idempotencyKey']).unique().execute();
  await db.schema.createIndex('task_origin_idx').on('task').columns(['originId', 'id']).execute();

  await createTable(db, 'taskAttempt', {
    id: 'text primary key',
    taskId: 'text not null references task.id on delete cascade',
    number: 'integer not null',
    startedAt: 'text not null',
    finishedAt: 'text',
    outcome: 'text not null',
    error: 'text',
  }).execute();
  await db.schema.createIndex('taskAttempt_taskId_idx').on('taskAttempt').columns(['taskId', 'id']).execute();

  await createTable(db, 'taskLog', {
    id: 'text primary key',
    taskId: 'text not null references task.id on delete cascade',
    attempt: 'integer not null',
    at: 'text not null',
    line: 'text not null',
  }).execute();
  await db.schema.createIndex('taskLog_taskId_idx').on('taskLog').columns(['taskId', 'id']).execute();
};

export const down = async (db: Kysely<unknown>): Promise<void> => {
  for (const table of ['taskLog', 'taskAttempt', 'task']) await db.schema.dropTable(table).ifExists().execute();
};
