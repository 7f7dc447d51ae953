import type { Kysely } from 'kysely';

/** A route rule may cache deterministic answers (exact request match) for this many seconds; null: no cache. */
export const up = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema.alterTable('modelRouteRule').addColumn('cacheTtlSeconds', 'integer').execute();
};

export const down = async (db: Kysely<unknown>): Promise<void> => {
  await db.schema.alterTable('modelRouteRule').dropColumn('cacheTtlSeconds').execute();
};
