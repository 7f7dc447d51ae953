import { defineFeature, ownTables } from '../../feature.ts';
import type { ErrorCatalogue } from '../../platform/errors/error-codes.ts';
import { registerInstanceSettingsCommands } from './instance-settings.command.ts';
import './instance-settings.events.ts';
import { instanceSettingsMigrations } from './instance-settings.migrations.ts';
import { createInstanceSettingsRepository } from './instance-settings.repository.ts';
import { registerInstanceSettingsRoutes } from './instance-settings.routes.ts';
import { createInstanceSettingsService, type InstanceSettingsService } from './instance-settings.service.ts';
import type { InstanceSettingsTables } from './instance-settings.tables.ts';

export const instanceSettingsErrorCodes = {
  allowed_host_invalid: { status: 400, summary: 'The allowed host is not a host name, an IP address or a CIDR range (no scheme, port or path).' },
  allowed_host_exists: { status: 409, summary: 'The host is already allowed, in Instance settings or by STEAD_EGRESS_ALLOWED_HOSTS.' },
  allowed_host_not_found: { status: 404, summary: 'No allowed host with that id (or rule) was added in Instance settings.' },
  allowed_host_configured: { status: 409, summary: 'The allowed host comes from STEAD_EGRESS_ALLOWED_HOSTS or the configuration file; remove it there and restart.' },
} as const satisfies ErrorCatalogue;
type InstanceSettingsErrorCodes = typeof instanceSettingsErrorCodes;

declare module '../../platform/errors/error-codes.ts' {
  interface ErrorCodeRegistry extends InstanceSettingsErrorCodes {}
}
declare module '../../feature.ts' { interface SteadServices { instanceSettings: InstanceSettingsService } }

/**
 * A node that missed a change on the bus (delivery is at most once) or a CLI change on a node without Redis
 * reloads the stored allowed hosts this often anyway. One small query.
 */
export const allowedHostsRefreshMs = 10_000;

/** Instance-wide settings an instance administrator changes in the dashboard (the allowed hosts of outbound HTTP), and where every setting comes from. */
export const instanceSettingsFeature = defineFeature({
  name: 'instanceSettings',
  tables: ownTables<InstanceSettingsTables>(),
  migrations: instanceSettingsMigrations,
  errorCodes: instanceSettingsErrorCodes,
  events: {
    // Each node's egress client keeps the rules in memory: every node reloads them.
    'allowed-hosts-change': { everyNode: true, handle: (_event, services) => services.instanceSettings.applyStoredRules() },
  },
  create: ({ db, config, egress, clock, ids, emit }) =>
    createInstanceSettingsService({ repository: createInstanceSettingsRepository(db), config, egress, clock, ids, emit }),
  start: async ({ instanceSettings }, { logger }) => {
    await instanceSettings.applyStoredRules();
    const timer = setInterval(() => {
      instanceSettings.applyStoredRules().catch((error: unknown) => logger.warn({ err: error }, 'allowed hosts: reload failed'));
    }, allowedHostsRefreshMs);
    timer.unref();
    return () => clearInterval(timer);
  },
  routes: (app, { services }) => registerInstanceSettingsRoutes(app, { instanceSettings: services.instanceSettings }),
  cli: registerInstanceSettingsCommands,
});
