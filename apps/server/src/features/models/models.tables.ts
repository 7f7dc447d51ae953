import type { Generated } from 'kysely';

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

export interface ModelsTables {
  modelProvider: ModelProviderTable;
  model: ModelTable;
  modelUsage: ModelUsageTable;
  modelAlias: ModelAliasTable;
  modelRouteRule: ModelRouteRuleTable;
  modelDataClassDefault: ModelDataClassDefaultTable;
  modelBudget: ModelBudgetTable;
}
