import { Migrator, type Kysely, type MigrationResult } from 'kysely';

// Migrations see the schema as it was when they were written, not today's `Database` type.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyDatabase = Kysely<any>;
import { migrations } from '../../../migrations/index.ts';
import { SteadError } from '../errors/stead-error.ts';

/** Applies pending migrations; each runs in its own transaction, so a failure leaves the previous state. */
export const migrateToLatest = async (db: AnyDatabase): Promise<MigrationResult[]> => {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((result) => result.status === 'Error')?.migrationName ?? 'unknown';
    throw new SteadError('service_unavailable', `Migration ${failed} failed: ${(error as Error).message}`, { cause: error });
  }
  return results ?? [];
};

export const pendingMigrations = async (db: AnyDatabase): Promise<string[]> => {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const all = await migrator.getMigrations();
  return all.filter((migration) => !migration.executedAt).map((migration) => migration.name);
};
