import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDriver from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql } from 'kysely';
import type { PoolConfig } from 'pg';
import { SteadError } from '../errors/stead-error.ts';
import { maskUrlCredentials } from '../logger/mask.ts';
import { dataDirectoryMode, dataFileMode, tightenMode } from './data-directory.ts';
import type { DatabaseHandle } from './database.port.ts';
import { postgresDialect } from './dialects/postgres.dialect.ts';
import { sqliteDialect } from './dialects/sqlite.dialect.ts';

export interface SqliteDatabaseOptions {
  /** Path of the database file, or `:memory:`. */
  file: string;
  /** Told about a database file other users can read that could not be made 0600. Default: ignored. */
  onWarning?: (message: string) => void;
}

/**
 * Creates the database file owner-only (0600) before SQLite opens it, or tightens an existing one: SQLite gives
 * the `-wal` and `-shm` files it creates the mode of the database file, so they follow. Files left over from an
 * older version that created them 0644 are tightened too.
 */
const createOwnerOnly = (file: string, onWarning: (message: string) => void): void => {
  mkdirSync(dirname(file), { recursive: true, mode: dataDirectoryMode });
  closeSync(openSync(file, 'a', dataFileMode));
  for (const path of [file, `${file}-wal`, `${file}-shm`]) {
    const warning = tightenMode(path, dataFileMode);
    if (warning) onWarning(warning);
  }
};

const openFailure = (file: string, error: unknown): SteadError => {
  const cause = error instanceof Error ? error.message : String(error);
  return new SteadError(
    'database_open_failed',
    `Cannot open the SQLite database ${file}: ${cause} (the directory ${dirname(file)} must exist or be creatable, and be writable by this user, for the database and its -wal and -shm files)`,
    { cause: error, details: { path: file } },
  );
};

const openSqlite = (file: string, onWarning: (message: string) => void): SqliteDriver.Database => {
  let connection: SqliteDriver.Database | undefined;
  try {
    if (file !== ':memory:') createOwnerOnly(file, onWarning);
    connection = new SqliteDriver(file);
    connection.pragma('journal_mode = WAL');
    connection.pragma('synchronous = FULL');
    connection.pragma('foreign_keys = ON');
    connection.pragma('busy_timeout = 5000');
    return connection;
  } catch (error) {
    connection?.close();
    throw openFailure(file, error);
  }
};

/**
 * SQLite through better-sqlite3: WAL journal, `synchronous=FULL` (a committed transaction survives power
 * loss), foreign keys enforced, and a busy timeout so the CLI and a running server can share the file. The
 * file and its WAL are created 0600 in a 0700 directory. A file that cannot be opened (a read-only or missing
 * directory) is `SteadError('database_open_failed')` naming the path and the cause.
 */
export const createSqliteDatabase = (options: SqliteDatabaseOptions): DatabaseHandle => {
  const connection = openSqlite(options.file, options.onWarning ?? (() => {}));
  const db = new Kysely<object>({ dialect: new SqliteDialect({ database: withStatementCache(connection) }) });
  return {
    db,
    dialect: 'sqlite',
    sqlDialect: sqliteDialect,
    location: options.file,
    async checkIntegrity() {
      const rows = connection.pragma('integrity_check') as { integrity_check: string }[];
      return rows.map((row) => row.integrity_check).filter((line) => line !== 'ok');
    },
    async ping() {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
  };
};

/**
 * Kysely prepares every query anew; preparing costs more than running most of Stead's queries. Statements are
 * kept by their SQL text (bounded: the cache starts over past 1,000 distinct statements, as `in (…)` lists of
 * varying length produce new texts). SQLite re-prepares a cached statement itself after a schema change.
 */
const withStatementCache = (connection: SqliteDriver.Database) => {
  const statements = new Map<string, SqliteDriver.Statement>();
  return {
    prepare(text: string) {
      let statement = statements.get(text);
      if (!statement) {
        if (statements.size >= 1_000) statements.clear();
        statement = connection.prepare(text);
        statements.set(text, statement);
      }
      return statement;
    },
    close() {
      statements.clear();
      connection.close();
    },
  };
};

export interface PostgresDatabaseOptions {
  url: string;
  /** Pool size. Default 10. */
  maxConnections?: number;
}

/** PostgreSQL through pg. The driver is loaded only here, so single-node installs never pay for it. */
export const createPostgresDatabase = async (options: PostgresDatabaseOptions): Promise<DatabaseHandle> => {
  const { default: pg } = await import('pg');
  const poolConfig: PoolConfig = { connectionString: options.url, max: options.maxConnections ?? 10 };
  const pool = new pg.Pool(poolConfig);
  // An idle client's network error must not crash the process; the next query reports it instead.
  pool.on('error', () => {});
  const db = new Kysely<object>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    dialect: 'postgres',
    sqlDialect: postgresDialect,
    location: maskUrlCredentials(options.url),
    async checkIntegrity() {
      // PostgreSQL checks pages itself; here we confirm the catalog answers and no index is invalid.
      const invalid = await sql<{ name: string }>`
        select c.relname as name from pg_index i join pg_class c on c.oid = i.indexrelid where not i.indisvalid`.execute(db);
      return invalid.rows.map((row) => `invalid index ${row.name}`);
    },
    async ping() {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
  };
};

export const createDatabase = async (options: { databaseUrl?: string | undefined; sqliteFile: string; onWarning?: (message: string) => void }): Promise<DatabaseHandle> =>
  options.databaseUrl
    ? createPostgresDatabase({ url: options.databaseUrl })
    : createSqliteDatabase({ file: options.sqliteFile, ...(options.onWarning ? { onWarning: options.onWarning } : {}) });
