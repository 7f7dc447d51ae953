import type { Kysely, Selectable, Transaction } from 'kysely';
import type { WorkspaceInvitationTable, WorkspaceTable, WorkspacesTables } from './workspaces.tables.ts';

export type WorkspaceRow = Selectable<WorkspaceTable>;
export type InvitationRow = Selectable<WorkspaceInvitationTable>;

export type MemberRow = Pick<Selectable<WorkspacesTables['workspaceMember']>, 'userId' | 'role' | 'createdAt'>;
/** A workspace as one of its members sees it, with their role. */
export type WorkspaceOfUserRow = Pick<WorkspaceRow, 'id' | 'name' | 'slug' | 'createdAt' | 'updatedAt'> & { role: string };

/** The writes accepting an invitation makes in one transaction. */
export interface WorkspacesTransactionQueries {
  insertWorkspace(row: WorkspaceRow): Promise<void>;
  insertMember(row: { workspaceId: string; userId: string; role: string; createdAt: string }): Promise<void>;
  /** Marks an invitation used unless it already is; 0 when someone else was first. `userId` null: claimed by a sign-up still creating the account. */
  markInvitationAccepted(id: string, userId: string | null, at: string): Promise<number>;
  setInvitationAcceptedBy(id: string, userId: string, claimedAt: string): Promise<void>;
}

/** Queries of workspaces, their members and invitations. */
export interface WorkspacesRepository extends WorkspacesTransactionQueries {
  /** Runs `work` in one transaction with the same queries bound to it. */
  transaction<T>(work: (repository: WorkspacesTransactionQueries) => Promise<T>): Promise<T>;
  findWorkspace(id: string): Promise<WorkspaceRow | undefined>;
  findWorkspaceByIdOrSlug(reference: string): Promise<WorkspaceRow | undefined>;
  slugExists(slug: string): Promise<boolean>;
  /** Oldest first. */
  listWorkspacesOfUser(userId: string): Promise<WorkspaceOfUserRow[]>;
  listAllWorkspaces(): Promise<WorkspaceRow[]>;
  renameWorkspace(id: string, name: string, updatedAt: string): Promise<void>;
  deleteWorkspace(id: string): Promise<void>;
  memberRole(workspaceId: string, userId: string): Promise<string | undefined>;
  /** Oldest first. */
  listMembers(workspaceId: string): Promise<MemberRow[]>;
  countOwners(workspaceId: string): Promise<number>;
  setMemberRole(workspaceId: string, userId: string, role: string): Promise<void>;
  deleteMember(workspaceId: string, userId: string): Promise<void>;
  insertInvitation(row: InvitationRow): Promise<void>;
  /** Newest first. */
  listInvitations(workspaceId: string): Promise<InvitationRow[]>;
  findInvitation(workspaceId: string, id: string): Promise<InvitationRow | undefined>;
  findInvitationByTokenHash(tokenHash: string): Promise<InvitationRow | undefined>;
  releaseInvitationClaim(id: string, claimedAt: string): Promise<void>;
  revokeInvitation(id: string, at: string): Promise<void>;
  findSettings(workspaceId: string): Promise<{ memberKeys: string } | undefined>;
  saveSettings(workspaceId: string, settings: { memberKeys: string }, at: string): Promise<void>;
}

export const createWorkspacesRepository = (root: Kysely<WorkspacesTables>): WorkspacesRepository => {
  const queries = (db: Kysely<WorkspacesTables> | Transaction<WorkspacesTables>): WorkspacesTransactionQueries => ({
    async insertWorkspace(row: WorkspaceRow): Promise<void> {
      await db.insertInto('workspace').values(row).execute();
    },
    async insertMember(row: { workspaceId: string; userId: string; role: string; createdAt: string }): Promise<void> {
      await db.insertInto('workspaceMember').values(row).execute();
    },
    /** Marks an invitation used unless it already is; 0 when someone else was first. `userId` null: claimed by a sign-up still creating the account. */
    async markInvitationAccepted(id: string, userId: string | null, at: string): Promise<number> {
      const result = await db
        .updateTable('workspaceInvitation')
        .set({ acceptedAt: at, acceptedBy: userId })
        .where('id', '=', id)
        .where('acceptedAt', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },
    async setInvitationAcceptedBy(id: string, userId: string, claimedAt: string): Promise<void> {
      await db.updateTable('workspaceInvitation').set({ acceptedBy: userId }).where('id', '=', id).where('acceptedAt', '=', claimedAt).where('acceptedBy', 'is', null).execute();
    },
  });

  return {
    ...queries(root),
    transaction: (work) => root.transaction().execute((trx) => work(queries(trx))),

    findWorkspace: (id: string) => root.selectFrom('workspace').selectAll().where('id', '=', id).executeTakeFirst(),
    findWorkspaceByIdOrSlug: (reference: string) =>
      root.selectFrom('workspace').selectAll().where((eb) => eb.or([eb('id', '=', reference), eb('slug', '=', reference)])).executeTakeFirst(),
    slugExists: async (slug: string) => (await root.selectFrom('workspace').select('id').where('slug', '=', slug).executeTakeFirst()) !== undefined,
    listWorkspacesOfUser: (userId: string) =>
      root
        .selectFrom('workspace')
        .innerJoin('workspaceMember', 'workspaceMember.workspaceId', 'workspace.id')
        .select(['workspace.id', 'workspace.name', 'workspace.slug', 'workspace.createdAt', 'workspace.updatedAt', 'workspaceMember.role'])
        .where('workspaceMember.userId', '=', userId)
        .orderBy('workspace.createdAt')
        .execute(),
    listAllWorkspaces: () => root.selectFrom('workspace').selectAll().orderBy('createdAt').execute(),
    async renameWorkspace(id: string, name: string, updatedAt: string): Promise<void> {
      await root.updateTable('workspace').set({ name, updatedAt }).where('id', '=', id).execute();
    },
    async deleteWorkspace(id: string): Promise<void> {
      await root.deleteFrom('workspace').where('id', '=', id).execute();
    },

    memberRole: async (workspaceId: string, userId: string) =>
      (await root.selectFrom('workspaceMember').select('role').where('workspaceId', '=', workspaceId).where('userId', '=', userId).executeTakeFirst())?.role,
    listMembers: (workspaceId: string) =>
      root.selectFrom('workspaceMember').select(['userId', 'role', 'createdAt']).where('workspaceId', '=', workspaceId).orderBy('createdAt').execute(),
    countOwners: async (workspaceId: string) =>
      Number(
        (
          await root
            .selectFrom('workspaceMember')
            .select((eb) => eb.fn.countAll<string | number>().as('count'))
            .where('workspaceId', '=', workspaceId)
            .where('role', '=', 'owner')
            .executeTakeFirstOrThrow()
        ).count,
      ),
    async setMemberRole(workspaceId: string, userId: string, role: string): Promise<void> {
      await root.updateTable('workspaceMember').set({ role }).where('workspaceId', '=', workspaceId).where('userId', '=', userId).execute();
    },
    async deleteMember(workspaceId: string, userId: string): Promise<void> {
      await root.deleteFrom('workspaceMember').where('workspaceId', '=', workspaceId).where('userId', '=', userId).execute();
    },

    async insertInvitation(row: InvitationRow): Promise<void> {
      await root.insertInto('workspaceInvitation').values(row).execute();
    },
    listInvitations: (workspaceId: string) =>
      root.selectFrom('workspaceInvitation').selectAll().where('workspaceId', '=', workspaceId).orderBy('createdAt', 'desc').execute(),
    findInvitation: (workspaceId: string, id: string) =>
      root.selectFrom('workspaceInvitation').selectAll().where('workspaceId', '=', workspaceId).where('id', '=', id).executeTakeFirst(),
    findInvitationByTokenHash: (tokenHash: string) =>
      root.selectFrom('workspaceInvitation').selectAll().where('tokenHash', '=', tokenHash).executeTakeFirst(),
    async releaseInvitationClaim(id: string, claimedAt: string): Promise<void> {
      await root.updateTable('workspaceInvitation').set({ acceptedAt: null }).where('id', '=', id).where('acceptedAt', '=', claimedAt).where('acceptedBy', 'is', null).execute();
    },
    async revokeInvitation(id: string, at: string): Promise<void> {
      await root.updateTable('workspaceInvitation').set({ revokedAt: at }).where('id', '=', id).where('revokedAt', 'is', null).execute();
    },
    findSettings: (workspaceId: string) => root.selectFrom('workspaceSetting').select('memberKeys').where('workspaceId', '=', workspaceId).executeTakeFirst(),
    async saveSettings(workspaceId: string, settings: { memberKeys: string }, at: string): Promise<void> {
      await root
        .insertInto('workspaceSetting')
        .values({ workspaceId, ...settings, updatedAt: at })
        .onConflict((conflict) => conflict.column('workspaceId').doUpdateSet({ ...settings, updatedAt: at }))
        .execute();
    },
  };
};
