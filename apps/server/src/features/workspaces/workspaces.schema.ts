import { z } from 'zod';
import { workspaceRoles } from '../../platform/http/permissions.ts';

export const workspaceRoleSchema = z.enum(workspaceRoles);
export const workspaceNameSchema = z.string().trim().min(1, 'must not be empty').max(80, 'must be at most 80 characters');

export const workspaceSchema = z.object({
  id: z.string(),
  name: z.string(),
  slug: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type Workspace = z.infer<typeof workspaceSchema>;

export const workspaceWithRoleSchema = workspaceSchema.extend({ role: workspaceRoleSchema });

export const memberSchema = z.object({
  userId: z.string(),
  name: z.string(),
  email: z.string(),
  role: workspaceRoleSchema,
  joinedAt: z.string(),
});
export type Member = z.infer<typeof memberSchema>;

export const invitationStatusSchema = z.enum(['pending', 'accepted', 'expired', 'revoked']);
export const invitationSchema = z.object({
  id: z.string(),
  email: z.string().nullable(),
  role: workspaceRoleSchema,
  createdAt: z.string(),
  expiresAt: z.string(),
  status: invitationStatusSchema,
  /** When the link was used; null while it was not. */
  acceptedAt: z.string().nullable(),
  /** Who joined with it, while their account exists. */
  acceptedBy: z.object({ id: z.string(), name: z.string(), email: z.string() }).nullable(),
});
export type Invitation = z.infer<typeof invitationSchema>;

export const invitationPreviewSchema = z.object({
  workspaceName: z.string(),
  role: workspaceRoleSchema,
  email: z.string().nullable(),
  expiresAt: z.string(),
});

export const createWorkspaceBody = z.strictObject({ name: workspaceNameSchema });
export const renameWorkspaceBody = z.strictObject({ name: workspaceNameSchema });
export const changeRoleBody = z.strictObject({ role: workspaceRoleSchema });
export const createInvitationBody = z.strictObject({
  email: z.email().max(254).optional(),
  role: workspaceRoleSchema.default('member'),
});

/** `memberKeys`: whether members and viewers may create API keys for themselves (at their own role or lower). */
export const workspaceSettingsSchema = z.object({ memberKeys: z.enum(['on', 'off']) });
export type WorkspaceSettings = z.infer<typeof workspaceSettingsSchema>;
export const defaultWorkspaceSettings: WorkspaceSettings = { memberKeys: 'on' };
export const updateWorkspaceSettingsBody = workspaceSettingsSchema.partial().strict();
