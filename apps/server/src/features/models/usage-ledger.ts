import type { Clock, Ids } from '../../platform/clock/clock.ts';
import { SteadError } from '../../platform/errors/stead-error.ts';
import type { Usage } from '../../platform/model-provider/model-provider.port.ts';
import type { RouteFacts } from './model-router.ts';
import type { ModelUsageRepository, UsageTotals } from './model-usage.repository.ts';
import type { RouteDecision, UsageRecord } from './models.schema.ts';
import type { CallerContext, ProviderWithCount, RoutableModel, UsageEntry } from './models.types.ts';
import { createUsageWriter } from './usage-writer.ts';

/** What the ledger keeps of one gateway call, answered or not. */
export interface CallRecord {
  facts: RouteFacts | null;
  caller: CallerContext;
  requested: string;
  decision: RouteDecision | null;
  /** The model that answered; null when none did (or the cache did). */
  target: RoutableModel | null;
  /** Targets tried before it, and why they did not answer. */
  skipped?: string[];
  stream: boolean;
  usage?: Usage | undefined;
  firstTokenMs?: number | null | undefined;
  /** `performance.now()` when the call came in. */
  startedAt: number;
  error?: unknown;
}

/** The usage ledger: one entry per gateway call, written behind the calls in batches. */
export interface UsageLedger {
  /** Queues the call's entry; it is stored within `flushMs`. */
  record(workspaceId: string, call: CallRecord): void;
  /** Writes every entry queued so far. */
  flush(): Promise<void>;
  list(workspaceId: string, cursor: string | undefined, limit?: number): Promise<{ records: UsageRecord[]; nextCursor: string | null }>;
  /** The ledger for spreadsheets: one row per call, RFC 4180 quoting. */
  csv(workspaceId: string): Promise<string>;
  /** Totals of the calls from `since` on (what is queued but not yet written is not counted). */
  totalsSince(workspaceId: string, since: string): Promise<UsageTotals>;
}

export interface UsageLedgerOptions {
  repository: ModelUsageRepository;
  /** Names the providers of entries (an entry keeps the provider's id). */
  providers: { listProviders(workspaceId: string): Promise<ProviderWithCount[]> };
  clock: Clock;
  ids: Ids;
  /** How long entries wait to be written together. */
  flushMs: number;
  /** A batch could not be written (it is dropped; the calls it records already answered). */
  onError(error: unknown, rows: number): void;
}

/** US dollars, from the model's declared prices; null when it has none or the upstream reported no usage. */
export const costOf = (model: RoutableModel, usage: Usage | undefined): number | null => {
  if (!usage || (model.inputPricePerMillion === null && model.outputPricePerMillion === null)) return null;
  return ((usage.prompt_tokens ?? 0) * (model.inputPricePerMillion ?? 0) + (usage.completion_tokens ?? 0) * (model.outputPricePerMillion ?? 0)) / 1_000_000;
};

const csvColumns = ['at', 'requestedModel', 'target', 'dataClass', 'status', 'errorCode', 'inputTokens', 'outputTokens', 'cost', 'firstTokenMs', 'totalMs', 'stream', 'keyId', 'userId', 'reason'] as const;
const csvField = (value: unknown): string => {
  const text = value === null || value === undefined ? '' : String(value);
  return /[",\n\r]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

export const createUsageLedger = ({ repository, providers, clock, ids, flushMs, onError }: UsageLedgerOptions): UsageLedger => {
  const writer = createUsageWriter<UsageEntry>({ insert: repository.insert, flushMs, rowsPerStatement: 50, flushAtRows: 500, onError });

  const list = async (workspaceId: string, cursor: string | undefined, limit = 100) => {
    await writer.flush();
    const entries = await repository.list(workspaceId, cursor, limit);
    const page = entries.slice(0, limit);
    const names = new Map((await providers.listProviders(workspaceId)).map((provider) => [provider.id, provider.name]));
    return {
      records: page.map((entry): UsageRecord => ({
        id: entry.id,
        at: entry.at,
        requestedModel: entry.requestedModel,
        target: entry.modelName ? `${names.get(entry.providerId ?? '') ?? entry.providerId}/${entry.modelName}` : null,
        candidates: entry.candidates,
        reason: entry.reason,
        dataClass: entry.dataClass,
        stream: entry.stream,
        inputTokens: entry.inputTokens,
        outputTokens: entry.outputTokens,
        cost: entry.cost,
        firstTokenMs: entry.firstTokenMs,
        totalMs: entry.totalMs,
        status: entry.status,
        errorCode: entry.errorCode,
        keyId: entry.keyId,
        userId: entry.userId,
      })),
      nextCursor: entries.length > limit ? page.at(-1)!.id : null,
    };
  };

  return {
    totalsSince: (workspaceId, since) => repository.totalsSince(workspaceId, since),
    record(workspaceId, call) {
      const reason = [call.decision?.reason ?? (call.error instanceof Error ? call.error.message.slice(0, 500) : 'not routed'), ...(call.skipped?.length ? [`tried before: ${call.skipped.join(', ')}`] : [])].join('; ');
      writer.add({
        id: ids.next(),
        workspaceId,
        keyId: call.caller.keyId ?? null,
        userId: call.caller.userId ?? null,
        requestedModel: call.requested,
        providerId: call.target?.providerId ?? null,
        modelName: call.target?.name ?? null,
        candidates: call.decision?.candidates.map((candidate) => candidate.model) ?? [],
        reason,
        dataClass: call.facts?.dataClass ?? call.caller.dataClass ?? 'internal',
        stream: call.stream,
        inputTokens: call.usage?.prompt_tokens ?? null,
        outputTokens: call.usage?.completion_tokens ?? null,
        cost: call.target ? costOf(call.target, call.usage) : null,
        firstTokenMs: call.firstTokenMs ?? null,
        totalMs: Math.round(performance.now() - call.startedAt),
        status: call.error ? 'error' : 'ok',
        // A client that went away mid-call is not a gateway failure; the ledger says so instead of internal_error.
        errorCode: !call.error ? null : call.caller.signal?.aborted ? 'client_closed' : call.error instanceof SteadError ? call.error.code : 'internal_error',
        at: clock.now().toISOString(),
      });
    },
    flush: writer.flush,
    list,
    async csv(workspaceId) {
      const lines: string[] = [csvColumns.join(',')];
      let cursor: string | undefined;
      do {
        const page = await list(workspaceId, cursor, 500);
        for (const record of page.records) lines.push(csvColumns.map((column) => csvField(record[column])).join(','));
        cursor = page.nextCursor ?? undefined;
      } while (cursor && lines.length <= 100_000);
      return `${lines.join('\r\n')}\r\n`;
    },
  };
};
