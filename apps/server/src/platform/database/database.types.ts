import type { Generated } from 'kysely';

/**
 * Row shapes of the platform's tables, and of the features not yet converted. Stead's own tables store times
 * as ISO-8601 UTC text (identical on SQLite and PostgreSQL, sortable as text) and avoid booleans, which the two
 * dialects store differently. Each feature declares its own tables in `features/<x>/<x>.tables.ts`.
 */

/**
 * A schedule that fires tasks of `kind` with `input` (JSON text). `triggerType` picks which trigger columns
 * apply: `cron` (`cronExpression` read in `timeZone`), `interval` (`intervalSeconds`, anchored to `createdAt`)
 * or `once` (`runAt`). `enabled` is 0/1; `nextFireAt` is null while disabled or when nothing is left to fire.
 */
export interface ScheduleTable {
  id: string;
  workspaceId: string;
  name: string;
  kind: string;
  input: string;
  triggerType: string;
  cronExpression: string | null;
  timeZone: string;
  intervalSeconds: number | null;
  runAt: string | null;
  enabled: number;
  /** `skip` | `run-once`: what a fire missed during downtime does. */
  missedPolicy: string;
  nextFireAt: string | null;
  lastFiredAt: string | null;
  createdBy: string | null;
  /** The role the creator acted with; its tasks use secrets as this role. Null on rows from before it was recorded. */
  createdByRole: string | null;
  createdAt: string;
  updatedAt: string;
}

/** One fire of a schedule at its nominal time `fireAt`; `(scheduleId, fireAt)` is unique (the fire key). */
export interface ScheduleFireTable {
  id: string;
  scheduleId: string;
  fireAt: string;
  firedAt: string;
  taskId: string | null;
  /** `pending` (claimed, task being started) | `started` | `skipped` | `failed`. */
  outcome: string;
  error: string | null;
}

/** A named lease for leader election; `holder` leads until `expiresAt` unless it renews. */
export interface SchedulerLeaseTable {
  name: string;
  holder: string;
  expiresAt: string;
}

/** An upstream of the model gateway. Its API key is the workspace secret `model-provider:<id>`. */
export interface ModelProviderTable {
  id: string;
  workspaceId: string;
  name: string;
  type: string;
  baseUrl: string;
  /** `local` | `hosted`: only local providers serve `private` requests. */
  locality: string;
  hasApiKey: number;
  enabled: number;
  timeouts: string | null;
  /** 1: declared in `stead.config.yaml` (synced at start, read-only); 0: made in the dashboard, API or CLI. */
  declared: Generated<number>;
  createdAt: string;
  updatedAt: string;
}

export interface ModelTable {
  id: string;
  workspaceId: string;
  providerId: string;
  name: string;
  /** JSON array of capability names. */
  capabilities: string;
  contextLength: number | null;
  inputPricePerMillion: number | null;
  outputPricePerMillion: number | null;
  /** `discovered` | `declared`. */
  source: string;
  enabled: number;
  createdAt: string;
}

/** One gateway call: who asked for what, where it went and why, tokens, cost and timings. */
export interface ModelUsageTable {
  id: string;
  workspaceId: string;
  keyId: string | null;
  userId: string | null;
  requestedModel: string;
  providerId: string | null;
  modelName: string | null;
  /** JSON array of `<provider>/<model>` in the order tried. */
  candidates: string;
  reason: string;
  dataClass: string;
  stream: number;
  inputTokens: number | null;
  outputTokens: number | null;
  cost: number | null;
  firstTokenMs: number | null;
  totalMs: number;
  status: string;
  errorCode: string | null;
  at: string;
}

/** A name clients may send as `model`, standing for an ordered list of targets (JSON array of model references). */
export interface ModelAliasTable {
  id: string;
  workspaceId: string;
  name: string;
  targets: string;
  /** 1: declared in `stead.config.yaml` (synced at start, read-only). */
  declared: Generated<number>;
  createdAt: string;
  updatedAt: string;
}

/** Conditions (JSON) → ordered targets (JSON); the first enabled rule by `position` that matches decides. */
export interface ModelRouteRuleTable {
  id: string;
  workspaceId: string;
  position: number;
  name: string;
  match: string;
  targets: string;
  enabled: number;
  /** Deterministic answers of this rule are cached this long (exact request match); null: never. */
  cacheTtlSeconds: number | null;
  /** 1: declared in `stead.config.yaml` (synced at start, read-only, ahead of the others). */
  declared: Generated<number>;
  createdAt: string;
  updatedAt: string;
}

/** The data class of requests that send none: per API key (`keyId`), or for the workspace (`keyId` = ''). */
export interface ModelDataClassDefaultTable {
  workspaceId: string;
  keyId: string;
  dataClass: string;
  updatedAt: string;
}

/** Gateway limits of a workspace (`keyId` = '') or an API key; null means unlimited. */
export interface ModelBudgetTable {
  workspaceId: string;
  keyId: string;
  requestsPerMinute: number | null;
  tokensPerMinute: number | null;
  spendPerDay: number | null;
  spendPerMonth: number | null;
  updatedAt: string;
}

/** Tables of the platform itself: small settings and claims (`steadMeta`). */
export interface PlatformTables {
  steadMeta: { key: string; value: string; updatedAt: Generated<string> };
}

/** The embedded job queue's tables are declared beside it (platform/queue/queue.tables.ts). */
export type { QueueTables } from '../queue/queue.tables.ts';

/**
 * Tables of the features not yet converted to feature modules; each moves to its feature's `<x>.tables.ts`
 * when the feature is converted.
 */
export interface PendingFeatureTables {
  schedule: ScheduleTable;
  scheduleFire: ScheduleFireTable;
  schedulerLease: SchedulerLeaseTable;
  modelProvider: ModelProviderTable;
  model: ModelTable;
  modelUsage: ModelUsageTable;
  modelAlias: ModelAliasTable;
  modelRouteRule: ModelRouteRuleTable;
  modelDataClassDefault: ModelDataClassDefaultTable;
  modelBudget: ModelBudgetTable;
}

/**
 * Every table, composed outside the platform in feature-list.ts. Re-exported here only for the repositories
 * not yet converted (queue, tasks, schedules, models), which still type their database as the whole; the
 * import-boundary lint lists this file as the one exception until they are.
 */
export type { Database } from '../../feature-list.ts';
