import type { Kysely, SelectQueryBuilder } from 'kysely';
import type { DatabaseDialect } from './database.port.ts';

/**
 * What differs between SQLite and PostgreSQL beyond the SQL Kysely compiles, behind one object per dialect
 * (`dialects/sqlite.dialect.ts`, `dialects/postgres.dialect.ts`), the way Kysely keeps one file set per
 * dialect. Code asks the handle's `sqlDialect` instead of testing `dialect === '…'`.
 *
 * Capability flags (no defaults: each dialect states its own):
 * - `crossProcess`: other processes (nodes of a cluster) share this database, so row locks and advisory locks
 *   matter. SQLite: false (one node owns its file, and its single writer serialises every transaction).
 *
 * Not in the contract: full-text and vector search (their own ports), and dialect-specific DDL (migrations).
 */
export interface SqlDialect {
  readonly name: DatabaseDialect;
  readonly crossProcess: boolean;
  /** Adds `for update` where rows can be locked (PostgreSQL); SQLite's single writer already serialises. */
  forUpdate<DB, TB extends keyof DB, O>(query: SelectQueryBuilder<DB, TB, O>): SelectQueryBuilder<DB, TB, O>;
  /** Adds `for update skip locked` (PostgreSQL): concurrent claimers take different rows instead of waiting. */
  forUpdateSkipLocked<DB, TB extends keyof DB, O>(query: SelectQueryBuilder<DB, TB, O>): SelectQueryBuilder<DB, TB, O>;
  /**
   * Serialises transactions naming the same `key` across processes until the calling transaction ends
   * (PostgreSQL `pg_advisory_xact_lock`). SQLite: nothing to do, its one writer's transaction already does.
   */
  lockForTransaction<DB>(transaction: Kysely<DB>, key: string): Promise<void>;
  /**
   * A boolean as better-auth stores it: 0/1 on SQLite, a boolean on PostgreSQL. Stead's own tables store no
   * booleans; only writes into better-auth's tables need this.
   */
  storedBoolean(value: boolean): boolean | number;
  /** A date as better-auth stores it: ISO-8601 text on SQLite, a timestamp on PostgreSQL. */
  storedDate(value: Date): Date | string;
  /**
   * Runs `work` with commits that do not wait for the disk: SQLite `synchronous = NORMAL` on its one connection
   * (held for the duration, so no other statement commits that way), PostgreSQL `synchronous_commit = off` for
   * one transaction. A process crash loses nothing either way; a power loss or OS crash may lose the last
   * moments of such writes. For high-volume records that tolerate that (the model usage ledger); never for
   * state other work acts on (jobs, keys, settings).
   */
  commitWithoutDiskWait<DB, T>(db: Kysely<DB>, work: (db: Kysely<DB>) => Promise<T>): Promise<T>;
  /** The database's own clock (not the transaction's start time), to the millisecond. */
  now<DB>(db: Kysely<DB>): Promise<Date>;
}
