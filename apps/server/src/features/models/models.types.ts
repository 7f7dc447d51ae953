import type { BudgetLimits } from './budgets.ts';
import type { DataClass, LatencyTier, Locality, ModelCapabilityName, ProviderView, RouteRuleMatch, providerTypes } from './models.schema.ts';

/** What the gateway's repositories return: decoded values (booleans, parsed JSON), never database rows. */

export type ProviderType = (typeof providerTypes)[number];
export type ProviderTimeoutSettings = NonNullable<ProviderView['timeouts']>;

/** An upstream of the gateway. Its API key is a secret of its own (`model-provider:<id>`), never part of it. */
export interface Provider {
  id: string;
  workspaceId: string;
  name: string;
  type: ProviderType;
  baseUrl: string;
  /** Only `local` providers serve `private` requests. */
  locality: Locality;
  hasApiKey: boolean;
  /** A disabled provider keeps its models and key but serves nothing. */
  enabled: boolean;
  timeouts: ProviderTimeoutSettings | null;
  /** Declared in `stead.config.yaml`: synced at start, read-only elsewhere. */
  declared: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface ProviderWithCount extends Provider {
  /** Its models, whether or not it is enabled. */
  modelCount: number;
}

export type ProviderChanges = Partial<Pick<Provider, 'name' | 'type' | 'baseUrl' | 'locality' | 'hasApiKey' | 'enabled' | 'timeouts'>> & { updatedAt: string };

export interface Model {
  id: string;
  workspaceId: string;
  providerId: string;
  /** The id the upstream knows it by. */
  name: string;
  capabilities: ModelCapabilityName[];
  contextLength: number | null;
  inputPricePerMillion: number | null;
  outputPricePerMillion: number | null;
  source: 'discovered' | 'declared';
  enabled: boolean;
  createdAt: string;
}

/** What a person may correct of a model: what discovery could only guess. */
export type ModelChanges = Partial<Pick<Model, 'capabilities' | 'contextLength' | 'inputPricePerMillion' | 'outputPricePerMillion' | 'enabled'>>;
/** An enabled model of an enabled provider, with what routing and calling it need of the provider. */
export interface RoutableModel extends Model {
  providerName: string;
  providerType: ProviderType;
  locality: Locality;
  baseUrl: string;
  hasApiKey: boolean;
  timeouts: ProviderTimeoutSettings | null;
  providerDeclared: boolean;
}

export interface Alias {
  id: string;
  workspaceId: string;
  name: string;
  targets: string[];
  declared: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface RouteRule {
  id: string;
  workspaceId: string;
  position: number;
  name: string;
  match: RouteRuleMatch;
  targets: string[];
  enabled: boolean;
  cacheTtlSeconds: number | null;
  declared: boolean;
  createdAt: string;
  updatedAt: string;
}

export type RouteRuleChanges = Partial<Pick<RouteRule, 'position' | 'match' | 'targets' | 'enabled' | 'cacheTtlSeconds'>> & { updatedAt: string };

/** The data class of requests that send none: of one API key, or (`keyId` null) of the workspace. */
export interface DataClassDefault {
  keyId: string | null;
  dataClass: DataClass;
}

/** Limits of the workspace (`keyId` null) or of one API key. */
export interface Budget {
  keyId: string | null;
  limits: BudgetLimits;
}

/** One row of the usage ledger: one gateway call. */
export interface UsageEntry {
  id: string;
  workspaceId: string;
  keyId: string | null;
  userId: string | null;
  requestedModel: string;
  providerId: string | null;
  modelName: string | null;
  /** `<provider>/<model>` in the order they would be tried. */
  candidates: string[];
  reason: string;
  dataClass: DataClass;
  stream: boolean;
  inputTokens: number | null;
  outputTokens: number | null;
  cost: number | null;
  firstTokenMs: number | null;
  totalMs: number;
  status: 'ok' | 'error';
  errorCode: string | null;
  at: string;
}

/** Who is calling and with what data, for routing and the usage ledger. */
export interface CallerContext {
  /** From `x-stead-data-class`; absent: the key's default, else the workspace's, else `internal`. */
  dataClass?: DataClass | undefined;
  latencyTier?: LatencyTier | undefined;
  keyId?: string | null;
  userId?: string | null;
  signal?: AbortSignal;
}

/** Where provider API keys are kept (the secrets service). */
export interface ModelsSecrets {
  store(workspaceId: string | null, name: string, value: string): Promise<void>;
  reveal(workspaceId: string | null, name: string): Promise<string | undefined>;
  remove(workspaceId: string | null, name: string): Promise<void>;
}

/** What the gateway asks the keys feature: limits and defaults may name only keys of their workspace. */
export interface ModelsKeys {
  /** Whether an API key (revoked or not) belongs to the workspace. */
  exists(workspaceId: string, keyId: string): Promise<boolean>;
}

/** The secret holding a provider's API key. */
export const providerSecretName = (providerId: string): string => `model-provider:${providerId}`;
