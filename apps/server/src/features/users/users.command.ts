import type { Command } from 'commander';
import type { FeatureCliContext, SteadPlatform, SteadServices } from '../../feature.ts';
import { cliActor, jsonOption, output, table } from '../../platform/cli/cli-output.ts';
import { addReadCommand } from '../../platform/cli/cli-options.ts';
import { promptSecret, readStdin } from '../../platform/cli/prompt.ts';
import { SteadError } from '../../platform/errors/stead-error.ts';

const readPassword = async (options: { passwordStdin?: boolean }, question: string) => (options.passwordStdin ? readStdin() : promptSecret(question));

/** Where people open the links the command prints: the public URL, else the address the server listens on. */
const linkOrigin = ({ config }: SteadPlatform) => config.publicUrl ?? `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}`;

const userByEmail = async ({ auth }: SteadServices, email: string) => {
  const user = await auth.findUserByEmail(email);
  if (!user) throw new SteadError('user_not_found', `No account has the email ${email}`);
  return user;
};

/** `stead users list|create|reset-password|promote|demote|disable|enable`: what the dashboard's Users page does. */
const registerUsersGroup = (program: Command, { withServices }: FeatureCliContext): void => {
  const users = program.command('users').description('Manage the accounts of this instance');
  addReadCommand(users, withServices, {
    name: 'list',
    description: 'List every account',
    read: async (services) => ({ users: await services.users.list() }),
    human: ({ users: list }) => table(list.map((user) => ({ ...user, state: user.disabledAt ? 'disabled' : 'active' })), ['id', 'email', 'name', 'isAdmin', 'state', 'createdAt']),
  });
  users
    .command('create')
    .description('Create an account and print a one-time link (24 h) for the person to set their password')
    .requiredOption('--email <email>', 'email address')
    .option('--name <name>', 'display name (default: the part of the email before @)')
    .option('--admin', 'make the account an instance administrator')
    .addOption(jsonOption())
    .action(async (options: { email: string; name?: string; admin?: boolean; json?: boolean }) =>
      withServices(async (services, platform) => {
        const { user, resetLink } = await services.users.create({ name: options.name ?? options.email.split('@')[0]!, email: options.email, isAdmin: options.admin === true });
        await services.audit.record({ workspaceId: null, actor: cliActor, action: 'user.create', target: { type: 'user', id: user.id }, outcome: 'success', metadata: { email: user.email, admin: user.isAdmin } });
        const url = `${linkOrigin(platform)}/reset-password#${resetLink!.token}`;
        output(options, { user, resetLink: { url, expiresAt: resetLink!.expiresAt } }, () => `Created ${user.email} (${user.id}). Hand over this link to set a password (works once, until ${resetLink!.expiresAt}):\n${url}`);
      }),
    );
  users
    .command('reset-password')
    .description('Print a one-time link (24 h) for the person to set a new password; earlier links stop working')
    .requiredOption('--email <email>', 'email address')
    .addOption(jsonOption())
    .action(async (options: { email: string; json?: boolean }) =>
      withServices(async (services, platform) => {
        const user = await userByEmail(services, options.email);
        const { token, expiresAt } = await services.users.createResetLink(user.id);
        await services.audit.record({ workspaceId: null, actor: cliActor, action: 'user.reset-link-create', target: { type: 'user', id: user.id }, outcome: 'success' });
        const url = `${linkOrigin(platform)}/reset-password#${token}`;
        output(options, { url, expiresAt }, () => `Reset link for ${user.email} (works once, until ${expiresAt}):\n${url}`);
      }),
    );
  const standing = [
    ['promote', 'Make an account an instance administrator', (users: SteadServices['users'], id: string) => users.setAdmin(id, true)],
    ['demote', 'Take instance administration away (never from the last enabled administrator)', (users: SteadServices['users'], id: string) => users.setAdmin(id, false)],
    ['disable', 'Disable an account: end its sessions and revoke its API keys', (users: SteadServices['users'], id: string) => users.disable(id)],
    ['enable', 'Re-enable a disabled account', (users: SteadServices['users'], id: string) => users.enable(id)],
  ] as const;
  for (const [action, description, apply] of standing) {
    users
      .command(action)
      .description(description)
      .requiredOption('--email <email>', 'email address')
      .action(async (options: { email: string }) =>
        withServices(async (services) => {
          const user = await userByEmail(services, options.email);
          await apply(services.users, user.id);
          await services.audit.record({ workspaceId: null, actor: cliActor, action: `user.${action}`, target: { type: 'user', id: user.id }, outcome: 'success' });
          process.stdout.write(`${user.email}: ${action}d\n`);
        }),
      );
  }
};

/** `stead users …`, and `stead admin create|reset-password`: accounts, from the machine's side. */
export const registerUsersCommands = (program: Command, context: FeatureCliContext): void => {
  registerUsersGroup(program, context);
  const { withServices } = context;
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
