import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe } from 'vitest';
import { createPostgresDatabase, createSqliteDatabase } from '../../src/platform/database/database.factory.ts';
import type { DatabaseDialect, DatabaseHandle } from '../../src/platform/database/database.port.ts';
import { migrations } from '../../src/feature-list.ts';
import { migrateToLatest } from '../../src/platform/database/migrator.ts';
import { serviceUrl } from './services.ts';

/**
 * A PostgreSQL URL whose connections use a fresh schema of their own, so suites running in parallel on the
 * shared test database never see each other's rows. The schema is dropped by `dispose`.
 */
export const isolatedPostgresUrl = async (baseUrl: string): Promise<{ url: string; dispose: () => Promise<void> }> => {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  await admin.query(`create schema "${schema}"`);
  await admin.end();
  const url = new URL(baseUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    url: url.toString(),
    dispose: async () => {
      const cleanup = new pg.Client({ connectionString: baseUrl });
      await cleanup.connect();
      await cleanup.query(`drop schema "${schema}" cascade`);
      await cleanup.end();
    },
  };
};

/** A migrated, empty database for one suite; `dispose` drops it. */
export interface TestDatabase {
  handle: DatabaseHandle;
  url?: string;
  dispose: () => Promise<void>;
}

/** A migrated, empty database of the given dialect, or `undefined` when PostgreSQL is not configured. */
export const createTestDatabase = async (dialect: DatabaseDialect): Promise<TestDatabase | undefined> => {
  if (dialect === 'sqlite') {
    const handle = createSqliteDatabase({ file: ':memory:' });
    await migrateToLatest(handle.db, migrations);
    return { handle, dispose: () => handle.close() };
  }
  const base = serviceUrl('postgres');
  if (!base) return undefined;
  const isolated = await isolatedPostgresUrl(base);
  const handle = await createPostgresDatabase({ url: isolated.url, maxConnections: 4 });
  await migrateToLatest(handle.db, migrations);
  return {
    handle,
    url: isolated.url,
    dispose: async () => {
      await handle.close();
      await isolated.dispose();
    },
  };
};

/**
 * Runs a suite once per dialect (SQLite always; PostgreSQL when configured) against a fresh migrated
 * database. `use()` returns the handle inside tests.
 */
export const describeEachDialect = (name: string, suite: (use: () => DatabaseHandle, dialect: DatabaseDialect) => void): void => {
  for (const dialect of ['sqlite', 'postgres'] as const) {
    const enabled = dialect === 'sqlite' || serviceUrl('postgres') !== undefined;
    describe.skipIf(!enabled)(`${name} [${dialect}]`, () => {
      let database: TestDatabase | undefined;
      beforeAll(async () => {
        database = await createTestDatabase(dialect);
      });
      afterAll(async () => {
        await database?.dispose();
      });
      suite(() => database!.handle, dialect);
    });
  }
};
