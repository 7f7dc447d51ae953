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

export interface WorkspacesTables {
  workspace: WorkspaceTable;
  workspaceMember: WorkspaceMemberTable;
  workspaceInvitation: WorkspaceInvitationTable;
}
