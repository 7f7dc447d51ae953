import { sql, type Insertable, type Kysely, type Selectable, type SqlBool } from 'kysely';
import type { SqlDialect } from '../database/sql-dialect.ts';
import type { JobTable, QueueTables } from './queue.tables.ts';

export type JobRow = Selectable<JobTable>;

// Literal state conditions (not bound parameters), identical to the partial indexes' predicates in
// migrations/0002-jobs.ts, so both planners use those indexes.
const ready = sql<SqlBool>`"state" in ('waiting', 'delayed')`;
const active = sql<SqlBool>`"state" = 'active'`;
const live = sql<SqlBool>`"idempotencyKey" is not null and "state" <> 'cancelled'`;

export interface ClaimRequest {
  queue: string;
  /** ISO time the claim happens at. */
  now: string;
  /** Jobs wanted at most (free worker slots). */
  limit: number;
  leaseToken: string;
  leaseExpiresAt: string;
  /** Starts allowed per window, counted from `startedAt` of the queue's jobs (all processes). */
  rateLimit?: { max: number; windowStart: string } | undefined;
  /** Also look for stalled jobs (active with an expired lease). Workers do it once per poll interval, not per claim. */
  recoverStalled: boolean;
  /**
   * SQLite only (one process works the file): also take over active jobs whose lease token does not start with
   * this prefix, lease or not — their process is gone. A worker does it when it starts.
   */
  takeOverExcept?: string | undefined;
}

/** What to do with a job whose attempt did not complete. */
export type AttemptOutcome =
  | { state: 'failed'; error: string; now: string }
  /** Back to `delayed` at `runAt`; `uncount` gives the attempt back (delays and rate limits are not failures). */
  | { state: 'delayed'; runAt: string; error: string | null; uncount: boolean; now: string };

/** Queries of the embedded job queue. Every write to an active job names the lease token it holds. */
export interface DatabaseQueueRepository {
  /** Inserts jobs in order (one multi-row insert for runs of jobs without an idempotency key). */
  insertMany(rows: Insertable<JobTable>[]): Promise<JobRow[]>;
  /** Inserts the job unless another live job has its idempotency key, and returns whichever job holds the key. */
  insert(row: Insertable<JobTable>): Promise<JobRow>;
  get(id: string): Promise<JobRow | undefined>;
  /** Makes sure the queue has its state row, which claims of rate-limited queues lock. */
  ensureQueue(queue: string, now: string): Promise<void>;
  pauseQueue(queue: string, until: string, now: string): Promise<void>;
  /** Leases up to `limit` jobs of a queue: stalled (or taken-over) jobs first, then ready ones by priority and age. */
  claim(request: ClaimRequest): Promise<JobRow[]>;
  /** Extends the lease; false when the job is no longer held under this token (cancelled, or re-leased). */
  renewLease(id: string, leaseToken: string, leaseExpiresAt: string, now: string): Promise<boolean>;
  complete(id: string, leaseToken: string, result: string, now: string): Promise<boolean>;
  endAttempt(id: string, leaseToken: string, outcome: AttemptOutcome): Promise<boolean>;
  /** Gives a job back to the queue at once without counting the attempt (its worker is shutting down). */
  release(id: string, leaseToken: string, now: string): Promise<boolean>;
  setProgress(id: string, leaseToken: string, progress: string, now: string): Promise<boolean>;
  /** Waiting, delayed or active jobs become cancelled; dropping the lease token voids the holder's result. */
  cancel(id: string, now: string): Promise<boolean>;
  /** A failed or cancelled job waits again with fresh attempts and stalls (not a cancelled one whose key was taken since). */
  retry(id: string, now: string): Promise<boolean>;
}

/**
 * The application database (or a transaction of it, such as a caller's `EnqueueOptions.transaction`) seen
 * through the queue's own tables. Kysely's types are invariant in the table map, so narrowing needs a cast;
 * every database this queue runs on holds these tables.
 */
export const queueTablesOf = (db: { readonly isTransaction: boolean }): Kysely<QueueTables> => db as unknown as Kysely<QueueTables>;

/**
 * Inserts the job unless another live job has its idempotency key, and returns whichever job holds the key.
 * The partial unique index decides races between concurrent enqueues (also across processes).
 */
const insertJob = async (db: Kysely<QueueTables>, row: Insertable<JobTable>): Promise<JobRow> => {
  if (row.idempotencyKey === null || row.idempotencyKey === undefined) {
    await db.insertInto('job').values(row).execute();
    return { ...(row as JobRow) };
  }
  await db
    .insertInto('job')
    .values(row)
    .onConflict((conflict) => conflict.column('idempotencyKey').where(live).doNothing())
    .execute();
  return db.selectFrom('job').selectAll().where('idempotencyKey', '=', row.idempotencyKey).where(live).executeTakeFirstOrThrow();
};

/** Inserts jobs in order (one multi-row insert for runs of jobs without an idempotency key). */
const insertJobs = async (db: Kysely<QueueTables>, rows: Insertable<JobTable>[]): Promise<JobRow[]> => {
  const stored: JobRow[] = [];
  let plain: Insertable<JobTable>[] = [];
  const flushPlain = async (): Promise<void> => {
    // Small chunks stay far below both engines' limits on bound parameters.
    for (let start = 0; start < plain.length; start += 100) await db.insertInto('job').values(plain.slice(start, start + 100)).execute();
    for (const row of plain) stored.push({ ...(row as JobRow) });
    plain = [];
  };
  for (const row of rows) {
    if (row.idempotencyKey === null || row.idempotencyKey === undefined) {
      plain.push(row);
      continue;
    }
    await flushPlain();
    stored.push(await insertJob(db, row));
  }
  await flushPlain();
  return stored;
};

/**
 * Leases up to `limit` jobs of a queue in one transaction: stalled jobs first (active with an expired lease, or
 * on a SQLite start leased by another process: their holder died; each counts a stall, not an attempt), then
 * ready jobs by priority, then age. On PostgreSQL `skip locked` lets concurrent
 * claimers pass each other's candidates instead of queueing on them; SQLite runs one transaction at a time.
 */
const claimJobs = (db: Kysely<QueueTables>, dialect: SqlDialect, request: ClaimRequest): Promise<JobRow[]> => {
  const { queue, now } = request;
  return db.transaction().execute(async (trx) => {
    let queueState = trx.selectFrom('jobQueue').select('pausedUntil').where('name', '=', queue);
    // Locking the queue's row makes the rate limit's count-then-claim atomic across processes.
    if (request.rateLimit) queueState = dialect.forUpdate(queueState);
    const state = await queueState.executeTakeFirst();
    if (state?.pausedUntil && state.pausedUntil > now) return [];

    let limit = request.limit;
    if (request.rateLimit) {
      const started = await trx
        .selectFrom('job')
        .select((eb) => eb.fn.countAll<number | string>().as('count'))
        .where('queue', '=', queue)
        .where('startedAt', '>', request.rateLimit.windowStart)
        .executeTakeFirstOrThrow();
      limit = Math.min(limit, request.rateLimit.max - Number(started.count));
    }
    if (limit <= 0) return [];

    const stalledIds: string[] = [];
    const { takeOverExcept } = request;
    if (request.recoverStalled || takeOverExcept !== undefined) {
      let stalledQuery = trx
        .selectFrom('job')
        .select('id')
        .where('queue', '=', queue)
        .where(active)
        .where((eb) => {
          const expired = eb('leaseExpiresAt', '<=', now);
          return takeOverExcept === undefined ? expired : eb.or([expired, eb('leaseToken', 'not like', `${takeOverExcept}%`)]);
        })
        .orderBy('leaseExpiresAt')
        .limit(limit);
      stalledQuery = dialect.forUpdateSkipLocked(stalledQuery);
      for (const row of await stalledQuery.execute()) stalledIds.push(row.id);
    }

    const readyIds: string[] = [];
    if (stalledIds.length < limit) {
      let readyQuery = trx
        .selectFrom('job')
        .select('id')
        .where('queue', '=', queue)
        .where(ready)
        .where('runAt', '<=', now)
        .orderBy('priority', 'desc')
        .orderBy('runAt')
        .orderBy('id')
        .limit(limit - stalledIds.length);
      readyQuery = dialect.forUpdateSkipLocked(readyQuery);
      for (const row of await readyQuery.execute()) readyIds.push(row.id);
    }
    const ids = [...stalledIds, ...readyIds];
    if (ids.length === 0) return [];

    const lease = { state: 'active', leaseToken: request.leaseToken, leaseExpiresAt: request.leaseExpiresAt, startedAt: now, updatedAt: now } as const;
    const claimed: JobRow[] = [];
    // A stalled job's cut-off attempt was a stall, not a counted attempt: the resumed attempt keeps its number.
    if (stalledIds.length > 0) {
      claimed.push(...(await trx.updateTable('job').set((eb) => ({ ...lease, stalls: eb('stalls', '+', 1) })).where('id', 'in', stalledIds).returningAll().execute()));
    }
    if (readyIds.length > 0) {
      claimed.push(...(await trx.updateTable('job').set((eb) => ({ ...lease, attempts: eb('attempts', '+', 1) })).where('id', 'in', readyIds).returningAll().execute()));
    }
    // The update's row order is the engine's; callers start jobs in claim order.
    const order = new Map(ids.map((id, index) => [id, index]));
    return claimed.sort((left, right) => order.get(left.id)! - order.get(right.id)!);
  });
};

export const createDatabaseQueueRepository = (db: Kysely<QueueTables>, dialect: SqlDialect): DatabaseQueueRepository => ({
  insertMany: (rows) => insertJobs(db, rows),
  insert: (row) => insertJob(db, row),

  get(id: string): Promise<JobRow | undefined> {
    return db.selectFrom('job').selectAll().where('id', '=', id).executeTakeFirst();
  },

  /** Makes sure the queue has its state row, which claims of rate-limited queues lock. */
  async ensureQueue(queue: string, now: string): Promise<void> {
    await db
      .insertInto('jobQueue')
      .values({ name: queue, pausedUntil: null, updatedAt: now })
      .onConflict((conflict) => conflict.column('name').doNothing())
      .execute();
  },

  async pauseQueue(queue: string, until: string, now: string): Promise<void> {
    await db
      .insertInto('jobQueue')
      .values({ name: queue, pausedUntil: until, updatedAt: now })
      .onConflict((conflict) => conflict.column('name').doUpdateSet({ pausedUntil: until, updatedAt: now }))
      .execute();
  },

  claim: (request) => claimJobs(db, dialect, request),

  /** Extends the lease; false when the job is no longer held under this token (cancelled, or re-leased). */
  async renewLease(id: string, leaseToken: string, leaseExpiresAt: string, now: string): Promise<boolean> {
    const result = await db
      .updateTable('job')
      .set({ leaseExpiresAt, updatedAt: now })
      .where('id', '=', id)
      .where('leaseToken', '=', leaseToken)
      .where(active)
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  },

  async complete(id: string, leaseToken: string, result: string, now: string): Promise<boolean> {
    const updated = await db
      .updateTable('job')
      .set({ state: 'completed', result, error: null, finishedAt: now, updatedAt: now, leaseToken: null, leaseExpiresAt: null })
      .where('id', '=', id)
      .where('leaseToken', '=', leaseToken)
      .where(active)
      .executeTakeFirst();
    return updated.numUpdatedRows > 0n;
  },

  async endAttempt(id: string, leaseToken: string, outcome: AttemptOutcome): Promise<boolean> {
    const base = { leaseToken: null, leaseExpiresAt: null, updatedAt: outcome.now };
    const query =
      outcome.state === 'failed'
        ? db.updateTable('job').set({ ...base, state: 'failed', error: outcome.error, finishedAt: outcome.now })
        : db.updateTable('job').set((eb) => ({
            ...base,
            state: 'delayed',
            runAt: outcome.runAt,
            error: outcome.error,
            attempts: outcome.uncount ? eb('attempts', '-', 1) : eb.ref('attempts'),
          }));
    const updated = await query.where('id', '=', id).where('leaseToken', '=', leaseToken).where(active).executeTakeFirst();
    return updated.numUpdatedRows > 0n;
  },

  /** Gives a job back to the queue at once without counting the attempt (its worker is shutting down). */
  async release(id: string, leaseToken: string, now: string): Promise<boolean> {
    const updated = await db
      .updateTable('job')
      .set((eb) => ({ state: 'waiting', runAt: now, attempts: eb('attempts', '-', 1), leaseToken: null, leaseExpiresAt: null, updatedAt: now }))
      .where('id', '=', id)
      .where('leaseToken', '=', leaseToken)
      .where(active)
      .executeTakeFirst();
    return updated.numUpdatedRows > 0n;
  },

  async setProgress(id: string, leaseToken: string, progress: string, now: string): Promise<boolean> {
    const updated = await db.updateTable('job').set({ progress, updatedAt: now }).where('id', '=', id).where('leaseToken', '=', leaseToken).executeTakeFirst();
    return updated.numUpdatedRows > 0n;
  },

  /** Waiting, delayed or active jobs become cancelled; dropping the lease token voids the holder's result. */
  async cancel(id: string, now: string): Promise<boolean> {
    const updated = await db
      .updateTable('job')
      .set({ state: 'cancelled', finishedAt: now, updatedAt: now, leaseToken: null, leaseExpiresAt: null })
      .where('id', '=', id)
      .where('state', 'in', ['waiting', 'delayed', 'active'])
      .executeTakeFirst();
    return updated.numUpdatedRows > 0n;
  },

  /**
   * A failed or cancelled job waits again with fresh attempts. A cancelled job whose idempotency key another
   * live job took since stays cancelled (the key names one live job).
   */
  retry(id: string, now: string): Promise<boolean> {
    return db.transaction().execute(async (trx) => {
      const job = await trx.selectFrom('job').select(['state', 'idempotencyKey']).where('id', '=', id).executeTakeFirst();
      if (!job || (job.state !== 'failed' && job.state !== 'cancelled')) return false;
      if (job.state === 'cancelled' && job.idempotencyKey !== null) {
        const holder = await trx.selectFrom('job').select('id').where('idempotencyKey', '=', job.idempotencyKey).where(live).executeTakeFirst();
        if (holder) return false;
      }
      const updated = await trx
        .updateTable('job')
        .set({ state: 'waiting', attempts: 0, stalls: 0, runAt: now, progress: null, result: null, error: null, startedAt: null, finishedAt: null, updatedAt: now })
        .where('id', '=', id)
        .where('state', 'in', ['failed', 'cancelled'])
        .executeTakeFirst();
      return updated.numUpdatedRows > 0n;
    });
  },
});

