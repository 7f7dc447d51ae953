/**
 * What every Models tab shares: the lists of data classes, latency tiers and capabilities, their labels, the
 * formatting of prices, latencies and rates, and ordered-list helpers. No React and no requests here.
 */
import type { BreakerState, DataClass, LatencyTier, Model, ModelAlias, ModelCapability, Role } from '@/lib/api.ts';

export const dataClasses: readonly DataClass[] = ['private', 'internal', 'public'];
export const latencyTiers: readonly LatencyTier[] = ['fast', 'standard'];
export const modelCapabilities: readonly ModelCapability[] = ['chat', 'tools', 'json', 'vision', 'embeddings', 'code'];

export const dataClassLabels: Record<DataClass, string> = { private: 'Private', internal: 'Internal', public: 'Public' };
export const dataClassHints: Record<DataClass, string> = {
  private: 'Only local models may serve it; never sent to a hosted provider.',
  internal: 'Any model; local ones are tried first.',
  public: 'Any model.',
};

export const breakerLabels: Record<BreakerState, string> = { closed: 'Healthy', 'half-open': 'Probing', open: 'Open' };
export const breakerVariants: Record<BreakerState, 'success' | 'warning' | 'destructive'> = { closed: 'success', 'half-open': 'warning', open: 'destructive' };

/** Using models (the playground) needs `models:use`: members and up. */
export function canUseModels(role: Role | undefined): boolean {
  return role === 'owner' || role === 'admin' || role === 'member';
}

// ---------------------------------------------------------------------------------------------------------
// Formatting

/** "$2.50" per million tokens; "—" when unknown; "free" for zero. */
export function formatPrice(perMillion: number | null): string {
  if (perMillion === null) return '—';
  if (perMillion === 0) return 'free';
  return `$${perMillion < 0.1 ? perMillion.toPrecision(2) : perMillion.toFixed(2)}`;
}

/** A cost in dollars: small sums keep their significant digits ("$0.00042"). */
export function formatCost(dollars: number | null): string {
  if (dollars === null) return '—';
  if (dollars === 0) return '$0';
  if (Math.abs(dollars) < 0.01) return `$${Number(dollars.toPrecision(2))}`;
  return `$${dollars.toFixed(2)}`;
}

export function formatMs(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  return `${Number((ms / 1_000).toFixed(ms < 10_000 ? 2 : 1))} s`;
}

/** An error rate (0–1) as a percentage. */
export function formatRate(rate: number | null): string {
  if (rate === null) return '—';
  if (rate === 0) return '0%';
  if (rate < 0.01) return '<1%';
  return `${Math.round(rate * 100)}%`;
}

/** "in 25 s", "in 3 min", "now" for a time close ahead (a breaker's retry). */
export function formatRelativeShort(iso: string, now: number): string {
  const seconds = Math.round((Date.parse(iso) - now) / 1_000);
  if (!Number.isFinite(seconds)) return '—';
  if (seconds <= 0) return 'now';
  if (seconds < 90) return `in ${seconds} s`;
  return `in ${Math.round(seconds / 60)} min`;
}

/** "90 s", "5 min", "2 h", "1 d" for a cache lifetime. */
export function formatSeconds(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7_200) return `${Number((seconds / 60).toFixed(1))} min`;
  if (seconds < 172_800) return `${Number((seconds / 3_600).toFixed(1))} h`;
  return `${Number((seconds / 86_400).toFixed(1))} d`;
}

/** "128k", "1M" tokens. */
export function formatTokens(count: number | null): string {
  if (count === null) return '—';
  if (count >= 1_000_000) return `${Number((count / 1_000_000).toFixed(1))}M`;
  if (count >= 10_000) return `${Math.round(count / 1_000)}k`;
  return count.toLocaleString('en');
}
// ---------------------------------------------------------------------------------------------------------
// Ordered lists (alias targets, rule targets, the rules themselves)

/** A copy of `items` with the item at `index` moved by `delta` places; out-of-range moves change nothing. */
export function moveItem<T>(items: readonly T[], index: number, delta: number): T[] {
  const to = index + delta;
  const copy = [...items];
  if (index < 0 || index >= items.length || to < 0 || to >= items.length || delta === 0) return copy;
  const [item] = copy.splice(index, 1) as [T];
  copy.splice(to, 0, item);
  return copy;
}

export function removeAt<T>(items: readonly T[], index: number): T[] {
  return items.filter((_, position) => position !== index);
}

/** Names separated by commas, spaces or new lines; empty parts and repeats dropped. */
export function parseNameList(text: string): string[] {
  return [...new Set(text.split(/[\s,]+/).map((part) => part.trim()).filter(Boolean))];
}

/** What may be typed as a target or `model`: every qualified model name and every alias. */
export function targetSuggestions(models: readonly Model[], aliases: readonly ModelAlias[]): string[] {
  return [...new Set([...aliases.map((alias) => alias.name), ...models.map((model) => model.qualifiedName)])];
}
