import { PostgresAdapter, type Kysely } from 'kysely';

/** Column types that differ between the two dialects; everything else in a migration is portable Kysely. */
export const columnTypes = (db: Kysely<unknown>) => {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  return {
    postgres,
    /** better-auth's date columns: `timestamptz` on PostgreSQL, `date` (ISO text) on SQLite. */
    authDate: postgres ? ('timestamptz' as const) : ('date' as const),
    /** better-auth's boolean columns. */
    authBoolean: postgres ? ('boolean' as const) : ('integer' as const),
  };
};
