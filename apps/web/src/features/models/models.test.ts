import { describe, expect, it } from 'vitest';
import type { RouteRule, UsageRecord } from '@/lib/api.ts';
import { formatCost, formatMs, formatPrice, formatRate, formatSeconds, formatTokens, moveItem, parseNameList, removeAt } from '@/features/models/models.ts';
import { declaredModelRequest, describeTimeouts, providerTimeouts } from '@/features/models/providers/providers.ts';
import { describeMatch, newRuleDraft, routeTestQuery, ruleToDraft, rulesChanged, rulesRequest, validateRuleDraft } from '@/features/models/routing/routing.ts';
import { dayOf, daysBetween, keysWithout, limitsRequest, limitTexts, NO_KEY, noLimits, NOT_SERVED, parseLimit, summarizeUsage, topGroups, usedShare } from '@/features/models/usage/usage.ts';
import { toggleValue } from '@/lib/utils.ts';

function record(overrides: Partial<UsageRecord>): UsageRecord {
  return {
    id: Math.random().toString(36).slice(2),
    at: '2026-03-02T10:00:00.000Z',
    requestedModel: 'auto',
    target: 'local/llama',
    candidates: ['local/llama'],
    reason: 'auto: every chat model, local first',
    dataClass: 'internal',
    stream: true,
    inputTokens: 10,
    outputTokens: 5,
    cost: 0.001,
    firstTokenMs: 40,
    totalMs: 200,
    status: 'ok',
    errorCode: null,
    keyId: null,
    userId: 'u1',
    ...overrides,
  };
}

function rule(overrides: Partial<RouteRule>): RouteRule {
  return { id: 'r1', position: 0, name: 'Private stays local', match: {}, targets: ['local/llama'], enabled: true, cacheTtlSeconds: null, declared: false, updatedAt: '2026-03-01T00:00:00.000Z', ...overrides };
}

describe('summarizeUsage', () => {
  const records = [
    record({ at: '2026-03-01T23:30:00.000Z', target: 'hosted/gpt', cost: 0.02, inputTokens: 100, outputTokens: 50, keyId: 'k1' }),
    record({ at: '2026-03-01T08:00:00.000Z', target: 'local/llama', cost: 0 }),
    record({ at: '2026-03-04T12:00:00.000Z', target: null, status: 'error', errorCode: 'route_no_private_target', cost: null, inputTokens: null, outputTokens: null, keyId: 'k1' }),
    record({ at: '2026-03-04T13:00:00.000Z', target: 'local/llama', cost: 0.001, keyId: 'k2' }),
  ];

  it('totals calls, failures, tokens and cost', () => {
    const summary = summarizeUsage(records, { timeZone: 'UTC' });
    expect(summary).toMatchObject({ calls: 4, errors: 1, tokens: 150 + 15 + 15 });
    expect(summary.cost).toBeCloseTo(0.021);
  });

  it('groups by calendar day in the given time zone, quiet days included at zero', () => {
    const utc = summarizeUsage(records, { timeZone: 'UTC' }).byDay;
    expect(utc.map((day) => [day.day, day.calls, day.errors])).toEqual([
      ['2026-03-01', 2, 0],
      ['2026-03-02', 0, 0],
      ['2026-03-03', 0, 0],
      ['2026-03-04', 2, 1],
    ]);
    // 23:30 UTC is already the next day in Berlin.
    const berlin = summarizeUsage(records, { timeZone: 'Europe/Berlin' }).byDay;
    expect(berlin.map((day) => [day.day, day.calls])).toEqual([
      ['2026-03-01', 1],
      ['2026-03-02', 1],
      ['2026-03-03', 0],
      ['2026-03-04', 2],
    ]);
    expect(berlin[1]!.cost).toBeCloseTo(0.02);
  });

  it('groups by the target that served, refused calls as not served, most calls first', () => {
    const byTarget = summarizeUsage(records, { timeZone: 'UTC' }).byTarget;
    expect(byTarget.map((group) => [group.name, group.calls, group.errors])).toEqual([
      ['local/llama', 2, 0],
      ['hosted/gpt', 1, 0],
      [NOT_SERVED, 1, 1],
    ]);
  });

  it('groups by API key with its name when known, session calls under signed-in users', () => {
    const byKey = summarizeUsage(records, { timeZone: 'UTC', keyNames: new Map([['k1', 'CI']]) }).byKey;
    // Equal calls: the costlier first.
    expect(byKey.map((group) => [group.name, group.calls])).toEqual([
      ['CI', 2],
      ['k2', 1],
      [NO_KEY, 1],
    ]);
  });

  it('is empty for no records', () => {
    expect(summarizeUsage([], { timeZone: 'UTC' })).toEqual({ calls: 0, errors: 0, cost: 0, tokens: 0, byDay: [], byTarget: [], byKey: [] });
  });
});

describe('usage helpers', () => {
  it('lists every day between two dates, across a month end', () => {
    expect(daysBetween('2026-02-27', '2026-03-02')).toEqual(['2026-02-27', '2026-02-28', '2026-03-01', '2026-03-02']);
    expect(daysBetween('2026-03-02', '2026-03-02')).toEqual(['2026-03-02']);
    expect(dayOf('2026-03-01T23:30:00.000Z', 'America/New_York')).toBe('2026-03-01');
  });

  it('keeps the biggest groups and sums the rest as other', () => {
    const groups = ['a', 'b', 'c', 'd'].map((name, index) => ({ name, calls: 10 - index, errors: 1, cost: 1, tokens: 5 }));
    expect(topGroups(groups, 4)).toEqual(groups);
    expect(topGroups(groups, 3)).toEqual([groups[0], groups[1], { name: 'other', calls: 15, errors: 2, cost: 2, tokens: 10 }]);
  });
});

describe('rule editor', () => {
  it('moves an item up and down and ignores moves past either end', () => {
    const list = ['a', 'b', 'c', 'd'];
    expect(moveItem(list, 2, -1)).toEqual(['a', 'c', 'b', 'd']);
    expect(moveItem(list, 0, 1)).toEqual(['b', 'a', 'c', 'd']);
    expect(moveItem(list, 3, -3)).toEqual(['d', 'a', 'b', 'c']);
    expect(moveItem(list, 0, -1)).toEqual(list);
    expect(moveItem(list, 3, 1)).toEqual(list);
    expect(list).toEqual(['a', 'b', 'c', 'd']);
    expect(removeAt(list, 1)).toEqual(['a', 'c', 'd']);
  });

  it('reorders whole rules, and the saved order is the new one', () => {
    const drafts = [rule({ name: 'first' }), rule({ name: 'second', targets: ['hosted/gpt'] }), rule({ name: 'third' })].map(ruleToDraft);
    const moved = moveItem(drafts, 2, -2);
    const request = rulesRequest(moved);
    expect(request.ok && request.rules.map((item) => item.name)).toEqual(['third', 'first', 'second']);
    // Keys follow their rules, so React keeps each card's state with it.
    expect(moved.map((draft) => draft.key)).toEqual([drafts[2]!.key, drafts[0]!.key, drafts[1]!.key]);
  });

  it('turns drafts into the API body: empty conditions left out, text fields parsed', () => {
    const draft = {
      ...newRuleDraft(0),
      name: '  Long prompts ',
      models: 'auto, smart  smart',
      dataClasses: ['internal' as const],
      needs: ['tools' as const, 'json' as const],
      minEstimatedTokens: ' 8000 ',
      latencyTier: 'fast' as const,
      budgetRemainingBelowPercent: ' 20 ',
      targets: ['hosted/gpt', 'local/llama'],
      cacheTtlSeconds: '300',
    };
    expect(rulesRequest([draft])).toEqual({
      ok: true,
      rules: [
        {
          name: 'Long prompts',
          match: { models: ['auto', 'smart'], dataClasses: ['internal'], needs: ['tools', 'json'], minEstimatedTokens: 8000, latencyTier: 'fast', budgetRemainingBelowPercent: 20 },
          targets: ['hosted/gpt', 'local/llama'],
          enabled: true,
          cacheTtlSeconds: 300,
        },
      ],
    });
    expect(rulesRequest([{ ...newRuleDraft(1), targets: ['x'] }])).toEqual({ ok: true, rules: [{ name: 'Rule 2', match: {}, targets: ['x'], enabled: true, cacheTtlSeconds: null }] });
  });

  it('refuses incomplete rules, reporting them by key', () => {
    const draft = { ...newRuleDraft(0), name: ' ', minEstimatedTokens: '1.5', budgetRemainingBelowPercent: '101', cacheTtlSeconds: '0' };
    expect(validateRuleDraft(draft)).toEqual({
      name: 'Enter a name.',
      targets: 'Add at least one target.',
      minEstimatedTokens: 'A whole number of at least 1, or empty.',
      budgetRemainingBelowPercent: 'From 0 to 100, or empty.',
      cacheTtlSeconds: 'Whole seconds from 1 to 2,592,000 (30 days), or empty.',
    });
    expect(validateRuleDraft({ ...newRuleDraft(0), targets: ['x'], cacheTtlSeconds: '2592001' }).cacheTtlSeconds).toBeDefined();
    const result = rulesRequest([draft]);
    expect(result.ok).toBe(false);
    expect(!result.ok && Object.keys(result.errors)).toEqual([draft.key]);
  });

  it('round-trips a saved rule and notices changes', () => {
    const saved = [rule({ match: { dataClasses: ['private'], needs: ['tools'], minEstimatedTokens: 100, latencyTier: 'standard', budgetRemainingBelowPercent: 12.5, models: ['auto'] }, cacheTtlSeconds: 600 })];
    const drafts = saved.map(ruleToDraft);
    expect(rulesChanged(drafts, saved)).toBe(false);
    // Saving an unchanged list keeps the cache setting (the PUT replaces every field).
    const request = rulesRequest(drafts);
    expect(request.ok && request.rules[0]!.cacheTtlSeconds).toBe(600);
    // Every condition survives the round trip, the spend-left one included.
    expect(request.ok && request.rules[0]!.match).toEqual(saved[0]!.match);
    expect(rulesChanged([{ ...drafts[0]!, cacheTtlSeconds: '' }], saved)).toBe(true);
    expect(rulesChanged([{ ...drafts[0]!, enabled: false }], saved)).toBe(true);
    expect(rulesChanged([...drafts, { ...newRuleDraft(1), targets: ['x'] }], saved)).toBe(true);
    expect(rulesChanged([], saved)).toBe(true);
  });

  it('keeps checkbox groups in their canonical order', () => {
    const order = ['private', 'internal', 'public'] as const;
    expect(toggleValue(['public'], 'private', true, order)).toEqual(['private', 'public']);
    expect(toggleValue(['private', 'public'], 'private', false, order)).toEqual(['public']);
  });

  it('describes conditions in words', () => {
    expect(describeMatch({})).toBe('auto');
    expect(describeMatch({ models: ['fast'], dataClasses: ['private', 'internal'], needs: ['tools'], minEstimatedTokens: 8000, latencyTier: 'fast' })).toBe(
      'fast · private or internal · needs tools · ≥ 8,000 tokens · fast tier',
    );
    expect(describeMatch({ budgetRemainingBelowPercent: 20 })).toBe('auto · < 20% of a spend limit left');
  });

  it('parses name lists', () => {
    expect(parseNameList(' a, b\nc  a ,, ')).toEqual(['a', 'b', 'c']);
  });
});

describe('route tester and budgets', () => {
  it('builds the tester query, leaving out what was not given', () => {
    expect(routeTestQuery({ model: ' ', dataClass: 'private', keyId: '', needs: [], latencyTier: '', estimatedTokens: '' })).toEqual({ model: 'auto', dataClass: 'private' });
    expect(routeTestQuery({ model: 'auto', dataClass: '', keyId: 'k1', needs: [], latencyTier: '', estimatedTokens: '' })).toEqual({ model: 'auto', keyId: 'k1' });
    expect(routeTestQuery({ model: 'fast', dataClass: 'public', keyId: 'k1', needs: ['tools'], latencyTier: 'fast', estimatedTokens: '900' })).toEqual({
      model: 'fast',
      dataClass: 'public',
      keyId: 'k1',
      needs: ['tools'],
      latencyTier: 'fast',
      estimatedTokens: 900,
    });
  });

  it('reads limits: empty is none, negatives and text are refused', () => {
    expect(parseLimit('')).toEqual({ ok: true, value: null });
    expect(parseLimit(' 2.5 ')).toEqual({ ok: true, value: 2.5 });
    expect(parseLimit('0')).toEqual({ ok: true, value: 0 });
    expect(parseLimit('-1')).toEqual({ ok: false });
    expect(parseLimit('ten')).toEqual({ ok: false });
    expect(usedShare(5, null)).toBeNull();
    expect(usedShare(5, 10)).toBe(0.5);
    expect(usedShare(15, 10)).toBe(1);
    expect(usedShare(0, 0)).toBe(1);
  });

  it('turns a limits form into the request, or names the fields that are wrong', () => {
    expect(limitTexts(undefined)).toEqual({ requestsPerMinute: '', tokensPerMinute: '', spendPerDay: '', spendPerMonth: '' });
    const saved = { requestsPerMinute: 60, tokensPerMinute: null, spendPerDay: 2.5, spendPerMonth: null };
    expect(limitTexts(saved)).toEqual({ requestsPerMinute: '60', tokensPerMinute: '', spendPerDay: '2.5', spendPerMonth: '' });
    expect(limitsRequest(limitTexts(saved))).toEqual({ ok: true, limits: saved });
    expect(limitsRequest({ requestsPerMinute: '-1', tokensPerMinute: '', spendPerDay: 'lots', spendPerMonth: '3' })).toEqual({ ok: false, invalid: ['requestsPerMinute', 'spendPerDay'] });
    expect(noLimits(saved)).toBe(false);
    expect(noLimits({ requestsPerMinute: null, tokensPerMinute: null, spendPerDay: null, spendPerMonth: null })).toBe(true);
  });

  it('offers active keys without their own setting, by name', () => {
    const now = Date.parse('2026-03-01T00:00:00Z');
    const key = (id: string, name: string, revokedAt: string | null = null, expiresAt: string | null = null) => ({ id, name, revokedAt, expiresAt });
    const keys = [key('k1', 'zeta'), key('k2', 'alpha'), key('k3', 'revoked', '2026-02-01T00:00:00Z'), key('k4', 'expired', null, '2026-02-01T00:00:00Z'), key('k5', 'later', null, '2026-04-01T00:00:00Z'), key('k6', 'limited')];
    expect(keysWithout(keys, ['k6'], now).map((item) => item.name)).toEqual(['alpha', 'later', 'zeta']);
  });

  it('turns timeouts in seconds into milliseconds, leaving out empty ones', () => {
    expect(providerTimeouts({ connectSeconds: '', firstTokenSeconds: '', totalSeconds: '' })).toBeUndefined();
    expect(providerTimeouts({ connectSeconds: '2.5', firstTokenSeconds: '', totalSeconds: '600' })).toEqual({ connectMs: 2_500, totalMs: 600_000 });
    expect(describeTimeouts(null)).toBeNull();
    expect(describeTimeouts({ connectMs: 2_500, totalMs: 600_000 })).toBe('connect 2.5 s · total 600 s');
  });

  it('turns declared model rows into the API shape', () => {
    expect(declaredModelRequest({ name: ' gpt-4o-mini ', capabilities: ['chat', 'tools'], contextLength: '128000', inputPrice: '0.15', outputPrice: '' })).toEqual({
      name: 'gpt-4o-mini',
      capabilities: ['chat', 'tools'],
      contextLength: 128000,
      inputPricePerMillion: 0.15,
      outputPricePerMillion: null,
    });
  });
});

describe('formatting', () => {
  it('formats prices, costs, latencies, rates and token counts', () => {
    expect([formatPrice(null), formatPrice(0), formatPrice(2.5), formatPrice(0.05)]).toEqual(['—', 'free', '$2.50', '$0.050']);
    expect([formatCost(null), formatCost(0), formatCost(0.00042), formatCost(1.234)]).toEqual(['—', '$0', '$0.00042', '$1.23']);
    expect([formatMs(null), formatMs(42.4), formatMs(1_500), formatMs(12_345)]).toEqual(['—', '42 ms', '1.5 s', '12.3 s']);
    expect([formatRate(null), formatRate(0), formatRate(0.004), formatRate(0.256)]).toEqual(['—', '0%', '<1%', '26%']);
    expect([formatSeconds(45), formatSeconds(300), formatSeconds(7_200), formatSeconds(604_800)]).toEqual(['45 s', '5 min', '2 h', '7 d']);
    expect([formatTokens(null), formatTokens(4096), formatTokens(128_000), formatTokens(1_000_000)]).toEqual(['—', '4,096', '128k', '1M']);
  });
});
