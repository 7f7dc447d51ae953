import type { Kysely, Migration } from 'kysely';
import { createTable } from '../../../migrations/migration-helpers.ts';

/**
 * Settings of a workspace that its admins change, one row per workspace that changed any (a workspace without a
 * row has the defaults). `memberKeys`: whether members and viewers create API keys for themselves (`on`, the
 * default) or only admins and owners create keys (`off`).
 */
const workspaceSettings: Migration = {
  up: async (db: Kysely<unknown>): Promise<void> => {
    await createTable(db, 'workspaceSetting', {
      workspaceId: 'text primary key references workspace.id on delete cascade',
      memberKeys: "text not null default 'on'",
      updatedAt: 'text not null',
    }).execute();
  },
  down: async (db: Kysely<unknown>): Promise<void> => {
    await db.schema.dropTable('workspaceSetting').execute();
  },
};

export const workspacesMigrations = { '0014-workspaces-settings': workspaceSettings };
