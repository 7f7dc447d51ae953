import type { DatabaseDialect } from '../database.port.ts';
import type { SqlDialect } from '../sql-dialect.ts';
import { postgresDialect } from './postgres.dialect.ts';
import { sqliteDialect } from './sqlite.dialect.ts';

export const sqlDialects: Record<DatabaseDialect, SqlDialect> = { sqlite: sqliteDialect, postgres: postgresDialect };
