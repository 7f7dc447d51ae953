import { z } from 'zod';

/**
 * Names of workspace secrets: letters, digits, `_`, `.` and `-`, starting with a letter or digit. No `:`, so a
 * name can never spell an internal secret (`model-provider:<id>`) and the stored name `workspace-secret:<name>`
 * cannot collide with one.
 */
export const secretNamePattern = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
export const secretNameSchema = z
  .string()
  .regex(secretNamePattern, 'must be 1-64 letters, digits, `_`, `.` or `-`, starting with a letter or digit')
  .describe('Name of a workspace secret, e.g. `github-webhook` or `CRM_TOKEN`');

/** The lowest role whose tasks may use a secret. Viewers cannot run tasks, so `viewer` is not offered. */
export const secretUsableByRoles = ['member', 'admin', 'owner'] as const;
export const secretUsableBySchema = z.enum(secretUsableByRoles).describe('Lowest role whose tasks may use the secret: `member`, `admin` or `owner`');
export type SecretUsableBy = z.infer<typeof secretUsableBySchema>;

const valueSchema = z.string().min(1, 'must not be empty').max(16_000).describe('The secret value; write-only, never returned by any API');
const descriptionSchema = z.string().trim().max(500).describe('What the secret is for');

/** What anyone allowed to list secrets sees: never the value. */
export const workspaceSecretSchema = z.object({
  name: z.string(),
  description: z.string(),
  usableBy: secretUsableBySchema,
  createdBy: z.string().nullable().describe('User id of the person who created it; null when made from the command line'),
  createdAt: z.string(),
  updatedAt: z.string().describe('Last change of the value, description or usableBy'),
  lastUsedAt: z.string().nullable().describe('Last time a task used it'),
});
export type WorkspaceSecret = z.infer<typeof workspaceSecretSchema>;

export const createSecretBody = z.strictObject({
  name: secretNameSchema,
  value: valueSchema,
  description: descriptionSchema.default(''),
  usableBy: secretUsableBySchema.default('admin'),
});
export type CreateSecretInput = z.infer<typeof createSecretBody>;

/** Fields left out stay as they are; a new `value` replaces the old one (which is not kept). */
export const updateSecretBody = z
  .strictObject({ value: valueSchema.optional(), description: descriptionSchema.optional(), usableBy: secretUsableBySchema.optional() })
  .refine((body) => body.value !== undefined || body.description !== undefined || body.usableBy !== undefined, 'give at least one of value, description, usableBy');
export type UpdateSecretInput = z.infer<typeof updateSecretBody>;
