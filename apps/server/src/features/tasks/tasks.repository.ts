import type { Insertable, Kysely, Selectable, Updateable } from 'kysely';
import type { Database, TaskAttemptTable, TaskLogTable, TaskTable } from '../../platform/database/database.types.ts';
import type { TaskListQuery } from './tasks.schema.ts';

export type TaskRow = Selectable<TaskTable>;
export type TaskAttemptRow = Selectable<TaskAttemptTable>;
export type TaskLogRow = Selectable<TaskLogTable>;

const unfinished = ['queued', 'running', 'retrying'] as const;

export const createTasksRepository = (db: Kysely<Database>) => ({
  async insert(row: Insertable<TaskTable>): Promise<void> {
    await db.insertInto('task').values(row).execute();
  },

  find(workspaceId: string, id: string): Promise<TaskRow | undefined> {
    return db.selectFrom('task').selectAll().where('workspaceId', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  },

  findById(id: string): Promise<TaskRow | undefined> {
    return db.selectFrom('task').selectAll().where('id', '=', id).executeTakeFirst();
  },

  findByIdempotencyKey(workspaceId: string, key: string): Promise<TaskRow | undefined> {
    return db.selectFrom('task').selectAll().where('workspaceId', '=', workspaceId).where('idempotencyKey', '=', key).executeTakeFirst();
  },

  async deleteById(id: string): Promise<void> {
    await db.deleteFrom('task').where('id', '=', id).execute();
  },

  list(workspaceId: string, query: TaskListQuery): Promise<TaskRow[]> {
    let select = db.selectFrom('task').selectAll().where('workspaceId', '=', workspaceId);
    if (query.state) select = select.where('state', '=', query.state);
    if (query.kind) select = select.where('kind', '=', query.kind);
    if (query.originId) select = select.where('originId', '=', query.originId);
    if (query.from) select = select.where('createdAt', '>=', new Date(query.from).toISOString());
    if (query.to) select = select.where('createdAt', '<', new Date(query.to).toISOString());
    if (query.cursor) select = select.where('id', '<', query.cursor);
    return select.orderBy('id', 'desc').limit(query.limit + 1).execute();
  },

  /** Tasks created but never handed to the queue (the process died in between). */
  listUnqueued(olderThan: string): Promise<TaskRow[]> {
    return db.selectFrom('task').selectAll().where('jobId', 'is', null).where('state', '=', 'queued').where('createdAt', '<', olderThan).limit(500).execute();
  },

  /**
   * Changes a task unless it has finished meanwhile (a cancel must not be overwritten by the attempt it
   * interrupted). Resolves to whether a row changed.
   */
  async updateUnfinished(id: string, changes: Updateable<TaskTable>): Promise<boolean> {
    const result = await db.updateTable('task').set(changes).where('id', '=', id).where('state', 'in', unfinished).executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  },

  async update(id: string, changes: Updateable<TaskTable>): Promise<void> {
    await db.updateTable('task').set(changes).where('id', '=', id).execute();
  },

  attempts(taskId: string): Promise<TaskAttemptRow[]> {
    return db.selectFrom('taskAttempt').selectAll().where('taskId', '=', taskId).orderBy('id').execute();
  },

  async insertAttempt(row: Insertable<TaskAttemptTable>): Promise<void> {
    await db.insertInto('taskAttempt').values(row).execute();
  },

  /** Attempts still marked running when a new one starts were cut off (killed worker, lost lease). */
  async interruptRunningAttempts(taskId: string, at: string): Promise<void> {
    await db
      .updateTable('taskAttempt')
      .set({ outcome: 'interrupted', finishedAt: at, error: 'The worker stopped before the attempt finished' })
      .where('taskId', '=', taskId)
      .where('outcome', '=', 'running')
      .execute();
  },

  async endAttempt(taskId: string, number: number, changes: Pick<TaskAttemptRow, 'outcome' | 'finishedAt' | 'error'>): Promise<void> {
    await db.updateTable('taskAttempt').set(changes).where('taskId', '=', taskId).where('number', '=', number).where('outcome', '=', 'running').execute();
  },

  async insertLog(row: Insertable<TaskLogTable>): Promise<void> {
    await db.insertInto('taskLog').values(row).execute();
  },

  logs(taskId: string, after: string | undefined, limit: number): Promise<TaskLogRow[]> {
    let select = db.selectFrom('taskLog').selectAll().where('taskId', '=', taskId);
    if (after) select = select.where('id', '>', after);
    return select.orderBy('id').limit(limit).execute();
  },
});

export type TasksRepository = ReturnType<typeof createTasksRepository>;
