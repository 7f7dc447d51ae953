import { sql, type Kysely, type SqlBool } from 'kysely';

/**
 * The embedded job queue: jobs with their lease, per-job log lines, and per-queue state (a pause set by
 * `RateLimitJobError`). Times are ISO text like every Stead table, so comparisons are plain text comparisons.
 */
export const up = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema
    .createTable('job')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('queue', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('priority', 'integer', (c) => c.notNull())
    .addColumn('runAt', 'text', (c) => c.notNull())
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('maxAttempts', 'integer', (c) => c.notNull())
    .addColumn('backoff', 'text', (c) => c.notNull())
    .addColumn('timeoutMs', 'integer')
    .addColumn('idempotencyKey', 'text')
    .addColumn('leaseToken', 'text')
    .addColumn('leaseExpiresAt', 'text')
    .addColumn('progress', 'text')
    .addColumn('result', 'text')
    .addColumn('error', 'text')
    .addColumn('createdAt', 'text', (c) => c.notNull())
    .addColumn('updatedAt', 'text', (c) => c.notNull())
    .addColumn('startedAt', 'text')
    .addColumn('finishedAt', 'text')
    .execute();

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

  await db.schema
    .createTable('jobLog')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('jobId', 'text', (c) => c.notNull().references('job.id').onDelete('cascade'))
    .addColumn('at', 'text', (c) => c.notNull())
    .addColumn('line', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('jobLog_jobId_idx').on('jobLog').columns(['jobId', 'id']).execute();

  await db.schema
    .createTable('jobQueue')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('pausedUntil', 'text')
    .addColumn('updatedAt', 'text', (c) => c.notNull())
    .execute();
};

export const down = async (db: Kysely<unknown>): Promise<void> => {
  for (const table of ['jobQueue', 'jobLog', 'job']) await db.schema.dropTable(table).ifExists().execute();
};
