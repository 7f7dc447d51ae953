import type { Kysely } from 'kysely';
import { createTable } from '../../../migrations/migration-helpers.ts';

/**
 * The allowed hosts an instance administrator manages in Instance settings (besides STEAD_EGRESS_ALLOWED_HOSTS,
 * which stays in the environment): instance-wide, so no workspace column.
 */
export const instanceSettingsMigrations = {
  '0015-instance-settings-allowed-hosts': {
    up: async (db: Kysely<unknown>): Promise<void> => {
      await createTable(db, 'egressAllowedHost', {
        id: 'text primary key',
        rule: 'text not null unique',
        createdBy: 'text',
        createdAt: 'text not null',
      }).execute();
    },
    down: async (db: Kysely<unknown>): Promise<void> => {
      await db.schema.dropTable('egressAllowedHost').execute();
    },
  },
};
