/** Query keys of workspace secrets. */
export const secretKeys = {
  secrets: (workspaceId: string) => ['workspaces', workspaceId, 'secrets'] as const,
};
