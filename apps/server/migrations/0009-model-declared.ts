import type { Kysely } from 'kysely';

/**
 * Providers, aliases and route rules declared in `stead.config.yaml` (1) are synced into every workspace at
 * start and are read-only; the others (0) are made in the dashboard, the API or the CLI. A declared provider's
 * models are read-only through it, so the model table needs no flag of its own.
 */
const tables = ['modelProvider', 'modelAlias', 'modelRouteRule'];

export const up = async (db: Kysely<unknown>): Promise<void> => {
  for (const table of tables) await db.schema.alterTable(table).addColumn('declared', 'integer', (c) => c.notNull().defaultTo(0)).execute();
};

export const down = async (db: Kysely<unknown>): Promise<void> => {
  for (const table of tables) await db.schema.alterTable(table).dropColumn('declared').execute();
};
