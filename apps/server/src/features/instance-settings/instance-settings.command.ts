import type { Command } from 'commander';
import type { FeatureCliContext } from '../../feature.ts';
import { cliActor, jsonOption, output, table } from '../../platform/cli/cli-output.ts';
import { addReadCommand } from '../../platform/cli/cli-options.ts';

/** How soon a running server that shares no Redis with this command picks a change up (`refreshIntervalMs`). */
const appliesNote = 'Servers apply it at once when they share Redis with this command, otherwise within 10 s.';

/** `stead allowed-hosts list|add|remove`: the private destinations outbound HTTP may reach, from the machine's side. */
export const registerInstanceSettingsCommands = (program: Command, { withServices }: FeatureCliContext): void => {
  const hosts = program.command('allowed-hosts').description('Private hosts, addresses or ranges outbound HTTP (tasks, webhooks, model providers) may reach');
  addReadCommand(hosts, withServices, {
    name: 'list',
    description: 'Allowed hosts: from STEAD_EGRESS_ALLOWED_HOSTS or the configuration file, then those added in Instance settings or here',
    read: async ({ instanceSettings }) => ({ allowedHosts: await instanceSettings.listAllowedHosts() }),
    human: ({ allowedHosts }) => table(allowedHosts, ['rule', 'source', 'createdAt']),
  });
  hosts
    .command('add <rule>')
    .description('Allow a host name (ollama.lan), an IP address (192.168.1.20) or a CIDR range (10.0.0.0/8)')
    .addOption(jsonOption())
    .action(async (rule: string, options: { json?: boolean }) =>
      withServices(async ({ instanceSettings, audit }) => {
        const allowedHost = await instanceSettings.addAllowedHost(rule, { userId: null });
        await audit.record({ workspaceId: null, actor: cliActor, action: 'instance.allowed-host-add', target: { type: 'allowed-host', id: allowedHost.id }, outcome: 'success', metadata: { rule: allowedHost.rule } });
        output(options, { allowedHost }, () => `Allowed ${allowedHost.rule}. ${appliesNote}`);
      }),
    );
  hosts
    .command('remove <rule>')
    .description('Stop allowing a host added in Instance settings or with this command')
    .addOption(jsonOption())
    .action(async (rule: string, options: { json?: boolean }) =>
      withServices(async ({ instanceSettings, audit }) => {
        const removed = await instanceSettings.removeAllowedHost({ rule });
        await audit.record({ workspaceId: null, actor: cliActor, action: 'instance.allowed-host-remove', target: { type: 'allowed-host', id: removed.id }, outcome: 'success', metadata: { rule: removed.rule } });
        output(options, { removed }, () => `Removed ${removed.rule}. ${appliesNote}`);
      }),
    );
};
