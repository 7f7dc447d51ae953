/**
 * Health of each gateway target (a provider's model) in this process: a circuit breaker and recent latency and
 * error figures. Breakers are per process on purpose: each node stops hammering a failing upstream on its own
 * evidence within a few requests, and a shared breaker would add a network round trip to every call.
 */

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface TargetHealthOptions {
  /** Consecutive failures that open the breaker. Default 5. */
  failureThreshold?: number;
  /** How long an open breaker refuses calls before letting one probe through. Default 30,000 ms. */
  cooldownMs?: number;
  /** Latency samples kept per target for the p50. Default 100. */
  sampleSize?: number;
  /** Default `Date.now`. */
  now?: () => number;
}

export interface TargetHealthView {
  breaker: BreakerState;
  /** When an open breaker lets the next probe through (ISO), else null. */
  retryAt: string | null;
  consecutiveFailures: number;
  p50Ms: number | null;
  /** Failed share of the last `sampleSize` calls, 0–1; null before any call. */
  errorRate: number | null;
  calls: number;
}

interface TargetState {
  consecutiveFailures: number;
  openedAt: number | null;
  probing: boolean;
  latencies: number[];
  outcomes: boolean[];
  calls: number;
}

/** Circuit breakers and recent figures of every target this process has called. */
export interface TargetHealth {
  /**
   * May a call go to this target now? An open breaker refuses; after the cooldown exactly one caller gets
   * through as the probe, the others keep being refused until it reports.
   */
  tryAcquire(target: string): boolean;
  succeeded(target: string, latencyMs: number): void;
  /** A failure of the upstream (not of the request): counts toward opening the breaker. */
  failed(target: string): void;
  /** A call that ended without verdict (client gone, request refused by the upstream as invalid). */
  released(target: string): void;
  view(target: string): TargetHealthView;
}

export const createTargetHealth = ({ failureThreshold = 5, cooldownMs = 30_000, sampleSize = 100, now = Date.now }: TargetHealthOptions = {}): TargetHealth => {
  const targets = new Map<string, TargetState>();
  const stateOf = (target: string): TargetState => {
    let state = targets.get(target);
    if (!state) {
      state = { consecutiveFailures: 0, openedAt: null, probing: false, latencies: [], outcomes: [], calls: 0 };
      targets.set(target, state);
    }
    return state;
  };
  const push = <T>(list: T[], value: T) => {
    list.push(value);
    if (list.length > sampleSize) list.shift();
  };
  const breakerOf = (state: TargetState): BreakerState => {
    if (state.openedAt === null) return 'closed';
    return now() - state.openedAt >= cooldownMs ? 'half-open' : 'open';
  };

  return {
    /**
     * May a call go to this target now? An open breaker refuses; after the cooldown exactly one caller gets
     * through as the probe, the others keep being refused until it reports.
     */
    tryAcquire(target: string): boolean {
      const state = stateOf(target);
      const breaker = breakerOf(state);
      if (breaker === 'closed') return true;
      if (breaker === 'open' || state.probing) return false;
      state.probing = true;
      return true;
    },
    succeeded(target: string, latencyMs: number): void {
      const state = stateOf(target);
      state.consecutiveFailures = 0;
      state.openedAt = null;
      state.probing = false;
      state.calls += 1;
      push(state.latencies, latencyMs);
      push(state.outcomes, true);
    },
    /** A failure of the upstream (not of the request): counts toward opening the breaker. */
    failed(target: string): void {
      const state = stateOf(target);
      state.consecutiveFailures += 1;
      state.calls += 1;
      push(state.outcomes, false);
      if (state.probing || state.consecutiveFailures >= failureThreshold) state.openedAt = now();
      state.probing = false;
    },
    /** A call that ended without verdict (client gone, request refused by the upstream as invalid). */
    released(target: string): void {
      stateOf(target).probing = false;
    },
    view(target: string): TargetHealthView {
      const state = stateOf(target);
      const breaker = breakerOf(state);
      const sorted = [...state.latencies].sort((a, b) => a - b);
      return {
        breaker,
        retryAt: breaker === 'open' && state.openedAt !== null ? new Date(state.openedAt + cooldownMs).toISOString() : null,
        consecutiveFailures: state.consecutiveFailures,
        p50Ms: sorted.length ? sorted[Math.floor((sorted.length - 1) / 2)]! : null,
        errorRate: state.outcomes.length ? state.outcomes.filter((ok) => !ok).length / state.outcomes.length : null,
        calls: state.calls,
      };
    },
  };
};
