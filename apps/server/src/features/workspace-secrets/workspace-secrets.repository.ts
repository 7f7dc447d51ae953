import type { Kysely, Selectable, Updateable } from 'kysely';
import type { WorkspaceSecretTable, WorkspaceSecretsTables } from './workspace-secrets.tables.ts';

export type WorkspaceSecretRow = Selectable<WorkspaceSecretTable>;

/** Queries of the workspace secrets' names and metadata (their values are the secrets feature's). */
export interface WorkspaceSecretsRepository {
  /** By name. */
  list(workspaceId: string): Promise<WorkspaceSecretRow[]>;
  find(workspaceId: string, name: string): Promise<WorkspaceSecretRow | undefined>;
  insert(row: WorkspaceSecretRow): Promise<void>;
  update(id: string, changes: Updateable<WorkspaceSecretTable>): Promise<void>;
  remove(id: string): Promise<void>;
}

export const createWorkspaceSecretsRepository = (db: Kysely<WorkspaceSecretsTables>): WorkspaceSecretsRepository => ({
  list: (workspaceId: string) => db.selectFrom('workspaceSecret').selectAll().where('workspaceId', '=', workspaceId).orderBy('name').execute(),
  find: (workspaceId: string, name: string) =>
    db.selectFrom('workspaceSecret').selectAll().where('workspaceId', '=', workspaceId).where('name', '=', name).executeTakeFirst(),
  async insert(row: WorkspaceSecretRow): Promise<void> {
    await db.insertInto('workspaceSecret').values(row).execute();
  },
  async update(id: string, changes: Updateable<WorkspaceSecretTable>): Promise<void> {
    await db.updateTable('workspaceSecret').set(changes).where('id', '=', id).execute();
  },
  async remove(id: string): Promise<void> {
    await db.deleteFrom('workspaceSecret').where('id', '=', id).execute();
  },
});
