import { z } from 'zod';
import { workspaceRoleSchema } from '../workspaces/workspaces.schema.ts';

export const apiKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  /** The first characters of the key, enough to recognise it in a list; never enough to use it. */
  prefix: z.string(),
  role: workspaceRoleSchema,
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  createdBy: z.object({ id: z.string(), name: z.string() }),
});
export type ApiKey = z.infer<typeof apiKeySchema>;

export const createKeyBody = z.strictObject({
  name: z.string().trim().min(1, 'must not be empty').max(80),
  role: workspaceRoleSchema.default('member'),
  expiresInDays: z.number().int().min(1).max(3650).optional(),
});
