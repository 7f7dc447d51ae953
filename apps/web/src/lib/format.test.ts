import { describe, expect, it } from 'vitest';
import {
  dateInputToIso,
  describeUserAgent,
  flattenConfig,
  formatDateTime,
  formatDuration,
  formatRelative,
  totpSecretFromUri,
} from './format.ts';

describe('formatRelative', () => {
  const now = Date.parse('2025-01-10T12:00:00Z');
  it('describes past and future times', () => {
    expect(formatRelative('2025-01-10T11:57:00Z', now)).toBe('3 minutes ago');
    expect(formatRelative('2025-01-12T12:00:00Z', now)).toBe('in 2 days');
    expect(formatRelative('2025-01-10T11:59:58Z', now)).toBe('just now');
  });
  it('falls back for missing or invalid dates', () => {
    expect(formatRelative(null, now)).toBe('never');
    expect(formatRelative('not a date', now, '—')).toBe('—');
    expect(formatDateTime(undefined)).toBe('—');
  });
});

describe('formatDuration', () => {
  it('picks the two largest units', () => {
    expect(formatDuration(5)).toBe('5s');
    expect(formatDuration(125)).toBe('2m');
    expect(formatDuration(3_700)).toBe('1h 1m');
    expect(formatDuration(90_000)).toBe('1d 1h');
  });
});

describe('describeUserAgent', () => {
  it('names common browsers and systems', () => {
    expect(
      describeUserAgent('Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36'),
    ).toBe('Chrome on Linux');
    expect(describeUserAgent('Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Version/17.0 Mobile/15E148 Safari/604.1')).toBe(
      'Safari on iOS',
    );
    expect(describeUserAgent('curl/8.5.0')).toBe('curl');
    expect(describeUserAgent(null)).toBe('Unknown device');
  });
});

describe('dateInputToIso', () => {
  it('covers the whole local day', () => {
    const from = dateInputToIso('2025-03-04', 'from');
    const to = dateInputToIso('2025-03-04', 'to');
    expect(from).toBeDefined();
    expect(to).toBeDefined();
    expect(Date.parse(to ?? '') - Date.parse(from ?? '')).toBe(86_400_000 - 1);
    expect(new Date(from ?? '').getDate()).toBe(4);
  });
  it('ignores empty or malformed input', () => {
    expect(dateInputToIso('', 'from')).toBeUndefined();
    expect(dateInputToIso('04/03/2025', 'to')).toBeUndefined();
  });
});

describe('totpSecretFromUri', () => {
  it('groups the secret for reading', () => {
    expect(totpSecretFromUri('otpauth://totp/Stead:ada%40example.com?secret=JBSWY3DPEHPK3PXP&issuer=Stead')).toBe(
      'JBSW Y3DP EHPK 3PXP',
    );
    expect(totpSecretFromUri('not a uri')).toBeNull();
  });
});

describe('flattenConfig', () => {
  it('produces sorted dotted keys', () => {
    expect(flattenConfig({ port: 7070, database: { url: '••••', pool: { max: 5 } }, tags: ['a'], empty: null })).toEqual([
      ['database.pool.max', '5'],
      ['database.url', '••••'],
      ['empty', '—'],
      ['port', '7070'],
      ['tags', '["a"]'],
    ]);
  });
});
