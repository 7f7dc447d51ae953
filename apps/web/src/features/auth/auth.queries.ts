/** The account page's and an invitation's query keys (an invitation's 401 is an answer, see lib/queries.ts). */
export const accountKeys = {
  accountSessions: ['account', 'sessions'] as const,
  invitation: (token: string) => ['invitation', token] as const,
  resetLink: (token: string) => ['reset-link', token] as const,
};
