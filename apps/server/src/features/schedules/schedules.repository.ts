import { sql, type Kysely, type Selectable, type SqlBool, type Updateable } from 'kysely';
import type { SqlDialect } from '../../platform/database/sql-dialect.ts';
import type { ScheduleFireTable, SchedulesTables, ScheduleTable } from './schedules.tables.ts';

export type ScheduleRow = Selectable<ScheduleTable>;
export type ScheduleFireRow = Selectable<ScheduleFireTable>;

/** A pending fire with what is needed to start its task again. */
export type StalePendingFire = Pick<ScheduleFireRow, 'id' | 'scheduleId' | 'fireAt' | 'firedAt'> & Pick<ScheduleRow, 'workspaceId' | 'kind' | 'input' | 'createdBy' | 'createdByRole'>;

/** Queries of schedules, their fires and the scheduler's leader lease. */
export interface SchedulesRepository {
  insert(row: ScheduleRow): Promise<void>;
  find(workspaceId: string, id: string): Promise<ScheduleRow | undefined>;
  list(workspaceId: string): Promise<ScheduleRow[]>;
  update(id: string, changes: Updateable<ScheduleTable>): Promise<void>;
  remove(id: string): Promise<void>;
  /** Enabled schedules whose next fire time has come, earliest first. */
  listDue(now: string, limit: number): Promise<ScheduleRow[]>;
  /**
   * Moves a schedule past a fire, only if nobody else did (compare-and-set on `nextFireAt`): two nodes that
   * handled the same fire compute the same result, and an edit or disable in between wins. A null `next`
   * disables the schedule (a one-off that fired, a cron with no future match). False when it had moved on.
   */
  advance(id: string, expected: string, next: string | null, lastFiredAt: string | undefined): Promise<boolean>;
  /** Inserts a fire unless its `(scheduleId, fireAt)` key exists; true when this call inserted it. */
  claimFire(row: ScheduleFireRow): Promise<boolean>;
  finishFire(id: string, result: { taskId: string | null; outcome: 'started' | 'failed'; error: string | null }): Promise<void>;
  /** Pending fires claimed before `before`. */
  listStalePending(before: string, limit: number): Promise<StalePendingFire[]>;
  /** Takes over a stale pending fire (compare-and-set on `firedAt`), so only one tick restarts it. */
  reclaimFire(id: string, previousFiredAt: string, firedAt: string): Promise<boolean>;
  /** Newest nominal time first; the cursor is the `fireAt` of the previous page's last fire. */
  listFires(scheduleId: string, query: { limit: number; cursor?: string | undefined }): Promise<ScheduleFireRow[]>;
  /** Takes the named lease, or renews it; true when `holder` holds it until `expiresAt`. */
  acquireLease(name: string, holder: string, now: string, expiresAt: string): Promise<boolean>;
  releaseLease(name: string, holder: string): Promise<void>;
}

// Literal SQL, not a bound parameter, so SQLite's planner can use the partial index `schedule_due_idx`.
const enabled = sql<SqlBool>`"enabled" = 1`;
const pending = sql<SqlBool>`"outcome" = 'pending'`;

export const createSchedulesRepository = (db: Kysely<SchedulesTables>, dialect: SqlDialect): SchedulesRepository => ({
  async insert(row: ScheduleRow): Promise<void> {
    await db.insertInto('schedule').values(row).execute();
  },
  find: (workspaceId: string, id: string) =>
    db.selectFrom('schedule').selectAll().where('workspaceId', '=', workspaceId).where('id', '=', id).executeTakeFirst(),
  list: (workspaceId: string) => db.selectFrom('schedule').selectAll().where('workspaceId', '=', workspaceId).orderBy('id', 'desc').execute(),
  async update(id: string, changes: Updateable<ScheduleTable>): Promise<void> {
    await db.updateTable('schedule').set(changes).where('id', '=', id).execute();
  },
  async remove(id: string): Promise<void> {
    await db.deleteFrom('schedule').where('id', '=', id).execute();
  },

  /** Enabled schedules whose next fire time has come, earliest first. */
  listDue: (now: string, limit: number) =>
    db.selectFrom('schedule').selectAll().where(enabled).where('nextFireAt', '<=', now).orderBy('nextFireAt').orderBy('id').limit(limit).execute(),

  /**
   * Moves a schedule past a fire, only if nobody else did (compare-and-set on `nextFireAt`): two nodes that
   * handled the same fire compute the same result, and an edit or disable in between wins. A null `next`
   * disables the schedule (a one-off that fired, a cron with no future match). False when it had moved on.
   */
  async advance(id: string, expected: string, next: string | null, lastFiredAt: string | undefined): Promise<boolean> {
    const result = await db
      .updateTable('schedule')
      .set({ nextFireAt: next, ...(next === null ? { enabled: 0 } : {}), ...(lastFiredAt ? { lastFiredAt } : {}) })
      .where('id', '=', id)
      .where('nextFireAt', '=', expected)
      .where(enabled)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  },

  /** Inserts a fire unless its `(scheduleId, fireAt)` key exists; true when this call inserted it. */
  async claimFire(row: ScheduleFireRow): Promise<boolean> {
    const inserted = await db
      .insertInto('scheduleFire')
      .values(row)
      .onConflict((conflict) => conflict.columns(['scheduleId', 'fireAt']).doNothing())
      .returning('id')
      .executeTakeFirst();
    return inserted !== undefined;
  },
  async finishFire(id: string, result: { taskId: string | null; outcome: 'started' | 'failed'; error: string | null }): Promise<void> {
    await db.updateTable('scheduleFire').set(result).where('id', '=', id).execute();
  },
  /** Pending fires claimed before `before`, with what is needed to start their task again. */
  listStalePending: (before: string, limit: number) =>
    db
      .selectFrom('scheduleFire')
      .innerJoin('schedule', 'schedule.id', 'scheduleFire.scheduleId')
      .select(['scheduleFire.id', 'scheduleFire.scheduleId', 'scheduleFire.fireAt', 'scheduleFire.firedAt', 'schedule.workspaceId', 'schedule.kind', 'schedule.input', 'schedule.createdBy', 'schedule.createdByRole'])
      .where(sql<SqlBool>`"scheduleFire"."outcome" = 'pending'`)
      .where('scheduleFire.firedAt', '<', before)
      .orderBy('scheduleFire.firedAt')
      .limit(limit)
      .execute(),
  /** Takes over a stale pending fire (compare-and-set on `firedAt`), so only one tick restarts it. */
  async reclaimFire(id: string, previousFiredAt: string, firedAt: string): Promise<boolean> {
    const result = await db
      .updateTable('scheduleFire')
      .set({ firedAt })
      .where('id', '=', id)
      .where(pending)
      .where('firedAt', '=', previousFiredAt)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  },
  /** Newest nominal time first; the cursor is the `fireAt` of the previous page's last fire. */
  listFires: (scheduleId: string, query: { limit: number; cursor?: string | undefined }) => {
    let select = db.selectFrom('scheduleFire').selectAll().where('scheduleId', '=', scheduleId);
    if (query.cursor) select = select.where('fireAt', '<', query.cursor);
    return select.orderBy('fireAt', 'desc').limit(query.limit + 1).execute();
  },

  /**
   * Takes the named lease, or renews it: in one statement, so two nodes never both succeed. It is taken when
   * free, expired at `now`, or already held by `holder`. True when `holder` holds it until `expiresAt`.
   *
   * The leader renews every tick (each second), so the commit does not wait for the disk: on SQLite a synced
   * commit stopped the server's event loop for 1–2 ms every second. A renewal lost to a power cut only lets the
   * lease expire sooner, and fire keys keep a fire from running twice.
   */
  async acquireLease(name: string, holder: string, now: string, expiresAt: string): Promise<boolean> {
    const row = await dialect.commitWithoutDiskWait(db, (relaxed) =>
      relaxed
        .insertInto('schedulerLease')
        .values({ name, holder, expiresAt })
        .onConflict((conflict) =>
          conflict
            .column('name')
            .doUpdateSet({ holder, expiresAt })
            .where((eb) => eb.or([eb('schedulerLease.holder', '=', holder), eb('schedulerLease.expiresAt', '<=', now)])),
        )
        .returning('holder')
        .executeTakeFirst(),
    );
    return row?.holder === holder;
  },
  async releaseLease(name: string, holder: string): Promise<void> {
    await db.deleteFrom('schedulerLease').where('name', '=', name).where('holder', '=', holder).execute();
  },
});
