import type { Command } from 'commander';
import type { FeatureCliContext } from '../../feature.ts';
import type { SteadConfig } from '../../config/config.schema.ts';
import { jsonOption, output } from '../../platform/cli/cli-output.ts';
import { workspaceOption } from '../../platform/cli/cli-options.ts';
import type { Overview } from './overview.schema.ts';

/**
 * The base URL the command line reports: the public URL when one is set, else the listen address (a wildcard
 * listen address is reached on loopback from this machine).
 */
export const configuredBaseUrl = (config: Pick<SteadConfig, 'publicUrl' | 'host' | 'port'>): string => {
  if (config.publicUrl) return `${new URL(config.publicUrl).origin}/v1`;
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${config.port}/v1`;
};

const describe = (overview: Overview): string => {
  const { usageToday: usage, setup } = overview;
  return [
    `gateway      ${overview.gateway.baseUrl}`,
    `models       ${setup.models} from ${setup.providers} ${setup.providers === 1 ? 'provider' : 'providers'}`,
    `api keys     ${setup.keys ?? '-'} active`,
    `today        ${usage.requests} calls, ${usage.errors} errors, ${usage.inputTokens + usage.outputTokens} tokens, spend ${usage.spend}${usage.truncated ? ' (more calls than added up)' : ''}`,
  ].join('\n');
};

/** `stead overview --workspace <id-or-slug>`: what the home page sums up, for scripts and terminals. */
export const registerOverviewCommands = (program: Command, { withServices }: FeatureCliContext): void => {
  program
    .command('overview')
    .description("A workspace at a glance: the gateway's base URL, its models and keys, today's usage")
    .addOption(workspaceOption())
    .addOption(jsonOption())
    .action(async (options: { workspace: string; json?: boolean }) =>
      withServices(async (services, platform) => {
        const { id } = await services.workspaces.resolve(options.workspace);
        // The command line runs as the instance's operator: it may count keys.
        const overview = await services.overview.get(id, { baseUrl: configuredBaseUrl(platform.config), mayListKeys: true });
        output(options, overview, () => describe(overview));
      }),
    );
};
