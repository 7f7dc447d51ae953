import { describe, expect, it } from 'vitest';
import { routeRequest, rulesNeedBudget, type RouteFacts, type RoutingTable } from './model-router.ts';
import type { ModelCapabilityName } from './models.schema.ts';
import type { RoutableModel } from './models.types.ts';

const model = (providerName: string, name: string, locality: 'local' | 'hosted', capabilities: ModelCapabilityName[] = ['chat'], contextLength: number | null = null): RoutableModel => ({
  id: `${providerName}-${name}`,
  workspaceId: 'w',
  providerId: providerName,
  name,
  capabilities,
  contextLength,
  inputPricePerMillion: null,
  outputPricePerMillion: null,
  source: 'declared',
  enabled: true,
  createdAt: '',
  providerName,
  providerType: 'openai-compatible',
  locality,
  baseUrl: 'http://x',
  hasApiKey: false,
  timeouts: null,
  providerDeclared: false,
});

const table: RoutingTable = {
  models: [
    model('cloud', 'gpt-x', 'hosted', ['chat', 'tools', 'json'], 128_000),
    model('cloud', 'llama-3', 'hosted'),
    model('ollama', 'llama-3', 'local', ['chat'], 8_000),
    model('ollama', 'embed', 'local', ['embeddings']),
  ],
  aliases: [{ name: 'smart', targets: ['cloud/gpt-x', 'ollama/llama-3'] }],
  rules: [
    { name: 'long prompts', match: { minEstimatedTokens: 10_000 }, targets: ['cloud/gpt-x'], cacheTtlSeconds: null },
    { name: 'fast', match: { latencyTier: 'fast' }, targets: ['ollama/llama-3'], cacheTtlSeconds: 60 },
  ],
};
const facts = (overrides: Partial<RouteFacts>): RouteFacts => ({ requested: 'auto', dataClass: 'internal', needs: ['chat'], estimatedTokens: 10, ...overrides });
const targets = (routed: ReturnType<typeof routeRequest>) => routed.decision.candidates.map((candidate) => candidate.model);

describe('routeRequest', () => {
  it('serves a bare name from every provider offering it, local first; a qualified name from that provider only', () => {
    expect(targets(routeRequest(table, facts({ requested: 'llama-3' })))).toEqual(['ollama/llama-3', 'cloud/llama-3']);
    expect(targets(routeRequest(table, facts({ requested: 'cloud/llama-3' })))).toEqual(['cloud/llama-3']);
  });

  it('keeps private requests on local targets and refuses when none can serve', () => {
    expect(targets(routeRequest(table, facts({ requested: 'llama-3', dataClass: 'private' })))).toEqual(['ollama/llama-3']);
    expect(() => routeRequest(table, facts({ requested: 'gpt-x', dataClass: 'private' }))).toThrow(expect.objectContaining({ code: 'route_no_private_target' }));
    // A capable target exists, but only hosted: still a refusal, never a hosted fallback.
    expect(() => routeRequest(table, facts({ requested: 'smart', dataClass: 'private', needs: ['chat', 'tools'] }))).toThrow(expect.objectContaining({ code: 'route_no_private_target' }));
    expect(() => routeRequest(table, facts({ requested: 'ollama/embed' }))).toThrow(expect.objectContaining({ code: 'route_no_target' }));
  });

  it('expands aliases in their stated order and filters by capability', () => {
    expect(targets(routeRequest(table, facts({ requested: 'smart' })))).toEqual(['cloud/gpt-x', 'ollama/llama-3']);
    expect(targets(routeRequest(table, facts({ requested: 'smart', needs: ['chat', 'tools'] })))).toEqual(['cloud/gpt-x']);
    expect(targets(routeRequest(table, facts({ requested: 'smart', dataClass: 'private' })))).toEqual(['ollama/llama-3']);
  });

  it('applies the first matching rule to auto: long prompts go where the context fits, the fast tier to its target', () => {
    const long = routeRequest(table, facts({ estimatedTokens: 20_000 }));
    expect(targets(long)).toEqual(['cloud/gpt-x']);
    expect(long.decision.reason).toContain('rule "long prompts"');
    const fast = routeRequest(table, facts({ latencyTier: 'fast' }));
    expect(targets(fast)).toEqual(['ollama/llama-3']);
    expect(fast.decision.cacheTtlSeconds).toBe(60);
    expect(targets(routeRequest(table, facts({})))).toEqual(['ollama/llama-3', 'cloud/gpt-x', 'cloud/llama-3']);
    expect(() => routeRequest(table, facts({ estimatedTokens: 20_000, dataClass: 'private' }))).toThrow(expect.objectContaining({ code: 'route_no_private_target' }));
  });

  it('applies a budget rule only when less than its share of the spend budget is left, and says so', () => {
    const budgeted: RoutingTable = { ...table, rules: [{ name: 'thrifty', match: { budgetRemainingBelowPercent: 20 }, targets: ['ollama/llama-3'], cacheTtlSeconds: null }] };
    expect(rulesNeedBudget(table.rules)).toBe(false);
    expect(rulesNeedBudget(budgeted.rules)).toBe(true);
    // No spend limit holds (undefined), or enough is left: the rule does not apply.
    expect(targets(routeRequest(budgeted, facts({ requested: 'auto' })))).toEqual(['ollama/llama-3', 'cloud/gpt-x', 'cloud/llama-3']);
    expect(routeRequest(budgeted, facts({ budgetRemainingPercent: 20 })).decision.reason).not.toContain('thrifty');
    const low = routeRequest(budgeted, facts({ budgetRemainingPercent: 12.34 }));
    expect(targets(low)).toEqual(['ollama/llama-3']);
    expect(low.decision.reason).toContain('rule "thrifty" (12.3% of the spend budget left, below 20%)');
  });

  it('skips targets whose known context is too small, and says when nothing is called that', () => {
    expect(targets(routeRequest(table, facts({ requested: 'llama-3', estimatedTokens: 9_000 })))).toEqual(['cloud/llama-3']);
    expect(() => routeRequest(table, facts({ requested: 'nope' }))).toThrow(expect.objectContaining({ code: 'model_not_found' }));
    expect(() => routeRequest({ ...table, models: [], rules: [] }, facts({}))).toThrow(/add a provider first/);
  });
});

describe('chat never reaches an embedding-only model', () => {
  // Regression (issue 13): the embedding model sorts first, locally, and is named by an alias and a rule.
  const embeddingFirst: RoutingTable = {
    models: [model('ollama', 'aaa-embed', 'local', ['embeddings']), model('ollama', 'zz-chat', 'local', ['chat'])],
    aliases: [{ name: 'everything', targets: ['ollama/aaa-embed', 'ollama/zz-chat'] }],
    rules: [{ name: 'embed first', match: { models: ['ruled'] }, targets: ['ollama/aaa-embed', 'ollama/zz-chat'], cacheTtlSeconds: null }],
  };

  it.each(['auto', 'everything', 'ruled'])('%s serves a chat request with the chat model only', (requested) => {
    const { candidates } = routeRequest(embeddingFirst, facts({ requested }));
    expect(candidates.map((row) => row.name)).toEqual(['zz-chat']);
  });

  it('refuses a chat request naming the embedding model rather than sending it', () => {
    expect(() => routeRequest(embeddingFirst, facts({ requested: 'ollama/aaa-embed' }))).toThrow(expect.objectContaining({ code: 'route_no_target' }));
  });
});
