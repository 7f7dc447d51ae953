import { SteadError } from '../../platform/errors/stead-error.ts';
import type { RouteRuleRequest } from './models.schema.ts';
import type { RouteRule } from './models.types.ts';

/** The error for changing an entry `stead.config.yaml` declares anywhere but in the file. */
export const readOnly = (what: string, action = 'change or remove it there'): SteadError =>
  new SteadError('provider_read_only', `${what} is declared in stead.config.yaml and read-only here: ${action} and restart Stead`);

/** JSON with sorted keys: two rules are the same whatever order their conditions were written in. */
const canonical = (value: unknown): string =>
  JSON.stringify(value, (_key, entry: unknown) => (entry && typeof entry === 'object' && !Array.isArray(entry) ? Object.fromEntries(Object.entries(entry).sort(([left], [right]) => (left < right ? -1 : 1))) : entry));

/** Whether a stored rule says what a requested one says (its position aside). */
export const sameRule = (stored: RouteRule, rule: RouteRuleRequest): boolean =>
  canonical(stored.match) === canonical(rule.match) && sameList(stored.targets, rule.targets) && stored.enabled === rule.enabled && stored.cacheTtlSeconds === rule.cacheTtlSeconds;

/** Same entries in the same order. */
export const sameList = (left: readonly string[] | undefined, right: readonly string[]): boolean =>
  left !== undefined && left.length === right.length && left.every((entry, index) => entry === right[index]);
