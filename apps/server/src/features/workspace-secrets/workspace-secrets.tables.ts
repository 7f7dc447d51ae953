/**
 * A named secret a workspace admin made for tasks. Its value is the `secret` row `workspace-secret:<name>` of the
 * workspace; `usableBy` is the lowest role whose tasks may use it (`member` | `admin` | `owner`).
 */
export interface WorkspaceSecretTable {
  id: string;
  workspaceId: string;
  name: string;
  description: string;
  usableBy: string;
  createdBy: string | null;
  createdAt: string;
  updatedAt: string;
  lastUsedAt: string | null;
}

export interface WorkspaceSecretsTables {
  workspaceSecret: WorkspaceSecretTable;
}
