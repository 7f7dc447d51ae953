import { describe, expect, it } from 'vitest';
import type { WorkspaceSecret } from '@/lib/api.ts';
import { canUseSecret, kindTakesSecretName, secretFormSchema, secretNameOfInput, secretUpdateRequest, usableSecrets, withSecretName } from './secrets.ts';

const secret = (name: string, usableBy: WorkspaceSecret['usableBy'], overrides: Partial<WorkspaceSecret> = {}): WorkspaceSecret => ({
  name,
  description: '',
  usableBy,
  createdBy: 'u1',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  lastUsedAt: null,
  ...overrides,
});

describe('usableSecrets', () => {
  const all = [secret('owner-only', 'owner'), secret('hook', 'member'), secret('crm', 'admin')];
  it('offers each role only the secrets its tasks may use, by name', () => {
    expect(usableSecrets(all, 'member').map((item) => item.name)).toEqual(['hook']);
    expect(usableSecrets(all, 'admin').map((item) => item.name)).toEqual(['crm', 'hook']);
    expect(usableSecrets(all, 'owner').map((item) => item.name)).toEqual(['crm', 'hook', 'owner-only']);
    expect(usableSecrets(all, 'viewer')).toEqual([]);
    expect(canUseSecret(secret('x', 'admin'), 'member')).toBe(false);
  });
});

describe('secretFormSchema', () => {
  it('refuses names that could spell an internal secret and empty values', () => {
    const base = { value: 'v', description: '', usableBy: 'admin' as const };
    expect(secretFormSchema.safeParse({ ...base, name: 'github-webhook' }).success).toBe(true);
    expect(secretFormSchema.safeParse({ ...base, name: 'model-provider:abc' }).success).toBe(false);
    expect(secretFormSchema.safeParse({ ...base, name: '-x' }).success).toBe(false);
    expect(secretFormSchema.safeParse({ ...base, name: 'ok', value: '' }).success).toBe(false);
  });
});

describe('secretUpdateRequest', () => {
  const saved = secret('crm', 'admin', { description: 'CRM token' });
  it('sends a value only when one was typed, and only the fields that changed', () => {
    expect(secretUpdateRequest(saved, { value: '', description: 'CRM token', usableBy: 'admin' })).toEqual({});
    expect(secretUpdateRequest(saved, { value: 'new', description: ' CRM token ', usableBy: 'member' })).toEqual({ value: 'new', usableBy: 'member' });
    expect(secretUpdateRequest(saved, { value: '', description: 'Other', usableBy: 'admin' })).toEqual({ description: 'Other' });
  });
});

describe('secret name in a task input', () => {
  it('reads, sets and clears secretName while keeping the other fields', () => {
    const text = '{"url":"https://example.com/hook","event":"ping","payload":{}}';
    const set = withSecretName(text, 'hook');
    expect(JSON.parse(set)).toEqual({ url: 'https://example.com/hook', event: 'ping', payload: {}, secretName: 'hook' });
    expect(secretNameOfInput(set)).toBe('hook');
    expect(JSON.parse(withSecretName(set, ''))).toEqual({ url: 'https://example.com/hook', event: 'ping', payload: {} });
    expect(secretNameOfInput(text)).toBe('');
  });

  it('leaves text that is not a JSON object alone', () => {
    expect(withSecretName('{not json', 'hook')).toBe('{not json');
    expect(withSecretName('[1]', 'hook')).toBe('[1]');
    expect(secretNameOfInput('{not json')).toBe('');
  });

  it('knows which kinds take a secret name', () => {
    expect(kindTakesSecretName({ inputSchema: { properties: { url: {}, secretName: {} } } })).toBe(true);
    expect(kindTakesSecretName({ inputSchema: { properties: { url: {} } } })).toBe(false);
    expect(kindTakesSecretName(undefined)).toBe(false);
  });
});
