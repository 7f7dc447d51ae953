import { describe, expect, it } from 'vitest';
import { firstSteps, firstStepsDone, formatSpend, gatewaySnippets, modelHealth, nextFires, snippetModel } from '@/features/home/home.ts';
import type { WorkspaceOverview } from '@/features/home/home.queries.ts';
import type { Schedule } from '@/lib/api.ts';

const overview = (setup: Partial<WorkspaceOverview['setup']> = {}, requests = 0): Pick<WorkspaceOverview, 'setup' | 'usageToday'> => ({
  setup: { providers: 0, models: 0, keys: 0, ...setup },
  usageToday: { since: '2026-12-03T00:00:00.000Z', requests, errors: 0, inputTokens: 0, outputTokens: 0, spend: 0, truncated: false },
});
const doneOf = (steps: ReturnType<typeof firstSteps>) => Object.fromEntries(steps.map((step) => [step.id, step.done]));

describe('firstSteps', () => {
  it('starts a fresh instance with everything to do', () => {
    const steps = firstSteps(overview(), true);
    expect(doneOf(steps)).toEqual({ model: false, key: false, call: false });
    expect(firstStepsDone(steps)).toBe(false);
  });

  it('ticks each step off from the real state', () => {
    expect(doneOf(firstSteps(overview({ providers: 1, models: 3 }), true))).toEqual({ model: true, key: false, call: false });
    expect(firstSteps(overview({ providers: 1, models: 3 }), true)[0]!.detail).toBe('3 models from 1 provider.');
    const all = firstSteps(overview({ providers: 1, models: 1, keys: 2 }, 4), true);
    expect(doneOf(all)).toEqual({ model: true, key: true, call: true });
    expect(firstStepsDone(all)).toBe(true);
  });

  it('does not claim a viewer has no key when it cannot see keys, and says who sets things up', () => {
    const steps = firstSteps(overview({ keys: null }), false);
    expect(doneOf(steps)).toEqual({ model: false, key: null, call: false });
    expect(steps[0]!.detail).toContain('An admin of this workspace does this.');
    expect(steps[1]!.detail).toBe('Ask an admin of this workspace for a key.');
    // Unknown is not "to do": with a model and calls, the checklist folds away.
    expect(firstStepsDone(firstSteps(overview({ models: 1, providers: 1, keys: null }, 1), false))).toBe(true);
  });
});

describe('gatewaySnippets', () => {
  const snippets = gatewaySnippets('https://stead.example.com/v1', 'ollama/llama3.2');

  it('points curl at the chat endpoint under the base URL with the key from the environment', () => {
    expect(snippets.curl).toBe(
      [
        "curl 'https://stead.example.com/v1/chat/completions' \\",
        '  -H "Authorization: Bearer $STEAD_API_KEY" \\',
        '  -H "Content-Type: application/json" \\',
        `  -d '{"model":"ollama/llama3.2","messages":[{"role":"user","content":"Hello!"}]}'`,
      ].join('\n'),
    );
  });

  it('gives the openai SDKs the base URL and model', () => {
    expect(snippets.python).toContain('client = OpenAI(base_url="https://stead.example.com/v1", api_key=os.environ["STEAD_API_KEY"])');
    expect(snippets.python).toContain('model="ollama/llama3.2",');
    expect(snippets.javascript).toContain('const client = new OpenAI({ baseURL: "https://stead.example.com/v1", apiKey: process.env.STEAD_API_KEY });');
    expect(snippets.javascript).toContain('model: "ollama/llama3.2",');
  });

  it('never puts a key in a snippet, and quotes odd names safely', () => {
    const odd = gatewaySnippets("http://10.0.0.5:3000/v1", `it's "odd"`);
    expect(odd.curl).toContain(`-d '{"model":"it'\\''s \\"odd\\"",`);
    expect(odd.python).toContain('model="it\'s \\"odd\\"",');
    for (const text of Object.values(snippets)) expect(text).not.toMatch(/sk-|stead_[a-z0-9]{8}/i);
  });

  it('uses the first model there is, else a placeholder', () => {
    expect(snippetModel([{ qualifiedName: 'box/llama-3' }, { qualifiedName: 'box/other' }])).toBe('box/llama-3');
    expect(snippetModel([])).toBe('provider/model');
  });
});

describe('nextFires', () => {
  const schedule = (id: string, nextFireAt: string | null, enabled = true) => ({ id, name: id, enabled, nextFireAt }) as Schedule;
  it('lists enabled schedules soonest first', () => {
    const list = [schedule('later', '2026-12-03T20:00:00Z'), schedule('off', '2026-12-03T17:00:00Z', false), schedule('soon', '2026-12-03T18:00:00Z'), schedule('never', null)];
    expect(nextFires(list).map((item) => item.id)).toEqual(['soon', 'later']);
    expect(nextFires(list, 1).map((item) => item.id)).toEqual(['soon']);
  });
});

describe('modelHealth', () => {
  const health = { breaker: 'closed' as const, retryAt: null, consecutiveFailures: 0, p50Ms: 120.4, errorRate: 0, calls: 10 };
  it('reads the breaker first, then errors and latency', () => {
    expect(modelHealth(health)).toEqual({ label: 'healthy', tone: 'success', detail: 'p50 120 ms · 0% errors · 10 calls' });
    expect(modelHealth({ ...health, breaker: 'open', consecutiveFailures: 5 })).toMatchObject({ label: 'down', tone: 'destructive' });
    expect(modelHealth({ ...health, breaker: 'half-open' })).toMatchObject({ label: 'recovering' });
    expect(modelHealth({ ...health, errorRate: 0.5 })).toMatchObject({ label: 'errors', tone: 'warning' });
    expect(modelHealth({ ...health, calls: 0, p50Ms: null, errorRate: null })).toMatchObject({ label: 'no calls yet' });
  });
});

describe('formatSpend', () => {
  it('shows fractions of a cent', () => {
    expect(formatSpend(0)).toBe('0.00');
    expect(formatSpend(0.0012)).toBe('0.0012');
    expect(formatSpend(1.5)).toBe('1.50');
  });
});
