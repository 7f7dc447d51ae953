import { PostgresAdapter, type ColumnDataType, type ColumnDefinitionBuilder, type CreateTableBuilder, type Kysely } from 'kysely';

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

/**
 * A column in SQL words: a type (`text`, `integer`, `double precision`, or `authDate`/`authBoolean` for
 * better-auth's dialect-dependent columns) followed by any of `primary key`, `not null`, `unique`,
 * `default <number or 'text'>`, `references <table>.<column> on delete cascade`.
 */
export type ColumnSpec = string;

const columnPattern =
  /^(text|integer|double precision|authDate|authBoolean)( primary key)?( not null)?( unique)?(?: default (-?\d+|'[^']*'))?(?: references (\w+\.\w+) on delete cascade)?$/;

const addColumn = (
  table: CreateTableBuilder<string, string>,
  name: string,
  spec: ColumnSpec,
  types: ReturnType<typeof columnTypes>,
): CreateTableBuilder<string, string> => {
  const match = columnPattern.exec(spec);
  if (!match) throw new Error(`Column ${name}: cannot read "${spec}"`);
  const [, type, primaryKey, notNull, unique, defaultValue, references] = match;
  const dataType = (type === 'authDate' ? types.authDate : type === 'authBoolean' ? types.authBoolean : type) as ColumnDataType;
  const build = (column: ColumnDefinitionBuilder): ColumnDefinitionBuilder => {
    let built = column;
    if (primaryKey) built = built.primaryKey();
    if (notNull) built = built.notNull();
    if (unique) built = built.unique();
    if (defaultValue !== undefined) built = built.defaultTo(defaultValue.startsWith("'") ? defaultValue.slice(1, -1) : Number(defaultValue));
    if (references) built = built.references(references).onDelete('cascade');
    return built;
  };
  return table.addColumn(name, dataType, build);
};

/**
 * `createTable(db, 'note', { id: 'text primary key', workspaceId: 'text not null references workspace.id on
 * delete cascade' })`: a table's columns read like the schema they make, one line a column. Returns Kysely's
 * builder, for table constraints and `.execute()`.
 */
export const createTable = (db: Kysely<unknown>, table: string, columns: Readonly<Record<string, ColumnSpec>>): CreateTableBuilder<string, string> => {
  const types = columnTypes(db);
  return Object.entries(columns).reduce((builder, [name, spec]) => addColumn(builder, name, spec, types), db.schema.createTable(table));
};
