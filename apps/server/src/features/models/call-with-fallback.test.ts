import { describe, expect, it } from 'vitest';
import { ProviderError } from '../../platform/model-provider/model-provider.port.ts';
import { callWithFallback } from './call-with-fallback.ts';
import { createTargetHealth } from './target-health.ts';

const upstreamError = (status: number, retryAfterMs?: number) =>
  new ProviderError({ provider: 'test', message: `status ${status}`, status, retryAfterMs, phase: 'connect' });

describe('callWithFallback', () => {
  it('retries a retryable failure on the same target, honouring a short Retry-After, then succeeds', async () => {
    const calls: string[] = [];
    const started = Date.now();
    const outcome = await callWithFallback(['a', 'b'], createTargetHealth(), async (target) => {
      calls.push(target);
      if (calls.length === 1) throw upstreamError(429, 150);
      return 'ok';
    });
    expect(outcome).toMatchObject({ result: 'ok', target: 'a', skipped: [] });
    expect(calls).toEqual(['a', 'a']);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('moves to the next target at once when Retry-After is long, and records why', async () => {
    const calls: string[] = [];
    const outcome = await callWithFallback(['a', 'b'], createTargetHealth(), async (target) => {
      calls.push(target);
      if (target === 'a') throw upstreamError(429, 60_000);
      return 'ok';
    });
    expect(calls).toEqual(['a', 'b']);
    expect(outcome).toMatchObject({ target: 'b', skipped: ['a: 429'] });
  });

  it('never retries or falls back on 400, 401, 403 or 404', async () => {
    for (const status of [400, 401, 403, 404]) {
      const calls: string[] = [];
      const failure = await callWithFallback(['a', 'b'], createTargetHealth(), async (target) => {
        calls.push(target);
        throw upstreamError(status);
      }).catch((error: unknown) => error);
      expect((failure as ProviderError).status).toBe(status);
      expect(calls).toEqual(['a']);
    }
  });

  it('skips targets whose breaker is open, and fails without calling when every breaker is open', async () => {
    const health = createTargetHealth({ failureThreshold: 2, cooldownMs: 60_000 });
    const failing = async () => {
      throw upstreamError(503);
    };
    await expect(callWithFallback(['a', 'b'], health, failing, { backoffMs: 1 })).rejects.toMatchObject({ status: 503 });
    expect(health.view('a').breaker).toBe('open');
    expect(health.view('b').breaker).toBe('open');
    let called = false;
    const refused = await callWithFallback(['a', 'b'], health, async () => {
      called = true;
      return 'never';
    }).catch((error: unknown) => error);
    expect(called).toBe(false);
    expect(refused).toMatchObject({ code: 'provider_unavailable' });
    expect((refused as Error).message).toMatch(/next probe is allowed at/);
  });
});
