import { SteadError } from '../../platform/errors/stead-error.ts';
import type { KeyValueStore } from '../../platform/key-value/key-value.port.ts';

/** Limits of one scope (the workspace, or one API key); null is unlimited. */
export interface BudgetLimits {
  requestsPerMinute: number | null;
  tokensPerMinute: number | null;
  /** US dollars, from the models' declared prices. */
  spendPerDay: number | null;
  spendPerMonth: number | null;
}

export interface BudgetScope {
  /** For messages: `workspace` or `API key <name or id>`. */
  label: string;
  /** Unique per scope: `<workspaceId>` or `<workspaceId>:<keyId>`. */
  id: string;
  limits: BudgetLimits;
}

export interface BudgetUsage {
  requestsThisMinute: number;
  tokensThisMinute: number;
  spendToday: number;
  spendThisMonth: number;
}

const minuteMs = 60_000;

/**
 * Fixed windows: the current minute, UTC day and UTC month are part of the key, so every node counts into the
 * same counter (KeyValue on Redis in a cluster) and a window resets by itself when the key expires.
 */
const windows = (now: Date) => {
  const minute = Math.floor(now.getTime() / minuteMs);
  const day = now.toISOString().slice(0, 10);
  const month = now.toISOString().slice(0, 7);
  const nextMinute = new Date((minute + 1) * minuteMs);
  const nextDay = new Date(`${day}T00:00:00.000Z`);
  nextDay.setUTCDate(nextDay.getUTCDate() + 1);
  const nextMonth = new Date(`${month}-01T00:00:00.000Z`);
  nextMonth.setUTCMonth(nextMonth.getUTCMonth() + 1);
  return { minute, day, month, nextMinute, nextDay, nextMonth };
};

const keysOf = (scope: BudgetScope, now: Date) => {
  const window = windows(now);
  return {
    window,
    requests: `budget:${scope.id}:requests:${window.minute}`,
    tokens: `budget:${scope.id}:tokens:${window.minute}`,
    day: `budget:${scope.id}:spend:${window.day}`,
    month: `budget:${scope.id}:spend:${window.month}`,
  };
};

const exceeded = (scope: BudgetScope, what: string, limit: number, resetsAt: Date) =>
  new SteadError('budget_exceeded', `The ${what} limit of ${limit} for ${scope.label} is used up; it resets at ${resetsAt.toISOString()}`, {
    details: { scope: scope.label, limit: what, resetsAt: resetsAt.toISOString() },
  });

/**
 * Checks the limits before a call with an estimate, and reconciles after with what the upstream reported.
 * Counting is approximate under concurrency (checks and increments are separate round trips): a burst may
 * overshoot a limit by the calls in flight, never by more.
 */
export interface Budgets {
  /** What is used now of one scope's limits. */
  read(scope: BudgetScope): Promise<BudgetUsage>;
  /**
   * The smallest share left, in percent (0–100), of the spend limits of these scopes (per day and per month);
   * undefined when none of them has a spend limit. Reads only the spend counters of scopes that have one.
   */
  remainingSpendPercent(scopes: BudgetScope[]): Promise<number | undefined>;
  /** Throws `budget_exceeded` if the call would break a limit; otherwise counts the request and its estimated tokens. */
  reserve(scopes: BudgetScope[], estimatedTokens: number): Promise<void>;
  /** After the call: replaces the token estimate with the real count and adds the cost. */
  settle(scopes: BudgetScope[], estimatedTokens: number, actualTokens: number | null, cost: number | null): Promise<void>;
}

export const createBudgets = ({ store, now }: { store: KeyValueStore; now: () => Date }): Budgets => {
  const read = async (scope: BudgetScope): Promise<BudgetUsage> => {
    const keys = keysOf(scope, now());
    const [requests, tokens, day, month] = await Promise.all([store.get(keys.requests), store.get(keys.tokens), store.get(keys.day), store.get(keys.month)]);
    return { requestsThisMinute: Number(requests ?? 0), tokensThisMinute: Number(tokens ?? 0), spendToday: Number(day ?? 0), spendThisMonth: Number(month ?? 0) };
  };

  return {
    read,

    /**
     * The smallest share left, in percent (0–100), of the spend limits of these scopes (per day and per month);
     * undefined when none of them has a spend limit. Reads only the spend counters of scopes that have one.
     */
    async remainingSpendPercent(scopes: BudgetScope[]): Promise<number | undefined> {
      const at = now();
      const checks: { key: string; limit: number }[] = [];
      for (const scope of scopes) {
        const keys = keysOf(scope, at);
        if (scope.limits.spendPerDay !== null) checks.push({ key: keys.day, limit: scope.limits.spendPerDay });
        if (scope.limits.spendPerMonth !== null) checks.push({ key: keys.month, limit: scope.limits.spendPerMonth });
      }
      if (checks.length === 0) return undefined;
      const spent = await Promise.all(checks.map((check) => store.get(check.key)));
      return Math.min(...checks.map((check, index) => (check.limit <= 0 ? 0 : Math.max(0, 1 - Number(spent[index] ?? 0) / check.limit) * 100)));
    },

    /** Throws `budget_exceeded` if the call would break a limit; otherwise counts the request and its estimated tokens. */
    async reserve(scopes: BudgetScope[], estimatedTokens: number): Promise<void> {
      const at = now();
      for (const scope of scopes) {
        const { limits } = scope;
        if (limits.requestsPerMinute === null && limits.tokensPerMinute === null && limits.spendPerDay === null && limits.spendPerMonth === null) continue;
        const usage = await read(scope);
        const { window } = keysOf(scope, at);
        if (limits.requestsPerMinute !== null && usage.requestsThisMinute + 1 > limits.requestsPerMinute) throw exceeded(scope, 'requests per minute', limits.requestsPerMinute, window.nextMinute);
        if (limits.tokensPerMinute !== null && usage.tokensThisMinute + estimatedTokens > limits.tokensPerMinute) throw exceeded(scope, 'tokens per minute', limits.tokensPerMinute, window.nextMinute);
        if (limits.spendPerDay !== null && usage.spendToday >= limits.spendPerDay) throw exceeded(scope, 'spend per day (USD)', limits.spendPerDay, window.nextDay);
        if (limits.spendPerMonth !== null && usage.spendThisMonth >= limits.spendPerMonth) throw exceeded(scope, 'spend per month (USD)', limits.spendPerMonth, window.nextMonth);
      }
      await store.incrementMany(
        scopes.flatMap((scope) => {
          const keys = keysOf(scope, at);
          return [
            { key: keys.requests, by: 1, ttlMs: 2 * minuteMs },
            { key: keys.tokens, by: estimatedTokens, ttlMs: 2 * minuteMs },
          ];
        }),
      );
    },

    /** After the call: replaces the token estimate with the real count and adds the cost. */
    async settle(scopes: BudgetScope[], estimatedTokens: number, actualTokens: number | null, cost: number | null): Promise<void> {
      const at = now();
      const correction = actualTokens === null ? 0 : actualTokens - estimatedTokens;
      await store.incrementMany(
        scopes.flatMap((scope) => {
          const keys = keysOf(scope, at);
          return [
            ...(correction !== 0 ? [{ key: keys.tokens, by: correction, ttlMs: 2 * minuteMs }] : []),
            ...(cost ? [{ key: keys.day, by: cost, ttlMs: 2 * 86_400_000 }, { key: keys.month, by: cost, ttlMs: 32 * 86_400_000 }] : []),
          ];
        }),
      );
    },
  };
};
