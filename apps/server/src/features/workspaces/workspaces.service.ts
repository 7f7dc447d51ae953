import { createHash, randomBytes } from 'node:crypto';
import type { Clock, Ids } from '../../platform/clock/clock.ts';
import { SteadError } from '../../platform/errors/stead-error.ts';
import { roleRank, type WorkspaceRole } from '../../platform/http/permissions.ts';
import type { AuthService } from '../auth/auth.service.ts';
import type { EmitDomainEvent } from '../../platform/events/domain-events.ts';
import type { InvitationRow, WorkspacesRepository } from './workspaces.repository.ts';
import { defaultWorkspaceSettings, type Invitation, type Member, type Workspace, type WorkspaceSettings } from './workspaces.schema.ts';

export interface WorkspacesServiceOptions {
  repository: WorkspacesRepository;
  users: Pick<AuthService, 'findUsersByIds'>;
  clock: Clock;
  ids: Ids;
  invitationTtlHours: number;
  /** Announces new workspaces and shrinking access (role change, removal, deletion) after they are committed. */
  emit: EmitDomainEvent;
}

/** An invitation taken by one sign-up: nobody else can use it while the account is being created. */
export interface InvitationClaim {
  invitationId: string;
  workspaceId: string;
  role: WorkspaceRole;
  claimedAt: string;
}

const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

const slugify = (name: string) =>
  name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40) || 'workspace';

export interface WorkspacesService {
  /** The user's current role in the workspace; null when not a member. */
  memberRole(workspaceId: string, userId: string): Promise<WorkspaceRole | null>;
  listForUser(userId: string): Promise<(Workspace & { role: WorkspaceRole })[]>;
  listAll(): Promise<Workspace[]>;
  get(workspaceId: string): Promise<Workspace>;
  /** Finds a workspace by id or slug (the CLI accepts either). */
  resolve(reference: string): Promise<Workspace>;
  /** Creates a workspace owned by the user, then announces it (`workspace-create`). */
  create(name: string, ownerUserId: string): Promise<Workspace>;
  rename(workspaceId: string, name: string): Promise<Workspace>;
  remove(workspaceId: string): Promise<void>;
  listMembers(workspaceId: string): Promise<Member[]>;
  changeRole(workspaceId: string, actorRole: WorkspaceRole, userId: string, role: WorkspaceRole): Promise<Member>;
  removeMember(workspaceId: string, actorRole: WorkspaceRole, userId: string): Promise<void>;
  /** Creates an invitation; the token is returned once and only its hash is stored. */
  invite(workspaceId: string, input: { email?: string | undefined; role: WorkspaceRole }, actor: { userId: string; role: WorkspaceRole }): Promise<{ invitation: Invitation; token: string }>;
  listInvitations(workspaceId: string): Promise<Invitation[]>;
  revokeInvitation(workspaceId: string, invitationId: string): Promise<void>;
  /** Checks a token and returns its invitation; throws a specific code for each way a link can be dead. */
  openInvitation(token: string): Promise<{ row: InvitationRow; workspace: Workspace }>;
  previewInvitation(token: string): Promise<{ workspaceName: string; role: WorkspaceRole; email: string | null; expiresAt: string }>;
  acceptInvitation(token: string, user: { id: string; email: string }): Promise<Workspace>;
  /**
   * Takes an invitation for a sign-up, atomically: of two sign-ups with one link, one gets the claim and the
   * other `invitation_used`. The claim ends with `joinWithClaim` (the new account becomes a member) or
   * `releaseClaim` (the account could not be created, the link works again).
   */
  claimInvitation(token: string, email: string): Promise<InvitationClaim>;
  joinWithClaim(claim: InvitationClaim, userId: string): Promise<Workspace>;
  releaseClaim(claim: InvitationClaim): Promise<void>;
  /** The workspace's settings, with the defaults for what nobody changed. */
  settings(workspaceId: string): Promise<WorkspaceSettings>;
  updateSettings(workspaceId: string, changes: Partial<WorkspaceSettings>): Promise<WorkspaceSettings>;
}

export const createWorkspacesService = ({ repository, users, clock, ids, invitationTtlHours, emit }: WorkspacesServiceOptions) : WorkspacesService => {
  const now = () => clock.now().toISOString();

  const requireWorkspace = async (workspaceId: string): Promise<Workspace> => {
    const workspace = await repository.findWorkspace(workspaceId);
    if (!workspace) throw new SteadError('workspace_not_found', 'Workspace not found');
    return workspace;
  };

  const uniqueSlug = async (name: string): Promise<string> => {
    const base = slugify(name);
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const slug = attempt === 0 ? base : `${base}-${randomBytes(3).toString('hex')}`;
      if (!(await repository.slugExists(slug))) return slug;
    }
    throw new SteadError('workspace_slug_taken', `Could not find a free slug for ${name}`);
  };

  /** Nobody hands out a role above their own; keeps admins from minting owners. */
  const assertAssignable = (actorRole: WorkspaceRole, role: WorkspaceRole) => {
    if (roleRank[role] > roleRank[actorRole]) throw new SteadError('role_not_assignable', `A ${actorRole} cannot grant the ${role} role`);
  };

  const statusOf = (row: InvitationRow): Invitation['status'] => {
    if (row.revokedAt) return 'revoked';
    if (row.acceptedAt) return 'accepted';
    if (row.expiresAt <= now()) return 'expired';
    return 'pending';
  };
  const toInvitations = async (rows: InvitationRow[]): Promise<Invitation[]> => {
    const acceptedBy = [...new Set(rows.flatMap((row) => (row.acceptedBy ? [row.acceptedBy] : [])))];
    const people = new Map((await users.findUsersByIds(acceptedBy)).map((user) => [user.id, user]));
    return rows.map((row) => {
      const person = row.acceptedBy ? people.get(row.acceptedBy) : undefined;
      return {
        id: row.id,
        email: row.email,
        role: row.role as WorkspaceRole,
        createdAt: row.createdAt,
        expiresAt: row.expiresAt,
        status: statusOf(row),
        acceptedAt: row.acceptedAt,
        acceptedBy: person ? { id: person.id, name: person.name, email: person.email } : null,
      };
    });
  };

  const assertInvitedEmail = (row: InvitationRow, email: string) => {
    if (row.email && row.email !== email.toLowerCase()) {
      throw new SteadError('invitation_email_mismatch', `This invitation is for ${row.email}; use that email address`);
    }
  };

  const service = {
    memberRole: async (workspaceId: string, userId: string): Promise<WorkspaceRole | null> =>
      ((await repository.memberRole(workspaceId, userId)) as WorkspaceRole | undefined) ?? null,

    listForUser: async (userId: string) => (await repository.listWorkspacesOfUser(userId)).map((row) => ({ ...row, role: row.role as WorkspaceRole })),

    listAll: () => repository.listAllWorkspaces(),

    get: requireWorkspace,

    /** Finds a workspace by id or slug (the CLI accepts either). */
    async resolve(reference: string): Promise<Workspace> {
      const workspace = await repository.findWorkspaceByIdOrSlug(reference);
      if (!workspace) throw new SteadError('workspace_not_found', `No workspace has the id or slug ${reference}`);
      return workspace;
    },

    async create(name: string, ownerUserId: string): Promise<Workspace> {
      const at = now();
      const workspace: Workspace = { id: ids.next(), name: name.trim(), slug: await uniqueSlug(name), createdAt: at, updatedAt: at };
      await repository.transaction(async (trx) => {
        await trx.insertWorkspace(workspace);
        await trx.insertMember({ workspaceId: workspace.id, userId: ownerUserId, role: 'owner', createdAt: at });
      });
      await emit({ type: 'workspace-create', workspace, ownerUserId });
      return workspace;
    },

    async rename(workspaceId: string, name: string): Promise<Workspace> {
      await requireWorkspace(workspaceId);
      await repository.renameWorkspace(workspaceId, name.trim(), now());
      return requireWorkspace(workspaceId);
    },

    async remove(workspaceId: string): Promise<void> {
      await requireWorkspace(workspaceId);
      await repository.deleteWorkspace(workspaceId);
      await emit({ type: 'workspace-delete', workspaceId });
    },

    async listMembers(workspaceId: string): Promise<Member[]> {
      const members = await repository.listMembers(workspaceId);
      const people = new Map((await users.findUsersByIds(members.map((member) => member.userId))).map((user) => [user.id, user]));
      return members.map((member) => ({
        userId: member.userId,
        name: people.get(member.userId)?.name ?? '',
        email: people.get(member.userId)?.email ?? '',
        role: member.role as WorkspaceRole,
        joinedAt: member.createdAt,
      }));
    },

    async changeRole(workspaceId: string, actorRole: WorkspaceRole, userId: string, role: WorkspaceRole): Promise<Member> {
      const current = await service.memberRole(workspaceId, userId);
      if (!current) throw new SteadError('member_not_found', 'That user is not a member of this workspace');
      assertAssignable(actorRole, role);
      assertAssignable(actorRole, current);
      if (current === 'owner' && role !== 'owner' && (await repository.countOwners(workspaceId)) <= 1) {
        throw new SteadError('workspace_last_owner', 'A workspace needs at least one owner; make someone else owner first');
      }
      await repository.setMemberRole(workspaceId, userId, role);
      if (role !== current) await emit({ type: 'member-role-change', workspaceId, userId, role });
      return (await service.listMembers(workspaceId)).find((member) => member.userId === userId)!;
    },

    async removeMember(workspaceId: string, actorRole: WorkspaceRole, userId: string): Promise<void> {
      const current = await service.memberRole(workspaceId, userId);
      if (!current) throw new SteadError('member_not_found', 'That user is not a member of this workspace');
      assertAssignable(actorRole, current);
      if (current === 'owner' && (await repository.countOwners(workspaceId)) <= 1) {
        throw new SteadError('workspace_last_owner', 'A workspace needs at least one owner');
      }
      await repository.deleteMember(workspaceId, userId);
      await emit({ type: 'member-remove', workspaceId, userId });
    },

    /** Creates an invitation; the token is returned once and only its hash is stored. */
    async invite(
      workspaceId: string,
      input: { email?: string | undefined; role: WorkspaceRole },
      actor: { userId: string; role: WorkspaceRole },
    ): Promise<{ invitation: Invitation; token: string }> {
      await requireWorkspace(workspaceId);
      assertAssignable(actor.role, input.role);
      const token = randomBytes(24).toString('base64url');
      const createdAt = clock.now();
      const row: InvitationRow = {
        id: ids.next(),
        workspaceId,
        email: input.email?.toLowerCase() ?? null,
        role: input.role,
        tokenHash: hashToken(token),
        invitedBy: actor.userId,
        createdAt: createdAt.toISOString(),
        expiresAt: new Date(createdAt.getTime() + invitationTtlHours * 3_600_000).toISOString(),
        acceptedAt: null,
        acceptedBy: null,
        revokedAt: null,
      };
      await repository.insertInvitation(row);
      const [invitation] = await toInvitations([row]);
      return { invitation: invitation!, token };
    },

    listInvitations: async (workspaceId: string) => toInvitations(await repository.listInvitations(workspaceId)),

    async revokeInvitation(workspaceId: string, invitationId: string): Promise<void> {
      const row = await repository.findInvitation(workspaceId, invitationId);
      if (!row) throw new SteadError('invitation_not_found', 'No such invitation');
      await repository.revokeInvitation(invitationId, now());
    },

    /** Checks a token and returns its invitation; throws a specific code for each way a link can be dead. */
    async openInvitation(token: string): Promise<{ row: InvitationRow; workspace: Workspace }> {
      const row = await repository.findInvitationByTokenHash(hashToken(token));
      if (!row || row.revokedAt) throw new SteadError('invitation_not_found', 'This invitation link is not valid');
      if (row.acceptedAt) throw new SteadError('invitation_used', 'This invitation was already accepted');
      if (row.expiresAt <= now()) throw new SteadError('invitation_expired', 'This invitation has expired; ask for a new link');
      return { row, workspace: await requireWorkspace(row.workspaceId) };
    },

    async previewInvitation(token: string) {
      const { row, workspace } = await service.openInvitation(token);
      return { workspaceName: workspace.name, role: row.role as WorkspaceRole, email: row.email, expiresAt: row.expiresAt };
    },

    async acceptInvitation(token: string, user: { id: string; email: string }): Promise<Workspace> {
      const used = await repository.findInvitationByTokenHash(hashToken(token));
      // Whoever signed up with this link joined then; accepting it again (the web app does) just names the workspace.
      if (used?.acceptedBy === user.id && !used.revokedAt && (await service.memberRole(used.workspaceId, user.id))) return requireWorkspace(used.workspaceId);
      const { row, workspace } = await service.openInvitation(token);
      assertInvitedEmail(row, user.email);
      if (await service.memberRole(row.workspaceId, user.id)) throw new SteadError('member_exists', 'You are already a member of this workspace');
      await repository.transaction(async (trx) => {
        // The conditional update makes a link single-use even when two people accept at the same moment.
        if ((await trx.markInvitationAccepted(row.id, user.id, now())) === 0) throw new SteadError('invitation_used', 'This invitation was already accepted');
        await trx.insertMember({ workspaceId: row.workspaceId, userId: user.id, role: row.role, createdAt: now() });
      });
      return workspace;
    },

    /**
     * Takes an invitation for a sign-up, atomically: of two sign-ups with one link, one gets the claim and the
     * other `invitation_used`. The claim ends with `joinWithClaim` (the new account becomes a member) or
     * `releaseClaim` (the account could not be created, the link works again).
     */
    async claimInvitation(token: string, email: string): Promise<InvitationClaim> {
      const { row } = await service.openInvitation(token);
      assertInvitedEmail(row, email);
      const claimedAt = now();
      if ((await repository.markInvitationAccepted(row.id, null, claimedAt)) === 0) throw new SteadError('invitation_used', 'This invitation was already accepted');
      return { invitationId: row.id, workspaceId: row.workspaceId, role: row.role as WorkspaceRole, claimedAt };
    },

    async joinWithClaim(claim: InvitationClaim, userId: string): Promise<Workspace> {
      await repository.transaction(async (trx) => {
        await trx.setInvitationAcceptedBy(claim.invitationId, userId, claim.claimedAt);
        await trx.insertMember({ workspaceId: claim.workspaceId, userId, role: claim.role, createdAt: now() });
      });
      return requireWorkspace(claim.workspaceId);
    },

    releaseClaim: (claim: InvitationClaim) => repository.releaseInvitationClaim(claim.invitationId, claim.claimedAt),

    async settings(workspaceId: string): Promise<WorkspaceSettings> {
      const saved = await repository.findSettings(workspaceId);
      return { ...defaultWorkspaceSettings, ...(saved ? { memberKeys: saved.memberKeys === 'off' ? 'off' : 'on' } : {}) };
    },

    async updateSettings(workspaceId: string, changes: Partial<WorkspaceSettings>): Promise<WorkspaceSettings> {
      await requireWorkspace(workspaceId);
      const next = { ...(await service.settings(workspaceId)), ...changes };
      await repository.saveSettings(workspaceId, next, now());
      return next;
    },
  };
  return service;
};

