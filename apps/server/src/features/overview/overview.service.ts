import type { Clock } from '../../platform/clock/clock.ts';
import type { KeysService } from '../keys/keys.service.ts';
import type { ModelsService } from '../models/models.service.ts';
import type { Overview } from './overview.schema.ts';

/** How many ledger rows the overview adds up at most: a busy day is summarised by the usage page instead. */
const maxUsageRows = 5_000;
const usagePageSize = 500;

export interface OverviewService {
  /**
   * What a workspace's home page shows that no single endpoint gives: today's usage totals and how far its
   * setup has come. `baseUrl` is the origin the server advertises for this request; `mayListKeys` whether the
   * caller may see the key count.
   */
  get(workspaceId: string, options: { baseUrl: string; mayListKeys: boolean }): Promise<Overview>;
}

export interface OverviewServiceOptions {
  models: Pick<ModelsService, 'usage' | 'listProviders' | 'listModels'>;
  keys: Pick<KeysService, 'list'>;
  clock: Clock;
}

/** A key that still opens the gateway: neither revoked nor expired. */
const usable = (key: { revokedAt: string | null; expiresAt: string | null }, now: string): boolean => key.revokedAt === null && (key.expiresAt === null || key.expiresAt > now);

const startOfUtcDay = (now: Date): string => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())).toISOString();

export const createOverviewService = ({ models, keys, clock }: OverviewServiceOptions): OverviewService => {
  /** The ledger is newest first: read pages until a row is older than today. */
  const usageToday = async (workspaceId: string): Promise<Overview['usageToday']> => {
    const since = startOfUtcDay(clock.now());
    const totals = { since, requests: 0, errors: 0, inputTokens: 0, outputTokens: 0, spend: 0, truncated: false };
    let cursor: string | undefined;
    for (let read = 0; ; read += usagePageSize) {
      if (read >= maxUsageRows) return { ...totals, truncated: true };
      const page = await models.usage(workspaceId, cursor, usagePageSize);
      for (const record of page.records) {
        if (record.at < since) return totals;
        totals.requests += 1;
        if (record.status === 'error') totals.errors += 1;
        totals.inputTokens += record.inputTokens ?? 0;
        totals.outputTokens += record.outputTokens ?? 0;
        totals.spend += record.cost ?? 0;
      }
      if (!page.nextCursor) return totals;
      cursor = page.nextCursor;
    }
  };

  return {
    async get(workspaceId, { baseUrl, mayListKeys }) {
      const now = clock.now().toISOString();
      const [usage, providers, modelList, keyList] = await Promise.all([
        usageToday(workspaceId),
        models.listProviders(workspaceId),
        models.listModels(workspaceId),
        mayListKeys ? keys.list(workspaceId) : Promise.resolve(null),
      ]);
      return {
        gateway: { baseUrl },
        usageToday: usage,
        setup: { providers: providers.length, models: modelList.length, keys: keyList ? keyList.filter((key) => usable(key, now)).length : null },
      };
    },
  };
};
