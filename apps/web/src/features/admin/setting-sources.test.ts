import { describe, expect, it } from 'vitest';
import type { InstanceSetting } from '@/lib/api.ts';
import { orderSettings, settingValueText, sourceLabel } from './setting-sources.ts';

const setting = (key: string, source: InstanceSetting['source']): InstanceSetting => ({ key, envName: null, value: null, source, editableInDashboard: false });

describe('setting sources', () => {
  it('names where to change a setting', () => {
    expect(sourceLabel('environment', 'STEAD_PORT', null)).toEqual({ label: 'Environment', detail: 'Set by STEAD_PORT; change it there and restart.' });
    expect(sourceLabel('file', 'STEAD_PORT', '/etc/stead/stead.config.yaml').detail).toContain('/etc/stead/stead.config.yaml');
    expect(sourceLabel('dashboard', null, null).label).toBe('Dashboard');
    expect(sourceLabel('default', 'STEAD_LOG_FORMAT', null).detail).toContain('STEAD_LOG_FORMAT');
    expect(sourceLabel('default', null, null).detail).toContain('stead.config.yaml');
  });

  it('shows lists as comma-separated text and nothing as a dash', () => {
    expect(settingValueText(['127.0.0.1', '10.0.0.0/8'])).toBe('127.0.0.1, 10.0.0.0/8');
    expect(settingValueText([])).toBe('—');
    expect(settingValueText(null)).toBe('—');
    expect(settingValueText(7070)).toBe('7070');
    expect(settingValueText({ providers: [] })).toBe('{"providers":[]}');
  });

  it('puts settings changed from their default first, each group by key', () => {
    const ordered = orderSettings([setting('port', 'default'), setting('logLevel', 'environment'), setting('host', 'default'), setting('dataDir', 'file')]);
    expect(ordered.map((entry) => entry.key)).toEqual(['dataDir', 'logLevel', 'host', 'port']);
  });
});
