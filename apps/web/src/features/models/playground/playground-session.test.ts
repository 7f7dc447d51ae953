import { beforeEach, describe, expect, it } from 'vitest';
import { clearPlaygroundSession, defaultPlaygroundRequest, loadPlaygroundSession, samplingSettings, savePlaygroundSession, type Turn } from './playground-session.ts';

const turns: Turn[] = [
  { id: 1, role: 'user', content: 'hello' },
  { id: 2, role: 'assistant', content: 'Hi th', streaming: true },
];

describe('the playground session', () => {
  beforeEach(() => {
    clearPlaygroundSession('w1');
    clearPlaygroundSession('w2');
  });

  it('comes back for the same workspace only, with an answer left streaming shown as stopped', () => {
    savePlaygroundSession('w1', { turns, request: { ...defaultPlaygroundRequest, temperature: '0.2', maxTokens: '64' }, decision: null, target: 'ollama/llama3' });
    const again = loadPlaygroundSession('w1');
    expect(again.request).toMatchObject({ temperature: '0.2', maxTokens: '64' });
    expect(again.target).toBe('ollama/llama3');
    expect(again.turns[0]).toEqual(turns[0]);
    expect(again.turns[1]).toMatchObject({ content: 'Hi th', streaming: false, error: { code: 'stopped', midStream: true } });
    expect(loadPlaygroundSession('w2')).toEqual({ turns: [], request: defaultPlaygroundRequest, decision: null, target: null });
  });

  it('is forgotten by clear', () => {
    savePlaygroundSession('w1', { turns, request: defaultPlaygroundRequest, decision: null, target: null });
    clearPlaygroundSession('w1');
    expect(loadPlaygroundSession('w1').turns).toEqual([]);
  });
});

describe('samplingSettings', () => {
  it('sends only what was typed, as numbers', () => {
    expect(samplingSettings({ temperature: '', maxTokens: '' })).toEqual({});
    expect(samplingSettings({ temperature: '0', maxTokens: '256' })).toEqual({ temperature: 0, maxTokens: 256 });
    expect(samplingSettings({ temperature: ' 1.5 ', maxTokens: '' })).toEqual({ temperature: 1.5 });
  });

  it.each([
    ['2.5', '', /Temperature/],
    ['-0.1', '', /Temperature/],
    ['warm', '', /Temperature/],
    ['', '0', /Max tokens/],
    ['', '12.5', /Max tokens/],
    ['', 'lots', /Max tokens/],
  ])('refuses temperature %j, max tokens %j', (temperature, maxTokens, message) => {
    expect(samplingSettings({ temperature, maxTokens })).toEqual({ error: expect.stringMatching(message) });
  });
});
