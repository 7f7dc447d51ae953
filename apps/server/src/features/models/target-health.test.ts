import { describe, expect, it } from 'vitest';
import { createTargetHealth } from './target-health.ts';

describe('target health', () => {
  it('opens after consecutive failures, refuses during the cooldown, then lets exactly one probe through', () => {
    let now = 0;
    const health = createTargetHealth({ failureThreshold: 3, cooldownMs: 1_000, now: () => now });
    for (let index = 0; index < 2; index += 1) {
      expect(health.tryAcquire('a')).toBe(true);
      health.failed('a');
    }
    expect(health.view('a').breaker).toBe('closed');
    health.failed('a');
    expect(health.view('a')).toMatchObject({ breaker: 'open', retryAt: new Date(1_000).toISOString() });
    expect(health.tryAcquire('a')).toBe(false);
    now = 1_000;
    expect(health.view('a').breaker).toBe('half-open');
    expect(health.tryAcquire('a')).toBe(true);
    expect(health.tryAcquire('a')).toBe(false);
    health.failed('a');
    expect(health.view('a').breaker).toBe('open');
    now = 2_100;
    expect(health.tryAcquire('a')).toBe(true);
    health.succeeded('a', 12);
    expect(health.view('a')).toMatchObject({ breaker: 'closed', consecutiveFailures: 0 });
    expect(health.tryAcquire('a')).toBe(true);
    expect(health.tryAcquire('b')).toBe(true);
  });

  it('reports p50 latency and the recent error rate', () => {
    const health = createTargetHealth({ sampleSize: 4 });
    for (const latency of [10, 30, 20]) health.succeeded('a', latency);
    health.failed('a');
    expect(health.view('a')).toMatchObject({ p50Ms: 20, errorRate: 0.25, calls: 4 });
    health.succeeded('a', 5);
    expect(health.view('a').errorRate).toBe(0.25);
    expect(health.view('never').p50Ms).toBeNull();
  });
});
