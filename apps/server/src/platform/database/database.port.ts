import type { Kysely } from 'kysely';
import type { SqlDialect } from './sql-dialect.ts';

export type DatabaseDialect = 'sqlite' | 'postgres';

/**
 * The database port: a Kysely instance plus what Kysely does not abstract. Queries are written once in
 * Kysely and must compile on both dialects; repository tests run them on both.
 *
 * Not in the contract: dialect-specific SQL outside migrations, and cross-process locking on SQLite (a
 * single node owns its file).
 */
export interface DatabaseHandle {
  /**
   * The whole database. Its tables are composed outside the platform (`Database` in feature-list.ts); each
   * feature's `create` and the queue see it typed over their own tables only.
   */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>;
  dialect: DatabaseDialect;
  /** What differs between the dialects (locking, clock, better-auth's storage, relaxed commits): ask it, never `dialect`. */
  sqlDialect: SqlDialect;
  /** Where the data is, for people: the SQLite file path or the PostgreSQL URL without its password. */
  location: string;
  /** Runs the engine's own consistency check; resolves to the problems found (empty when healthy). */
  checkIntegrity(): Promise<string[]>;
  /** Resolves when a trivial query succeeds; rejects otherwise. */
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** The handle without its query builder: what code that does not query (health, diagnostics) needs. */
export type DatabaseInfo = Omit<DatabaseHandle, 'db'>;
