import type { Command } from 'commander';
import type { FeatureCliContext } from '../../feature.ts';
import { cliActor, jsonOption, output } from '../../platform/cli/cli-output.ts';
import { promptSecret, readStdin } from '../../platform/cli/prompt.ts';

const readPassword = async (options: { passwordStdin?: boolean }, question: string) => (options.passwordStdin ? readStdin() : promptSecret(question));

/** `stead admin create|reset-password`: accounts, from the machine's side. */
export const registerUsersCommands = (program: Command, { withServices }: FeatureCliContext): void => {
  const admin = program.command('admin').description('Manage accounts');
  admin
    .command('create')
    .description('Create an administrator account (and a first workspace it owns); the password is prompted or read from stdin')
    .requiredOption('--email <email>', 'email address')
    .option('--name <name>', 'display name (default: the part of the email before @)')
    .option('--workspace <name>', 'name of the workspace to create for the account', 'Personal')
    .option('--password-stdin', 'read the password from standard input')
    .addOption(jsonOption())
    .action(async (options: { email: string; name?: string; workspace: string; passwordStdin?: boolean; json?: boolean }) =>
      withServices(async ({ auth, workspaces, audit }) => {
        const password = await readPassword(options, 'Password: ');
        const user = await auth.createUser({ name: options.name ?? options.email.split('@')[0]!, email: options.email, password, isAdmin: true });
        const workspace = await workspaces.create(options.workspace, user.id);
        await audit.record({ workspaceId: workspace.id, actor: cliActor, action: 'user.create', target: { type: 'user', id: user.id }, outcome: 'success', metadata: { email: user.email, admin: true } });
        output(options, { user, workspace }, () => `Created administrator ${user.email} (${user.id}) owning workspace ${workspace.name} (${workspace.slug})`);
      }),
    );
  admin
    .command('reset-password')
    .description("Set a new password for an account (prompted or read from stdin) and end all of its sessions")
    .requiredOption('--email <email>', 'email address')
    .option('--password-stdin', 'read the password from standard input')
    .action(async (options: { email: string; passwordStdin?: boolean }) =>
      withServices(async ({ auth, audit }) => {
        const password = await readPassword(options, 'New password: ');
        const user = await auth.resetPassword(options.email, password);
        await audit.record({ workspaceId: null, actor: cliActor, action: 'user.password-reset', target: { type: 'user', id: user.id }, outcome: 'success' });
        process.stdout.write(`Password of ${user.email} changed; every session of the account was ended\n`);
      }),
    );
};
