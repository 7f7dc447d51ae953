export interface ApiKeyTable {
  id: string;
  workspaceId: string;
  name: string;
  prefix: string;
  hash: string;
  role: string;
  createdBy: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

export interface KeysTables {
  apiKey: ApiKeyTable;
}
