import type { Kysely, Selectable, Transaction, Updateable } from 'kysely';
import type { RunsTables } from './runs.tables.ts';
import type { WorkspaceRole } from '../../platform/http/permissions.ts';
import type { RunTable } from './runs.tables.ts';
import type { Run, RunAttempt, RunAttemptOutcome, RunListQuery, RunLogLine, RunOriginType, RunState } from './runs.schema.ts';

/** What may change on a run after it is created. */
export type RunChanges = Partial<Pick<Run, 'state' | 'attempts' | 'interruptedAttempts' | 'currentAttemptId' | 'jobId' | 'progress' | 'output' | 'error' | 'runAt' | 'startedAt' | 'finishedAt'>> & { updatedAt: string };

export interface RunsRepository {
  /** Runs `work` in one database transaction, with a repository bound to it (`transaction` is the raw handle, for the queue). */
  transaction<T>(work: (repository: RunsRepository, transaction: Transaction<RunsTables>) => Promise<T>): Promise<T>;
  insert(run: Run): Promise<void>;
  /** Reads a run after taking its row lock (inside `transaction`), so decisions on it are not raced by another process. */
  lock(id: string): Promise<Run | undefined>;
  find(workspaceId: string, id: string): Promise<Run | undefined>;
  findById(id: string): Promise<Run | undefined>;
  findByIdempotencyKey(workspaceId: string, key: string): Promise<Run | undefined>;
  list(workspaceId: string, query: RunListQuery): Promise<Run[]>;
  children(parentRunId: string): Promise<Run[]>;
  update(id: string, changes: RunChanges): Promise<void>;
  /** Changes a run unless it has finished meanwhile (a cancel must not be overwritten by the attempt it interrupted). */
  updateUnfinished(id: string, changes: RunChanges): Promise<boolean>;
  /** Changes an unfinished run only while `attemptId` is its current attempt; false when another attempt replaced it. */
  updateCurrent(id: string, attemptId: string, changes: RunChanges): Promise<boolean>;
  attempts(runId: string): Promise<RunAttempt[]>;
  attemptCount(runId: string): Promise<number>;
  insertAttempt(runId: string, attempt: RunAttempt): Promise<void>;
  /** Marks the run's attempts still `running` as interrupted; resolves to how many there were. */
  interruptRunningAttempts(runId: string, at: string, error: string): Promise<number>;
  /** Ends an attempt that is still `running`; false when something else ended it first. */
  endAttempt(attemptId: string, changes: { outcome: RunAttemptOutcome; finishedAt: string; error: string | null }): Promise<boolean>;
  insertLog(runId: string, line: RunLogLine): Promise<void>;
  logs(runId: string, after: string | undefined, limit: number): Promise<RunLogLine[]>;
  insertOutbox(row: { id: string; runId: string; jobKey: string; createdAt: string }): Promise<void>;
  deleteOutbox(runId: string): Promise<void>;
  /** Runs written more than a moment ago whose job is still not in the queue. */
  pendingOutbox(createdBefore: string, limit: number): Promise<{ runId: string; jobKey: string }[]>;
}

const unfinished = ['queued', 'running', 'retrying'] as const;
const parse = (text: string | null): unknown => (text === null ? null : JSON.parse(text));

const toRun = (row: Selectable<RunTable>): Run => ({
  id: row.id,
  workspaceId: row.workspaceId,
  kind: row.kind,
  feature: row.feature,
  input: parse(row.input),
  state: row.state as RunState,
  attempts: row.attempts,
  maxAttempts: row.maxAttempts,
  interruptedAttempts: row.interruptedAttempts,
  maxInterruptedAttempts: row.maxInterruptedAttempts,
  currentAttemptId: row.currentAttemptId,
  jobId: row.jobId,
  progress: row.progressPercent === null ? null : { percent: row.progressPercent, message: row.progressMessage },
  output: parse(row.output),
  error: row.error,
  parentRunId: row.parentRunId,
  idempotencyKey: row.idempotencyKey,
  origin: { type: row.origin as RunOriginType, id: row.originId },
  createdBy: row.createdBy,
  createdByRole: row.createdByRole as WorkspaceRole | null,
  createdAt: row.createdAt,
  runAt: row.runAt,
  startedAt: row.startedAt,
  finishedAt: row.finishedAt,
  updatedAt: row.updatedAt,
});

const toColumns = (changes: RunChanges): Updateable<RunTable> => {
  const { progress, output, ...rest } = changes;
  return {
    ...rest,
    ...(progress !== undefined ? { progressPercent: progress?.percent ?? null, progressMessage: progress?.message ?? null } : {}),
    ...(output !== undefined ? { output: output === null ? null : JSON.stringify(output) } : {}),
  };
};

export const createRunsRepository = (db: Kysely<RunsTables>): RunsRepository => {
  const select = () => db.selectFrom('run').selectAll();
  const changed = (result: { numUpdatedRows: bigint }) => Number(result.numUpdatedRows) > 0;
  return {
    transaction: (work) => db.transaction().execute((transaction) => work(createRunsRepository(transaction), transaction)),

    async insert(run) {
      await db
        .insertInto('run')
        .values({
          id: run.id,
          workspaceId: run.workspaceId,
          kind: run.kind,
          feature: run.feature,
          input: JSON.stringify(run.input ?? null),
          state: run.state,
          attempts: run.attempts,
          maxAttempts: run.maxAttempts,
          interruptedAttempts: run.interruptedAttempts,
          maxInterruptedAttempts: run.maxInterruptedAttempts,
          currentAttemptId: run.currentAttemptId,
          jobId: run.jobId,
          progressPercent: run.progress?.percent ?? null,
          progressMessage: run.progress?.message ?? null,
          output: run.output === null || run.output === undefined ? null : JSON.stringify(run.output),
          error: run.error,
          parentRunId: run.parentRunId,
          idempotencyKey: run.idempotencyKey,
          origin: run.origin.type,
          originId: run.origin.id,
          createdBy: run.createdBy,
          createdByRole: run.createdByRole,
          createdAt: run.createdAt,
          runAt: run.runAt,
          startedAt: run.startedAt,
          finishedAt: run.finishedAt,
          updatedAt: run.updatedAt,
        })
        .execute();
    },

    async lock(id) {
      // A write takes the row lock on PostgreSQL and the write lock at once on SQLite (no deferred upgrade).
      await db.updateTable('run').set((eb) => ({ updatedAt: eb.ref('updatedAt') })).where('id', '=', id).execute();
      const row = await select().where('id', '=', id).executeTakeFirst();
      return row && toRun(row);
    },
    find: async (workspaceId, id) => {
      const row = await select().where('workspaceId', '=', workspaceId).where('id', '=', id).executeTakeFirst();
      return row && toRun(row);
    },
    findById: async (id) => {
      const row = await select().where('id', '=', id).executeTakeFirst();
      return row && toRun(row);
    },
    findByIdempotencyKey: async (workspaceId, key) => {
      const row = await select().where('workspaceId', '=', workspaceId).where('idempotencyKey', '=', key).executeTakeFirst();
      return row && toRun(row);
    },

    async list(workspaceId, query) {
      let rows = select().where('workspaceId', '=', workspaceId);
      if (query.state) rows = rows.where('state', '=', query.state);
      if (query.kind) rows = rows.where('kind', '=', query.kind);
      if (query.feature) rows = rows.where('feature', '=', query.feature);
      if (query.originId) rows = rows.where('originId', '=', query.originId);
      if (query.from) rows = rows.where('createdAt', '>=', new Date(query.from).toISOString());
      if (query.to) rows = rows.where('createdAt', '<', new Date(query.to).toISOString());
      if (query.cursor) rows = rows.where('id', '<', query.cursor);
      return (await rows.orderBy('id', 'desc').limit(query.limit + 1).execute()).map(toRun);
    },

    children: async (parentRunId) => (await select().where('parentRunId', '=', parentRunId).orderBy('id').execute()).map(toRun),

    async update(id, changes) {
      await db.updateTable('run').set(toColumns(changes)).where('id', '=', id).execute();
    },
    updateUnfinished: async (id, changes) => changed(await db.updateTable('run').set(toColumns(changes)).where('id', '=', id).where('state', 'in', unfinished).executeTakeFirst()),
    updateCurrent: async (id, attemptId, changes) =>
      changed(await db.updateTable('run').set(toColumns(changes)).where('id', '=', id).where('currentAttemptId', '=', attemptId).where('state', 'in', unfinished).executeTakeFirst()),

    attempts: async (runId) =>
      (await db.selectFrom('runAttempt').selectAll().where('runId', '=', runId).orderBy('id').execute()).map((row) => ({
        id: row.id,
        number: row.number,
        startedAt: row.startedAt,
        finishedAt: row.finishedAt,
        outcome: row.outcome as RunAttemptOutcome,
        error: row.error,
      })),
    attemptCount: async (runId) => Number((await db.selectFrom('runAttempt').select((eb) => eb.fn.countAll().as('count')).where('runId', '=', runId).executeTakeFirstOrThrow()).count),
    async insertAttempt(runId, attempt) {
      await db.insertInto('runAttempt').values({ ...attempt, runId }).execute();
    },
    interruptRunningAttempts: async (runId, at, error) =>
      Number((await db.updateTable('runAttempt').set({ outcome: 'interrupted', finishedAt: at, error }).where('runId', '=', runId).where('outcome', '=', 'running').executeTakeFirst()).numUpdatedRows),
    endAttempt: async (attemptId, changes) => changed(await db.updateTable('runAttempt').set(changes).where('id', '=', attemptId).where('outcome', '=', 'running').executeTakeFirst()),

    async insertLog(runId, line) {
      await db.insertInto('runLog').values({ ...line, runId }).execute();
    },
    async logs(runId, after, limit) {
      let rows = db.selectFrom('runLog').select(['id', 'attempt', 'at', 'line']).where('runId', '=', runId);
      if (after) rows = rows.where('id', '>', after);
      return rows.orderBy('id').limit(limit).execute();
    },

    async insertOutbox(row) {
      await db.insertInto('runOutbox').values(row).execute();
    },
    async deleteOutbox(runId) {
      await db.deleteFrom('runOutbox').where('runId', '=', runId).execute();
    },
    pendingOutbox: (createdBefore, limit) => db.selectFrom('runOutbox').select(['runId', 'jobKey']).where('createdAt', '<', createdBefore).orderBy('createdAt').limit(limit).execute(),
  };
};
