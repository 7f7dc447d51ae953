/**
 * The workspace secrets store, as the dashboard shows it: secrets tasks may use, by name. Values are write-only:
 * the API never returns one, so nothing here can show one.
 */
import { z } from 'zod';
import type { Role, SecretUsableBy, WorkspaceSecret } from '@/lib/api.ts';
import { parseJsonInput } from '@/features/tasks/tasks.ts';

/** The server's rule (workspace-secrets.schema.ts): no `:`, so no name can spell an internal secret. */
export const secretNamePattern = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
export const secretUsableByChoices: readonly { value: SecretUsableBy; label: string }[] = [
  { value: 'member', label: 'Members and above' },
  { value: 'admin', label: 'Admins and owners' },
  { value: 'owner', label: 'Owners only' },
];

const rank: Record<Role, number> = { viewer: 0, member: 1, admin: 2, owner: 3 };

/** Whether tasks created by someone with `role` may use the secret (the server checks the same). */
export const canUseSecret = (secret: Pick<WorkspaceSecret, 'usableBy'>, role: Role): boolean => rank[role] >= rank[secret.usableBy];

/** The secrets a person with `role` may pick for a task, by name. */
export const usableSecrets = (secrets: readonly WorkspaceSecret[], role: Role): WorkspaceSecret[] =>
  secrets.filter((secret) => canUseSecret(secret, role)).sort((a, b) => a.name.localeCompare(b.name));

export const secretFormSchema = z.object({
  name: z.string().trim().regex(secretNamePattern, 'Use 1–64 letters, digits, “_”, “.” or “-”, starting with a letter or digit.'),
  value: z.string().min(1, 'Enter the value.').max(16_000, 'At most 16,000 characters.'),
  description: z.string().trim().max(500, 'At most 500 characters.'),
  usableBy: z.enum(['member', 'admin', 'owner']),
});

export const editSecretFormSchema = secretFormSchema.omit({ name: true }).extend({
  /** Empty keeps the stored value. */
  value: z.string().max(16_000, 'At most 16,000 characters.'),
});

/** The PATCH body of an edit: a new value only when one was typed (the old one is never known here). */
export const secretUpdateRequest = (saved: WorkspaceSecret, values: z.infer<typeof editSecretFormSchema>) => ({
  ...(values.value ? { value: values.value } : {}),
  ...(values.description.trim() !== saved.description ? { description: values.description.trim() } : {}),
  ...(values.usableBy !== saved.usableBy ? { usableBy: values.usableBy } : {}),
});

/** The `secretName` of a task input typed as JSON, or '' when there is none (or the JSON does not parse). */
export const secretNameOfInput = (text: string): string => {
  const parsed = parseJsonInput(text);
  if (!parsed.ok || typeof parsed.value !== 'object' || parsed.value === null || Array.isArray(parsed.value)) return '';
  const name = (parsed.value as { secretName?: unknown }).secretName;
  return typeof name === 'string' ? name : '';
};

/**
 * The input text with `secretName` set to `name` (removed when `name` is empty), keeping every other field.
 * Text that is not a JSON object is returned unchanged: the person fixes it in the editor first.
 */
export const withSecretName = (text: string, name: string): string => {
  const parsed = parseJsonInput(text);
  if (!parsed.ok || typeof parsed.value !== 'object' || parsed.value === null || Array.isArray(parsed.value)) return text;
  const { secretName: _previous, ...rest } = parsed.value as Record<string, unknown>;
  return JSON.stringify(name ? { ...rest, secretName: name } : rest, null, 2);
};

/** Whether a task kind's input names a signing secret (`webhook.deliver`), so forms offer a picker for it. */
export const kindTakesSecretName = (kind: { inputSchema: Record<string, unknown> } | undefined): boolean => {
  const properties = kind?.inputSchema.properties;
  return typeof properties === 'object' && properties !== null && 'secretName' in properties;
};
