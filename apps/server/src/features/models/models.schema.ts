import { z } from 'zod';

export const dataClasses = ['private', 'internal', 'public'] as const;
export type DataClass = (typeof dataClasses)[number];
export const localities = ['local', 'hosted'] as const;
export type Locality = (typeof localities)[number];
export const modelCapabilities = ['chat', 'tools', 'json', 'vision', 'embeddings', 'code'] as const;
export type ModelCapabilityName = (typeof modelCapabilities)[number];
export const providerTypes = ['openai-compatible', 'ollama', 'anthropic', 'huggingface', 'gguf'] as const;

const price = z.number().min(0).max(10_000).nullable().describe('US dollars per million tokens');

export const declaredModelSchema = z.strictObject({
  name: z.string().min(1).max(200).describe('The id the upstream knows the model by'),
  capabilities: z.array(z.enum(modelCapabilities)).min(1).default(['chat']),
  contextLength: z.number().int().min(1).max(100_000_000).nullable().default(null),
  inputPricePerMillion: price.default(null),
  outputPricePerMillion: price.default(null),
});

/**
 * A provider's root URL. Paths are appended to it, so a query or fragment would let it pick another path (and
 * credentials in it would be stored and shown): all three are refused.
 */
export const providerBaseUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
  .max(2_000)
  .superRefine((text, context) => {
    const url = URL.canParse(text) ? new URL(text) : undefined;
    if (!url) return;
    if (url.username !== '' || url.password !== '') context.addIssue({ code: 'custom', message: 'must not contain a user name or password: give the API key as apiKey' });
    if (url.search !== '' || text.includes('?')) context.addIssue({ code: 'custom', message: 'must not contain a query (?…)' });
    if (url.hash !== '' || text.includes('#')) context.addIssue({ code: 'custom', message: 'must not contain a fragment (#…)' });
  });

export const addProviderBody = z.strictObject({
  name: z.string().trim().min(1).max(100).regex(/^[\w.-]+$/, 'letters, digits, `.`, `_` or `-`'),
  type: z.enum(providerTypes),
  baseUrl: providerBaseUrl,
  locality: z.enum(localities).describe('`local` models may serve `private` requests. It grants no network access: a private or loopback base URL must be allowed by an instance administrator (Instance settings → Allowed hosts, or STEAD_EGRESS_ALLOWED_HOSTS), or be a local model server port on loopback (11434, 8080, 1234)'),
  apiKey: z.string().min(1).max(4_000).optional().describe('Kept encrypted; never shown again'),
  models: z.array(declaredModelSchema).max(500).default([]),
  timeouts: z
    .strictObject({
      connectMs: z.number().int().min(100).max(3_600_000).optional().describe('Until response headers (streams, model lists). Default 30,000'),
      firstTokenMs: z.number().int().min(100).max(3_600_000).optional().describe('Until a stream yields its first token. Default 120,000'),
      totalMs: z.number().int().min(100).max(3_600_000).optional().describe('The whole call. Default 600,000'),
    })
    .optional(),
  /** Ask the upstream for its model list now. */
  discover: z.boolean().default(true),
});
export type AddProviderRequest = z.infer<typeof addProviderBody>;

export const updateProviderBody = z.strictObject({
  name: addProviderBody.shape.name.optional().describe('A new name; clients that send `<old name>/<model>`, and aliases or rules naming it, must follow'),
  baseUrl: providerBaseUrl.optional(),
  locality: z.enum(localities).optional().describe('As when adding: `local` grants no network access by itself'),
  enabled: z.boolean().optional().describe('A disabled provider keeps its models and key but serves nothing'),
  apiKey: z.string().min(1).max(4_000).nullable().optional().describe('A new key (kept encrypted), or null to remove it'),
  timeouts: addProviderBody.shape.timeouts.nullable(),
});
export type UpdateProviderRequest = z.infer<typeof updateProviderBody>;

export const providerSchema = z.object({
  id: z.string(),
  name: z.string(),
  type: z.enum(providerTypes),
  baseUrl: z.string(),
  locality: z.enum(localities),
  hasApiKey: z.boolean(),
  enabled: z.boolean(),
  timeouts: z.object({ connectMs: z.number().optional(), firstTokenMs: z.number().optional(), totalMs: z.number().optional() }).nullable(),
  /** Declared in `stead.config.yaml`: read-only here, changed in the file. */
  declared: z.boolean(),
  /** Models of this provider, whether or not it is enabled. */
  modelCount: z.number(),
  createdAt: z.string(),
});
export type ProviderView = z.infer<typeof providerSchema>;

export const modelSchema = z.object({
  id: z.string(),
  providerId: z.string(),
  providerName: z.string(),
  name: z.string(),
  /** What clients send as `model`: `<provider>/<model>`. The bare name also works when unambiguous. */
  qualifiedName: z.string(),
  locality: z.enum(localities),
  capabilities: z.array(z.enum(modelCapabilities)),
  contextLength: z.number().nullable(),
  inputPricePerMillion: z.number().nullable(),
  outputPricePerMillion: z.number().nullable(),
  source: z.enum(['discovered', 'declared']),
  /** A disabled model is never routed to; it is listed only with `?all=true`. */
  enabled: z.boolean(),
  /** Its provider is declared in `stead.config.yaml`, so the model is read-only too. */
  declared: z.boolean(),
  /** This node's view: circuit breaker, p50 latency and recent error rate. */
  health: z.object({
    breaker: z.enum(['closed', 'open', 'half-open']),
    retryAt: z.string().nullable(),
    consecutiveFailures: z.number(),
    p50Ms: z.number().nullable(),
    errorRate: z.number().nullable(),
    calls: z.number(),
  }),
});
export type ModelView = z.infer<typeof modelSchema>;

/** A correction of what discovery guessed (or of a model declared when its provider was added). */
export const updateModelBody = z.strictObject({
  capabilities: z.array(z.enum(modelCapabilities)).min(1).optional().describe('Replaces the list; routing sends chat only to models with `chat`'),
  contextLength: z.number().int().min(1).max(100_000_000).nullable().optional().describe('Tokens; null: unknown'),
  inputPricePerMillion: price.optional(),
  outputPricePerMillion: price.optional(),
  enabled: z.boolean().optional().describe('A disabled model is never routed to'),
});
export type UpdateModelRequest = z.infer<typeof updateModelBody>;

/** A model server found on a default loopback port, and whether a provider of this workspace already reaches it. */
export const localServerSchema = z.object({
  label: z.string().describe('Ollama, llama.cpp or LM Studio'),
  models: z.array(z.string()),
  provider: z.object({ name: z.string(), type: z.enum(providerTypes), baseUrl: z.string(), locality: z.enum(localities) }).describe('What to send to POST model-providers to add it (the name is free in this workspace)'),
  existingProvider: z.string().nullable().describe('The provider of this workspace at that address, if any'),
});
export type LocalServerView = z.infer<typeof localServerSchema>;

export const latencyTiers = ['fast', 'standard'] as const;
export type LatencyTier = (typeof latencyTiers)[number];

export const modelReference = z.string().min(1).max(300).describe('`provider/model`, a bare model name (every provider offering it) or an alias');

export const routeRuleMatchSchema = z.strictObject({
  models: z.array(z.string().min(1).max(300)).min(1).optional().describe('Requested names the rule applies to; default ["auto"]'),
  dataClasses: z.array(z.enum(dataClasses)).min(1).optional(),
  needs: z.array(z.enum(modelCapabilities)).min(1).optional().describe('Applies when the request needs all of these'),
  minEstimatedTokens: z.number().int().min(1).optional().describe('Applies to prompts of at least this many tokens (estimated)'),
  latencyTier: z.enum(latencyTiers).optional().describe('Applies when the request asks for this tier (`x-stead-latency`)'),
  budgetRemainingBelowPercent: z
    .number()
    .min(0)
    .max(100)
    .optional()
    .describe('Applies when less than this share (percent) of a spend limit holding for the request (workspace or key, per day or per month) is left'),
});
export type RouteRuleMatch = z.infer<typeof routeRuleMatchSchema>;

export const aliasName = z.string().trim().min(1).max(100).regex(/^[\w.-]+$/, 'letters, digits, `.`, `_` or `-`').refine((name) => name !== 'auto', '`auto` is reserved');
export const aliasBody = z.strictObject({
  name: aliasName,
  targets: z.array(modelReference).min(1).max(50),
});
export const aliasSchema = z.object({ id: z.string(), name: z.string(), targets: z.array(z.string()), declared: z.boolean().describe('Declared in stead.config.yaml: read-only here'), updatedAt: z.string() });
export type AliasView = z.infer<typeof aliasSchema>;

export const routeRuleBody = z.strictObject({
  name: z.string().trim().min(1).max(100),
  match: routeRuleMatchSchema.default({}),
  targets: z.array(modelReference).min(1).max(50),
  enabled: z.boolean().default(true),
  cacheTtlSeconds: z.number().int().min(1).max(30 * 86_400).nullable().default(null).describe('Cache deterministic answers (temperature 0, not streamed) for this long; null: no cache'),
});
export type RouteRuleRequest = z.infer<typeof routeRuleBody>;
export const routeRuleSchema = z.object({
  id: z.string(),
  position: z.number(),
  name: z.string(),
  match: routeRuleMatchSchema,
  targets: z.array(z.string()),
  enabled: z.boolean(),
  cacheTtlSeconds: z.number().nullable(),
  declared: z.boolean().describe('Declared in stead.config.yaml: read-only here, and always ahead of the others'),
  updatedAt: z.string(),
});
export type RouteRuleView = z.infer<typeof routeRuleSchema>;
export const routeRulesBody = z.strictObject({
  rules: z
    .array(routeRuleBody)
    .max(100)
    .describe('The rules made here, in order. Declared rules stay first whatever is sent; they may be sent back unchanged ahead of the others (as GET lists them) and are then left as they are'),
});

/**
 * The `gateway` block of `stead.config.yaml`: providers, aliases and route rules declared as code. They apply
 * to every workspace and are read-only in the dashboard, the API and the CLI.
 */
export const declaredProviderSchema = addProviderBody.omit({ apiKey: true, discover: true }).extend({
  apiKeyEnv: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be the name of an environment variable, e.g. OPENAI_API_KEY')
    .optional()
    .describe('The API key is read from this environment variable at start; it is never written in the file'),
  models: z.array(declaredModelSchema).max(500).default([]).describe('Declared models; none: the upstream is asked for its list, as for providers added in the dashboard'),
});
export type DeclaredProvider = z.infer<typeof declaredProviderSchema>;
export const declaredGatewaySchema = z
  .strictObject({
    providers: z.array(declaredProviderSchema).max(100).default([]),
    aliases: z.record(aliasName, z.array(modelReference).min(1).max(50)).default({}),
    rules: z.array(routeRuleBody).max(100).default([]),
  })
  .superRefine((gateway, context) => {
    const duplicate = (names: string[], path: 'providers' | 'rules') =>
      names.forEach((name, index) => {
        if (names.indexOf(name) !== index) context.addIssue({ code: 'custom', path: [path, index, 'name'], message: `${name} is declared twice` });
      });
    duplicate(gateway.providers.map((provider) => provider.name), 'providers');
    duplicate(gateway.rules.map((rule) => rule.name), 'rules');
  });
export type DeclaredGateway = z.infer<typeof declaredGatewaySchema>;

export const dataClassDefaultsSchema = z.object({
  workspace: z.enum(dataClasses).describe('For requests without x-stead-data-class whose key has no default'),
  keys: z.record(z.string(), z.enum(dataClasses)).describe('Per API key id'),
});
export const dataClassDefaultBody = z.strictObject({ keyId: z.string().min(1).max(64).optional().describe('Omit for the workspace default'), dataClass: z.enum(dataClasses).nullable().describe('null removes a key default') });

const limit = (max: number) => z.number().min(0).max(max).nullable().default(null);
export const budgetLimitsSchema = z.strictObject({
  requestsPerMinute: limit(1_000_000),
  tokensPerMinute: limit(1_000_000_000),
  spendPerDay: limit(1_000_000).describe('US dollars'),
  spendPerMonth: limit(10_000_000).describe('US dollars'),
});
export const budgetBody = budgetLimitsSchema.extend({ keyId: z.string().min(1).max(64).optional().describe('Omit for the workspace limits') });
export const budgetsSchema = z.object({
  budgets: z.array(
    z.object({
      keyId: z.string().nullable(),
      limits: z.object({ requestsPerMinute: z.number().nullable(), tokensPerMinute: z.number().nullable(), spendPerDay: z.number().nullable(), spendPerMonth: z.number().nullable() }),
      usage: z.object({ requestsThisMinute: z.number(), tokensThisMinute: z.number(), spendToday: z.number(), spendThisMonth: z.number() }),
    }),
  ),
});

export const routeCandidateSchema = z.object({ model: z.string(), provider: z.string(), locality: z.enum(localities) });
export const routeDecisionSchema = z.object({
  requested: z.string(),
  dataClass: z.enum(dataClasses),
  needs: z.array(z.enum(modelCapabilities)),
  candidates: z.array(routeCandidateSchema),
  reason: z.string(),
  /** Seconds a deterministic answer is cached under the rule that matched; null: not cached. */
  cacheTtlSeconds: z.number().nullable(),
});
export type RouteDecision = z.infer<typeof routeDecisionSchema>;

export const routeTestQuery = z.strictObject({
  model: z.string().min(1).max(300).default('auto'),
  dataClass: z.enum(dataClasses).optional().describe('As the x-stead-data-class header; absent: the key\'s default, else the workspace\'s'),
  keyId: z.string().min(1).max(64).optional().describe('Answer as for a call with this API key: its default data class and its own spend limits'),
  latencyTier: z.enum(latencyTiers).optional(),
  estimatedTokens: z.coerce.number().int().min(0).default(0),
  needs: z.preprocess((value) => (typeof value === 'string' ? value.split(',').filter(Boolean) : value), z.array(z.enum(modelCapabilities)).default([])),
});

export const usageRecordSchema = z.object({
  id: z.string(),
  at: z.string(),
  requestedModel: z.string(),
  target: z.string().nullable(),
  candidates: z.array(z.string()),
  reason: z.string(),
  dataClass: z.enum(dataClasses),
  stream: z.boolean(),
  inputTokens: z.number().nullable(),
  outputTokens: z.number().nullable(),
  cost: z.number().nullable(),
  firstTokenMs: z.number().nullable(),
  totalMs: z.number(),
  status: z.enum(['ok', 'error']),
  errorCode: z.string().nullable(),
  keyId: z.string().nullable(),
  userId: z.string().nullable(),
});
export type UsageRecord = z.infer<typeof usageRecordSchema>;

const messageContent = z.union([z.string(), z.array(z.looseObject({ type: z.string() })), z.null()]);
/**
 * `/v1/chat/completions` bodies: checked enough to answer a clear 400 instead of an upstream error (roles,
 * content shape, tool schemas), loose elsewhere so new OpenAI fields pass through to OpenAI-compatible upstreams.
 */
export const chatCompletionBody = z.looseObject({
  model: z.string().min(1).max(300),
  messages: z
    .array(
      z.discriminatedUnion('role', [
        z.looseObject({ role: z.literal('system'), content: messageContent }),
        z.looseObject({ role: z.literal('developer'), content: messageContent }),
        z.looseObject({ role: z.literal('user'), content: messageContent }),
        z.looseObject({ role: z.literal('assistant'), content: messageContent.optional(), tool_calls: z.array(z.looseObject({ id: z.string(), type: z.literal('function'), function: z.object({ name: z.string(), arguments: z.string() }) })).optional() }),
        z.looseObject({ role: z.literal('tool'), content: messageContent, tool_call_id: z.string() }),
      ]),
    )
    .min(1, 'must hold at least one message'),
  tools: z
    .array(
      z.looseObject({
        type: z.literal('function'),
        function: z.looseObject({
          name: z.string().regex(/^[\w-]{1,64}$/, 'must be 1–64 letters, digits, `_` or `-`'),
          description: z.string().optional(),
          parameters: z.looseObject({ type: z.literal('object', { error: 'must be a JSON schema whose type is "object"' }) }).optional(),
        }),
      }),
    )
    .optional(),
  stream: z.boolean().nullable().optional(),
});

export const embeddingsBody = z.looseObject({
  model: z.string().min(1).max(300),
  input: z.union([z.string(), z.array(z.string()).min(1)]),
  encoding_format: z.enum(['float', 'base64']).optional().describe('Default float; the official OpenAI clients ask for base64'),
});
