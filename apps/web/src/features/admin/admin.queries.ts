/** Query keys of the instance administration. */
export const adminKeys = {
  adminUsers: ['admin', 'users'] as const,
  adminSettings: ['admin', 'settings'] as const,
  instanceSettingSources: ['admin', 'instance-settings'] as const,
};
