import { sql, type Kysely, type SqlBool } from 'kysely';
import { createTable } from './migration-helpers.ts';

/**
 * The embedded job queue: jobs with their lease, per-job log lines, and per-queue state (a pause set by
 * `RateLimitJobError`). Times are ISO text like every Stead table, so comparisons are plain text comparisons.
 */
export const up = async (db: Kysely<unknown>): Promise<void> => {
  await createTable(db, 'job', {
    id: 'text primary key',
    queue: 'text not null',
    name: 'text not null',
    payload: 'text not null',
    state: 'text not null',
    priority: 'integer not null',
    runAt: 'text not null',
    attempts: 'integer not null',
    maxAttempts: 'integer not null',
    backoff: 'text not null',
    timeoutMs: 'integer',
    idempotencyKey: 'text',
    leaseToken: 'text',
    leaseExpiresAt: 'text',
    progress: 'text',
    result: 'text',
    error: 'text',
    createdAt: 'text not null',
    updatedAt: 'text not null',
    startedAt: 'text',
    finishedAt: 'text',
  }).execute();

  // The claim query reads ready jobs of one queue in priority order straight off this index. The predicate is
  // literal SQL (not bound parameters) so both planners can match the query's identical literal condition.
  await db.schema
    .createIndex('job_ready_idx')
    .on('job')
    .columns(['queue', 'priority desc', 'runAt', 'id'])
    .where(sql<SqlBool>`"state" in ('waiting', 'delayed')`)
    .execute();
  // Stalled-job recovery: active jobs of a queue by lease expiry.
  await db.schema.createIndex('job_lease_idx').on('job').columns(['queue', 'leaseExpiresAt']).where(sql<SqlBool>`"state" = 'active'`).execute();
  // Rate limits count recent starts of a queue, across processes.
  await db.schema.createIndex('job_started_idx').on('job').columns(['queue', 'startedAt']).execute();
  // A key identifies one live job; a cancelled job gives its key up so the work can be enqueued again.
  await db.schema
    .createIndex('job_idempotencyKey_idx')
    .on('job')
    .column('idempotencyKey')
    .unique()
    .where(sql<SqlBool>`"idempotencyKey" is not null and "state" <> 'cancelled'`)
    .execute();

  await createJobLog(db);

  await createTable(db, 'jobQueue', {
    name: 'text primary key',
    pausedUntil: 'text',
    updatedAt: 'text not null',
  }).execute();
};

/** Job log lines (dropped by 0011, when runs took over the only log; its `down` brings them back). */
export const createJobLog = async (db: Kysely<unknown>): Promise<void> => {
  await createTable(db, 'jobLog', {
    id: 'text primary key',
    jobId: 'text not null references job.id on delete cascade',
    at: 'text not null',
    line: 'text not null',
  }).execute();
  await db.schema.createIndex('jobLog_jobId_idx').on('jobLog').columns(['jobId', 'id']).execute();
};

export const down = async (db: Kysely<unknown>): Promise<void> => {
  for (const table of ['jobQueue', 'jobLog', 'job']) await db.schema.dropTable(table).ifExists().execute();
};
