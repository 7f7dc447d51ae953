import type { Kysely, Selectable } from 'kysely';
import type { EgressAllowedHostTable, InstanceSettingsTables } from './instance-settings.tables.ts';

export type EgressAllowedHostRow = Selectable<EgressAllowedHostTable>;

/** Queries of the instance's stored settings. */
export interface InstanceSettingsRepository {
  /** Oldest first, the order they were added. */
  listAllowedHosts(): Promise<EgressAllowedHostRow[]>;
  /** False when the rule is already stored (the unique constraint answered). */
  insertAllowedHost(row: EgressAllowedHostRow): Promise<boolean>;
  /** The removed row, or undefined when there was none. */
  deleteAllowedHost(where: { id: string } | { rule: string }): Promise<EgressAllowedHostRow | undefined>;
}

export const createInstanceSettingsRepository = (db: Kysely<InstanceSettingsTables>): InstanceSettingsRepository => ({
  listAllowedHosts: () => db.selectFrom('egressAllowedHost').selectAll().orderBy('createdAt').orderBy('id').execute(),
  async insertAllowedHost(row) {
    // ON CONFLICT DO NOTHING works on both dialects and, unlike catching the error, leaves a PostgreSQL transaction usable.
    const inserted = await db.insertInto('egressAllowedHost').values(row).onConflict((conflict) => conflict.column('rule').doNothing()).returning('id').executeTakeFirst();
    return inserted !== undefined;
  },
  deleteAllowedHost: (where) => {
    const query = db.deleteFrom('egressAllowedHost');
    return ('id' in where ? query.where('id', '=', where.id) : query.where('rule', '=', where.rule)).returningAll().executeTakeFirst();
  },
});
