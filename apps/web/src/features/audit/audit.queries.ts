/** Query keys of the audit logs. */
export const auditKeys = {
  audit: (workspaceId: string) => ['workspaces', workspaceId, 'audit'] as const,
  adminAudit: ['admin', 'audit'] as const,
};
