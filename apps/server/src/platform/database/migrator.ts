import { Migrator, PostgresAdapter, sql, type Kysely, type Migration, type MigrationResult } from 'kysely';
import { SteadError } from '../errors/stead-error.ts';

// Migrations see the schema as it was when they were written, not today's `Database` type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDatabase = Kysely<any>;

/** Migrations by permanent name; applied in name order (the composition joins `migrations/` and the features'). */
export type Migrations = Readonly<Record<string, Migration>>;

/**
 * Kysely's migrator looks for its bookkeeping tables in every PostgreSQL schema; with a `search_path` other
 * than `public` it could find another schema's tables and skip creating its own. Pinning them to the
 * connection's current schema keeps installations that share a database apart.
 */
const createMigrator = async (db: AnyDatabase, migrations: Migrations): Promise<Migrator> => {
  let migrationTableSchema: string | undefined;
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(db);
    migrationTableSchema = rows[0]?.schema;
  }
  return new Migrator({ db, provider: { getMigrations: async () => migrations }, ...(migrationTableSchema ? { migrationTableSchema } : {}) });
};

/** Applies pending migrations; each runs in its own transaction, so a failure leaves the previous state. */
export const migrateToLatest = async (db: AnyDatabase, migrations: Migrations): Promise<MigrationResult[]> => {
  const { error, results } = await (await createMigrator(db, migrations)).migrateToLatest();
  if (error) {
    const failed = results?.find((result) => result.status === 'Error')?.migrationName ?? 'unknown';
    throw new SteadError('service_unavailable', `Migration ${failed} failed: ${(error as Error).message}`, { cause: error });
  }
  return results ?? [];
};

export const pendingMigrations = async (db: AnyDatabase, migrations: Migrations): Promise<string[]> => {
  const all = await (await createMigrator(db, migrations)).getMigrations();
  return all.filter((migration) => !migration.executedAt).map((migration) => migration.name);
};
