import { z } from 'zod';

/** Where a value comes from, as the dashboard names it. `dashboard` values are stored and editable there. */
export const settingSources = ['default', 'file', 'environment', 'override', 'dashboard'] as const;
export type SettingSource = (typeof settingSources)[number];

export const allowedHostSchema = z.object({
  /** Null for a rule from the environment or the configuration file, which the dashboard cannot remove. */
  id: z.string().nullable(),
  rule: z.string().describe('A host name, an IP address or a CIDR range'),
  source: z.enum(settingSources),
  createdAt: z.string().nullable(),
  createdBy: z.string().nullable(),
});
export type AllowedHost = z.infer<typeof allowedHostSchema>;

export const addAllowedHostBody = z.object({
  rule: z.string().trim().min(1).max(300).describe('A host name (`ollama.lan`), an IP address (`192.168.1.20`) or a CIDR range (`10.0.0.0/8`); no scheme, port or path'),
});

export const settingSchema = z.object({
  key: z.string(),
  /** The environment variable that sets it; null for YAML-only settings. */
  envName: z.string().nullable(),
  /** Masked for secrets. */
  value: z.unknown(),
  source: z.enum(settingSources),
  /** Whether the dashboard can change (part of) it, and where. */
  editableInDashboard: z.boolean(),
});
export type Setting = z.infer<typeof settingSchema>;

export const instanceSettingsSchema = z.object({
  /** The YAML file that was read, if any. */
  configFile: z.string().nullable(),
  settings: z.array(settingSchema),
  allowedHosts: z.array(allowedHostSchema),
});
export type InstanceSettings = z.infer<typeof instanceSettingsSchema>;
