import type { InstanceSetting } from '@/lib/api.ts';
import { formatConfigValue } from '@/lib/format.ts';

export type SettingSource = InstanceSetting['source'];

/** How a setting's source reads in Instance settings: where to go to change it. */
export function sourceLabel(source: SettingSource, envName: string | null, configFile: string | null): { label: string; detail: string } {
  switch (source) {
    case 'environment':
      return { label: 'Environment', detail: envName ? `Set by ${envName}; change it there and restart.` : 'Set in the environment.' };
    case 'file':
      return { label: 'Config file', detail: `Set in ${configFile ?? 'stead.config.yaml'}; change it there and restart.` };
    case 'dashboard':
      return { label: 'Dashboard', detail: 'Added here; applies at once.' };
    case 'override':
      return { label: 'Command line', detail: 'Set when the server was started.' };
    default:
      return {
        label: 'Default',
        detail: envName ? `Not set; set ${envName} or the key in stead.config.yaml to change it.` : 'Not set; set it in stead.config.yaml to change it.',
      };
  }
}

/** A setting's value as one line of text; structured values (the declared gateway) as compact JSON. */
export function settingValueText(value: unknown): string {
  if (Array.isArray(value)) return value.length === 0 ? '—' : value.map((item) => (typeof item === 'string' ? item : JSON.stringify(item))).join(', ');
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return JSON.stringify(value);
  return formatConfigValue(value);
}

/** Settings in the order people look for them: the ones changed from their default first, then by key. */
export function orderSettings(settings: readonly InstanceSetting[]): InstanceSetting[] {
  return [...settings].sort((a, b) => Number(a.source === 'default') - Number(b.source === 'default') || a.key.localeCompare(b.key));
}
