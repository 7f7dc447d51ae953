import type { Clock } from '../../platform/clock/clock.ts';
import type { KeysService } from '../keys/keys.service.ts';
import type { ModelsService } from '../models/models.service.ts';
import type { Overview } from './overview.schema.ts';


export interface OverviewService {
  /**
   * What a workspace's home page shows that no single endpoint gives: today's usage totals and how far its
   * setup has come. `baseUrl` is the origin the server advertises for this request; `mayListKeys` whether the
   * caller may see the key count.
   */
  get(workspaceId: string, options: { baseUrl: string; mayListKeys: boolean }): Promise<Overview>;
}

export interface OverviewServiceOptions {
  models: Pick<ModelsService, 'usageTotals' | 'listProviders' | 'listModels'>;
  keys: Pick<KeysService, 'list'>;
  clock: Clock;
}

/** A key that still opens the gateway: neither revoked nor expired. */
const usable = (key: { revokedAt: string | null; expiresAt: string | null }, now: string): boolean => key.revokedAt === null && (key.expiresAt === null || key.expiresAt > now);

const startOfUtcDay = (now: Date): string => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate())).toISOString();

export const createOverviewService = ({ models, keys, clock }: OverviewServiceOptions): OverviewService => {
  /** Today's totals, summed by the database (one query, however busy the day). */
  const usageToday = async (workspaceId: string): Promise<Overview['usageToday']> => {
    const since = startOfUtcDay(clock.now());
    return { since, ...(await models.usageTotals(workspaceId, since)), truncated: false };
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
