import type { Command } from 'commander';
import type { FeatureCliContext } from '../../feature.ts';
import { cliActor, jsonOption, output, table } from '../../platform/cli/cli-output.ts';
import { addReadCommand } from '../../platform/cli/cli-options.ts';
import { SteadError } from '../../platform/errors/stead-error.ts';

/** `stead workspaces list|create`. */
export const registerWorkspacesCommands = (program: Command, { withServices }: FeatureCliContext): void => {
  const workspacesCommand = program.command('workspaces').description('Manage workspaces');
  addReadCommand(workspacesCommand, withServices, {
    name: 'list',
    description: 'List every workspace',
    read: async ({ workspaces }) => ({ workspaces: await workspaces.listAll() }),
    human: ({ workspaces }) => table(workspaces, ['id', 'slug', 'name', 'createdAt']),
  });
  workspacesCommand
    .command('create')
    .description('Create a workspace owned by an existing account')
    .requiredOption('--name <name>', 'workspace name')
    .requiredOption('--owner <email>', 'email of the owner')
    .addOption(jsonOption())
    .action(async (options: { name: string; owner: string; json?: boolean }) =>
      withServices(async ({ auth, workspaces, audit }) => {
        const owner = await auth.findUserByEmail(options.owner);
        if (!owner) throw new SteadError('user_not_found', `No account has the email ${options.owner}; create it with stead admin create`);
        const workspace = await workspaces.create(options.name, owner.id);
        await audit.record({ workspaceId: workspace.id, actor: cliActor, action: 'workspace.create', target: { type: 'workspace', id: workspace.id }, outcome: 'success', metadata: { name: workspace.name, owner: owner.email } });
        output(options, { workspace }, () => `Created workspace ${workspace.name} (${workspace.id}, slug ${workspace.slug})`);
      }),
    );
};
