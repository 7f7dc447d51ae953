import { Migrator, PostgresAdapter, sql, type Kysely } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { migrations } from '../../../migrations/index.ts';
import { isolatedPostgresUrl } from '../../../test/support/databases.ts';
import { serviceUrl } from '../../../test/support/services.ts';
import { createPostgresDatabase, createSqliteDatabase } from '../../platform/database/database.factory.ts';
import type { DatabaseHandle } from '../../platform/database/database.port.ts';

/** Migration 0012 on a database holding tasks in every state, with attempts, log lines and queue jobs. */

// The schema before 0012 is not today's `Database` type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDatabase = Kysely<any>;

const migratorFor = async (db: AnyDatabase): Promise<Migrator> => {
  const schema = db.getExecutor().adapter instanceof PostgresAdapter ? (await sql<{ schema: string }>`select current_schema() as schema`.execute(db)).rows[0]?.schema : undefined;
  return new Migrator({ db, provider: { getMigrations: async () => migrations }, ...(schema ? { migrationTableSchema: schema } : {}) });
};

const states = ['queued', 'running', 'retrying', 'succeeded', 'failed', 'cancelled'] as const;
const at = '2026-12-01T10:00:00.000Z';

const seedTasks = async (db: AnyDatabase) => {
  await db.insertInto('workspace').values({ id: 'ws1', name: 'Old', slug: 'old', createdAt: at, updatedAt: at }).execute();
  for (const [index, state] of states.entries()) {
    const id = `task-${index}-${state}`;
    await db
      .insertInto('task')
      .values({
        id, workspaceId: 'ws1', kind: 'http.request', input: JSON.stringify({ url: `https://example.com/${state}` }), state, jobId: `job-${index}`,
        attempts: index % 3, maxAttempts: 3, progressPercent: state === 'succeeded' ? 100 : null, progressMessage: state === 'succeeded' ? 'done' : null,
        output: state === 'succeeded' ? JSON.stringify({ status: 200 }) : null, error: state === 'failed' ? 'answered 404' : null, origin: index % 2 ? 'schedule' : 'api',
        originId: index % 2 ? 'schedule-1' : null, idempotencyKey: index === 0 ? 'client-key' : null, createdBy: 'user-1', createdByRole: 'member', createdAt: at, runAt: at,
        startedAt: state === 'queued' ? null : at, finishedAt: ['succeeded', 'failed', 'cancelled'].includes(state) ? at : null, updatedAt: at,
      })
      .execute();
    await db.insertInto('taskAttempt').values({ id: `${id}-a1`, taskId: id, number: 1, startedAt: at, finishedAt: state === 'running' ? null : at, outcome: state === 'running' ? 'running' : state === 'succeeded' ? 'succeeded' : 'failed', error: null }).execute();
    await db.insertInto('taskLog').values({ id: `${id}-l1`, taskId: id, attempt: 1, at, line: `GET https://example.com/${state}` }).execute();
    const jobState = state === 'running' ? 'active' : state === 'retrying' ? 'delayed' : state === 'queued' ? 'waiting' : state === 'succeeded' ? 'completed' : state;
    await db
      .insertInto('job')
      .values({ id: `job-${index}`, queue: 'tasks', name: 'task.run', payload: JSON.stringify({ taskId: id }), state: jobState, priority: 0, runAt: at, attempts: 1, maxAttempts: 3, backoff: '{}', timeoutMs: null, idempotencyKey: `task:${id}`, leaseToken: null, leaseExpiresAt: null, progress: null, result: null, error: null, createdAt: at, updatedAt: at, startedAt: null, finishedAt: null })
      .execute();
  }
  await db.insertInto('job').values({ id: 'job-other', queue: 'mail', name: 'mail.send', payload: JSON.stringify({ taskId: 'not-a-task' }), state: 'waiting', priority: 0, runAt: at, attempts: 0, maxAttempts: 3, backoff: '{}', timeoutMs: null, idempotencyKey: null, leaseToken: null, leaseExpiresAt: null, progress: null, result: null, error: null, createdAt: at, updatedAt: at, startedAt: null, finishedAt: null }).execute();
};

const checkMigrated = async (db: AnyDatabase) => {
  const runs = await db.selectFrom('run').selectAll().orderBy('id').execute();
  expect(runs.map((run) => [run.id, run.state, run.feature, run.attempts, run.interruptedAttempts])).toEqual(states.map((state, index) => [`task-${index}-${state}`, state, 'tasks', index % 3, 0]));
  expect(runs[0]).toMatchObject({ idempotencyKey: 'client-key', origin: 'api', originId: null, createdBy: 'user-1', createdByRole: 'member', jobId: 'job-0', parentRunId: null, maxInterruptedAttempts: 5 });
  expect(runs[3]).toMatchObject({ output: JSON.stringify({ status: 200 }), progressPercent: 100, progressMessage: 'done', finishedAt: at });
  expect(runs[4]).toMatchObject({ error: 'answered 404', origin: 'api' });
  expect(runs[5]).toMatchObject({ origin: 'schedule', originId: 'schedule-1' });
  expect((await db.selectFrom('runAttempt').selectAll().execute()).map((attempt) => attempt.runId).sort()).toEqual(runs.map((run) => run.id));
  expect(await db.selectFrom('runAttempt').select(['outcome']).where('runId', '=', 'task-1-running').execute()).toEqual([{ outcome: 'running' }]);
  expect((await db.selectFrom('runLog').selectAll().execute()).map((line) => line.line).sort()).toEqual(states.map((state) => `GET https://example.com/${state}`).sort());
  const jobs = await db.selectFrom('job').select(['id', 'queue', 'name', 'payload']).orderBy('id').execute();
  expect(jobs.filter((job) => job.id !== 'job-other')).toEqual(states.map((state, index) => ({ id: `job-${index}`, queue: 'runs', name: 'run.execute', payload: JSON.stringify({ runId: `task-${index}-${state}` }) })));
  expect(jobs.find((job) => job.id === 'job-other')).toMatchObject({ name: 'mail.send', payload: JSON.stringify({ taskId: 'not-a-task' }) });
  for (const table of ['task', 'taskAttempt', 'taskLog']) await expect(db.selectFrom(table).selectAll().execute()).rejects.toThrow();
};

const variants: { name: string; open: () => Promise<{ handle: DatabaseHandle; dispose: () => Promise<void> } | undefined> }[] = [
  { name: 'sqlite', open: async () => { const handle = createSqliteDatabase({ file: ':memory:' }); return { handle, dispose: () => handle.close() }; } },
  {
    name: 'postgres',
    open: async () => {
      const base = serviceUrl('postgres');
      if (!base) return undefined;
      const isolated = await isolatedPostgresUrl(base);
      const handle = await createPostgresDatabase({ url: isolated.url, maxConnections: 2 });
      return { handle, dispose: async () => { await handle.close(); await isolated.dispose(); } };
    },
  },
];

describe('migration 0012-runs', () => {
  let dispose: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await dispose?.();
    dispose = undefined;
  });

  for (const variant of variants) {
    it.skipIf(variant.name === 'postgres' && !serviceUrl('postgres'))(`moves tasks in every state, their attempts, log lines and pending jobs into runs [${variant.name}]`, async () => {
      const opened = (await variant.open())!;
      dispose = opened.dispose;
      const db = opened.handle.db as AnyDatabase;
      const migrator = await migratorFor(db);
      expect((await migrator.migrateTo('0011-queue-stalls')).error).toBeUndefined();
      await seedTasks(db);
      expect((await migrator.migrateTo('0012-runs')).error).toBeUndefined();
      await checkMigrated(db);

      // Down brings the tasks back, and up again moves them once more.
      expect((await migrator.migrateTo('0011-queue-stalls')).error).toBeUndefined();
      expect(await db.selectFrom('task').select('id').orderBy('id').execute()).toHaveLength(states.length);
      expect((await db.selectFrom('job').select('name').where('id', '=', 'job-0').executeTakeFirst())?.name).toBe('task.run');
      expect((await migrator.migrateTo('0012-runs')).error).toBeUndefined();
      await checkMigrated(db);
    });
  }
});
