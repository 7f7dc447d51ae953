export interface SecretTable {
  id: string;
  workspaceId: string | null;
  name: string;
  ciphertext: string;
  keyId: string;
  createdAt: string;
  updatedAt: string;
}

export interface SecretsTables {
  secret: SecretTable;
}
