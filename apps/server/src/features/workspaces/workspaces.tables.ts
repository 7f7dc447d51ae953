export interface WorkspaceTable {
  id: string;
  name: string;
  slug: string;
  createdAt: string;
  updatedAt: string;
}

export interface WorkspaceMemberTable {
  workspaceId: string;
  userId: string;
  role: string;
  createdAt: string;
}

export interface WorkspaceInvitationTable {
  id: string;
  workspaceId: string;
  email: string | null;
  role: string;
  tokenHash: string;
  invitedBy: string;
  createdAt: string;
  expiresAt: string;
  acceptedAt: string | null;
  acceptedBy: string | null;
  revokedAt: string | null;
}

/** Settings an admin changed (workspaces.migrations.ts); a workspace without a row has the defaults. */
export interface WorkspaceSettingTable {
  workspaceId: string;
  memberKeys: string;
  updatedAt: string;
}

export interface WorkspacesTables {
  workspaceSetting: WorkspaceSettingTable;
  workspace: WorkspaceTable;
  workspaceMember: WorkspaceMemberTable;
  workspaceInvitation: WorkspaceInvitationTable;
}
