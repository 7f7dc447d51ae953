import { configOriginOf, maskConfig } from '../../config/config.loader.ts';
import { configSchema, envNameOf, yamlOnlyConfigKeys, type SteadConfig } from '../../config/config.schema.ts';
import type { Clock, Ids } from '../../platform/clock/clock.ts';
import { parseAllowRule } from '../../platform/egress/egress-client.ts';
import type { EgressClient } from '../../platform/egress/egress.port.ts';
import { isSteadError, SteadError } from '../../platform/errors/stead-error.ts';
import type { EmitDomainEvent } from '../../platform/events/domain-events.ts';
import type { EgressAllowedHostRow, InstanceSettingsRepository } from './instance-settings.repository.ts';
import type { AllowedHost, InstanceSettings, Setting, SettingSource } from './instance-settings.schema.ts';

/** Settings the dashboard can change (in part): the allowed hosts add to `egressAllowedHosts`. */
const dashboardEditableKeys: ReadonlySet<string> = new Set(['egressAllowedHosts']);

/** Instance-wide settings an instance administrator manages in the dashboard, and where every setting comes from. */
export interface InstanceSettingsService {
  /** Every setting with its value (secrets masked) and source, and the allowed hosts of every source. */
  describe(): Promise<InstanceSettings>;
  /** Allowed hosts from the environment or file first (not removable here), then the stored ones, oldest first. */
  listAllowedHosts(): Promise<AllowedHost[]>;
  /**
   * Stores an allowed host and applies it on every node. Throws `allowed_host_invalid` for a rule the egress
   * client cannot read, `allowed_host_exists` when it is stored or configured already.
   */
  addAllowedHost(rule: string, actor: { userId: string | null }): Promise<AllowedHost>;
  /** Removes a stored allowed host (by id, or by its rule) and applies that on every node. Throws `allowed_host_not_found`, or `allowed_host_configured` for a configured rule. */
  removeAllowedHost(which: { id: string } | { rule: string }): Promise<AllowedHost>;
  /** Loads the stored allowed hosts into this process's egress client (at start, on a change, and now and then). */
  applyStoredRules(): Promise<void>;
}

export interface InstanceSettingsServiceOptions {
  repository: InstanceSettingsRepository;
  config: SteadConfig;
  egress: Pick<EgressClient, 'setManagedRules'>;
  clock: Clock;
  ids: Ids;
  emit: EmitDomainEvent;
}

/** The spelling stored and compared: what the egress client reads, trimmed, lower case. Throws `allowed_host_invalid`. */
const canonicalRule = (rule: string): string => {
  const text = rule.trim().toLowerCase();
  if (/^[a-z][a-z0-9+.-]*:\/\//.test(text) || /^[^:/[\]]+:\d+$/.test(text) || /^\[.*\]:\d+$/.test(text)) {
    throw new SteadError('allowed_host_invalid', `"${rule}" is not a host: give the host name, IP address or CIDR range alone, without a scheme or port (every port of an allowed host is allowed)`, { details: { rule } });
  }
  try {
    parseAllowRule(text);
  } catch (error) {
    if (isSteadError(error)) throw new SteadError('allowed_host_invalid', error.message, { cause: error, details: { rule } });
    throw error;
  }
  return text;
};

export const createInstanceSettingsService = ({ repository, config, egress, clock, ids, emit }: InstanceSettingsServiceOptions): InstanceSettingsService => {
  const configuredSource = (): SettingSource => configOriginOf(config).sources.egressAllowedHosts ?? 'default';
  const configuredRules = (): AllowedHost[] =>
    config.egressAllowedHosts.map((rule) => ({ id: null, rule, source: configuredSource(), createdAt: null, createdBy: null }));
  const stored = (row: EgressAllowedHostRow): AllowedHost => ({ id: row.id, rule: row.rule, source: 'dashboard', createdAt: row.createdAt, createdBy: row.createdBy });
  const isConfigured = (rule: string): boolean => config.egressAllowedHosts.some((configured) => configured.trim().toLowerCase() === rule);

  const applyStoredRules = async (): Promise<void> => {
    const rows = await repository.listAllowedHosts();
    // A stored rule the egress client can no longer read (validated on the way in) is skipped, not fatal.
    egress.setManagedRules(rows.map((row) => row.rule).filter((rule) => {
      try {
        parseAllowRule(rule);
        return true;
      } catch {
        return false;
      }
    }));
  };

  const listAllowedHosts = async (): Promise<AllowedHost[]> => [...configuredRules(), ...(await repository.listAllowedHosts()).map(stored)];

  return {
    async describe() {
      const origin = configOriginOf(config);
      const masked = maskConfig(config);
      // Every setting, the unset ones (no database URL, no public URL) included, as null.
      const settings: Setting[] = Object.keys(configSchema.shape).map((key) => ({
        key,
        envName: (yamlOnlyConfigKeys as readonly string[]).includes(key) ? null : envNameOf(key),
        value: masked[key] ?? null,
        source: origin.sources[key] ?? 'default',
        editableInDashboard: dashboardEditableKeys.has(key),
      }));
      return { configFile: origin.file, settings, allowedHosts: await listAllowedHosts() };
    },
    listAllowedHosts,
    async addAllowedHost(rule, actor) {
      const text = canonicalRule(rule);
      if (isConfigured(text)) {
        throw new SteadError('allowed_host_exists', `${text} is already allowed by STEAD_EGRESS_ALLOWED_HOSTS (or egressAllowedHosts in the configuration file)`, { details: { rule: text } });
      }
      const row: EgressAllowedHostRow = { id: ids.next(), rule: text, createdBy: actor.userId, createdAt: clock.now().toISOString() };
      if (!(await repository.insertAllowedHost(row))) throw new SteadError('allowed_host_exists', `${text} is already an allowed host`, { details: { rule: text } });
      await emit({ type: 'allowed-hosts-change', rule: text, change: 'add' });
      return stored(row);
    },
    async removeAllowedHost(which) {
      const key = 'id' in which ? which : { rule: which.rule.trim().toLowerCase() };
      if ('rule' in key && isConfigured(key.rule)) {
        throw new SteadError('allowed_host_configured', `${key.rule} comes from STEAD_EGRESS_ALLOWED_HOSTS (or the configuration file): remove it there and restart`, { details: { rule: key.rule } });
      }
      const row = await repository.deleteAllowedHost(key);
      if (!row) throw new SteadError('allowed_host_not_found', `No stored allowed host ${'id' in key ? key.id : key.rule}`, { details: key });
      await emit({ type: 'allowed-hosts-change', rule: row.rule, change: 'remove' });
      return stored(row);
    },
    applyStoredRules,
  };
};
