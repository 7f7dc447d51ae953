import { sql, type Kysely } from 'kysely';
import { createTable } from './migration-helpers.ts';

/**
 * One run record under all durable work (issue 12). Tasks become runs of the `tasks` feature with the same ids
 * (so URLs, schedule fire history and the `task:<id>` keys receivers have seen keep working), their attempts and
 * log lines move along, and pending jobs of the embedded queue carry `{ runId }` under `run.execute`. BullMQ's jobs
 * live in Redis, out of a migration's reach: workers still take `task.run` jobs and map the task id to the run.
 */

/** A killed worker may cut a run off this many times before the run fails with an error saying so. */
const defaultMaxInterruptedAttempts = 5;

const runColumns = [
  'id', 'workspaceId', 'kind', 'feature', 'input', 'state', 'attempts', 'maxAttempts', 'interruptedAttempts', 'maxInterruptedAttempts',
  'currentAttemptId', 'jobId', 'progressPercent', 'progressMessage', 'output', 'error', 'parentRunId', 'idempotencyKey', 'origin', 'originId',
  'createdBy', 'createdByRole', 'createdAt', 'runAt', 'startedAt', 'finishedAt', 'updatedAt',
];

export const up = async (db: Kysely<unknown>): Promise<void> => {
  await createTable(db, 'run', {
    id: 'text primary key',
    workspaceId: 'text not null references workspace.id on delete cascade',
    kind: 'text not null',
    feature: 'text not null',
    input: 'text not null',
    state: 'text not null',
    attempts: 'integer not null',
    maxAttempts: 'integer not null',
    interruptedAttempts: 'integer not null',
    maxInterruptedAttempts: 'integer not null',
    currentAttemptId: 'text',
    jobId: 'text',
    progressPercent: 'integer',
    progressMessage: 'text',
    output: 'text',
    error: 'text',
    parentRunId: 'text references run.id on delete cascade',
    idempotencyKey: 'text',
    origin: 'text not null',
    originId: 'text',
    createdBy: 'text',
    createdByRole: 'text',
    createdAt: 'text not null',
    runAt: 'text not null',
    startedAt: 'text',
    finishedAt: 'text',
    updatedAt: 'text not null',
  }).execute();
  // Lists are newest first within a workspace, optionally by state, kind, schedule or parent.
  await db.schema.createIndex('run_workspace_idx').on('run').columns(['workspaceId', 'id']).execute();
  await db.schema.createIndex('run_state_idx').on('run').columns(['workspaceId', 'state', 'id']).execute();
  await db.schema.createIndex('run_kind_idx').on('run').columns(['workspaceId', 'kind', 'id']).execute();
  await db.schema.createIndex('run_idempotencyKey_idx').on('run').columns(['workspaceId', 'idempotencyKey']).unique().execute();
  await db.schema.createIndex('run_origin_idx').on('run').columns(['originId', 'id']).execute();
  await db.schema.createIndex('run_parent_idx').on('run').columns(['parentRunId', 'id']).execute();

  await createTable(db, 'runAttempt', {
    id: 'text primary key',
    runId: 'text not null references run.id on delete cascade',
    number: 'integer not null',
    startedAt: 'text not null',
    finishedAt: 'text',
    outcome: 'text not null',
    error: 'text',
  }).execute();
  await db.schema.createIndex('runAttempt_runId_idx').on('runAttempt').columns(['runId', 'id']).execute();

  await createTable(db, 'runLog', {
    id: 'text primary key',
    runId: 'text not null references run.id on delete cascade',
    attempt: 'integer not null',
    at: 'text not null',
    line: 'text not null',
  }).execute();
  await db.schema.createIndex('runLog_runId_idx').on('runLog').columns(['runId', 'id']).execute();

  await createTable(db, 'runOutbox', {
    id: 'text primary key',
    runId: 'text not null references run.id on delete cascade',
    jobKey: 'text not null',
    createdAt: 'text not null',
  }).execute();
  await db.schema.createIndex('runOutbox_createdAt_idx').on('runOutbox').columns(['createdAt', 'id']).execute();

  // Attempts already counted in `attempts` stay there; a running attempt is found cut off by the next one.
  await sql`insert into ${sql.table('run')} (${sql.join(runColumns.map((column) => sql.ref(column)))})
    select "id", "workspaceId", "kind", 'tasks', "input", "state", "attempts", "maxAttempts", 0, ${sql.lit(defaultMaxInterruptedAttempts)},
      null, "jobId", "progressPercent", "progressMessage", "output", "error", null, "idempotencyKey", "origin", "originId",
      "createdBy", "createdByRole", "createdAt", "runAt", "startedAt", "finishedAt", "updatedAt"
    from "task"`.execute(db);
  await sql`insert into "runAttempt" ("id", "runId", "number", "startedAt", "finishedAt", "outcome", "error")
    select "id", "taskId", "number", "startedAt", "finishedAt", "outcome", "error" from "taskAttempt"`.execute(db);
  await sql`insert into "runLog" ("id", "runId", "attempt", "at", "line") select "id", "taskId", "attempt", "at", "line" from "taskLog"`.execute(db);
  await sql`update "job" set "name" = 'run.execute', "queue" = 'runs', "payload" = replace("payload", '"taskId"', '"runId"') where "name" = 'task.run'`.execute(db);

  for (const table of ['taskLog', 'taskAttempt', 'task']) await db.schema.dropTable(table).execute();
};

/** Back to task tables: child runs and runs of other features have no task to become, and are dropped. */
export const down = async (db: Kysely<unknown>): Promise<void> => {
  const { up: createTasks } = await import('./0003-tasks.ts');
  await createTasks(db);
  await db.schema.alterTable('task').addColumn('createdByRole', 'text').execute();
  await sql`insert into "task" ("id", "workspaceId", "kind", "input", "state", "jobId", "attempts", "maxAttempts", "progressPercent", "progressMessage", "output", "error", "origin", "originId", "idempotencyKey", "createdBy", "createdByRole", "createdAt", "runAt", "startedAt", "finishedAt", "updatedAt")
    select "id", "workspaceId", "kind", "input", "state", "jobId", "attempts", "maxAttempts", "progressPercent", "progressMessage", "output", "error", "origin", "originId", "idempotencyKey", "createdBy", "createdByRole", "createdAt", "runAt", "startedAt", "finishedAt", "updatedAt"
    from "run" where "feature" = 'tasks' and "parentRunId" is null`.execute(db);
  await sql`insert into "taskAttempt" select a."id", a."runId", a."number", a."startedAt", a."finishedAt", a."outcome", a."error" from "runAttempt" a join "task" t on t."id" = a."runId"`.execute(db);
  await sql`insert into "taskLog" select l."id", l."runId", l."attempt", l."at", l."line" from "runLog" l join "task" t on t."id" = l."runId"`.execute(db);
  await sql`update "job" set "name" = 'task.run', "queue" = 'tasks', "payload" = replace("payload", '"runId"', '"taskId"') where "name" = 'run.execute'`.execute(db);
  for (const table of ['runOutbox', 'runLog', 'runAttempt', 'run']) await db.schema.dropTable(table).execute();
};
