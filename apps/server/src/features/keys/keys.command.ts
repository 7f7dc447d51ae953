import { Option, type Command } from 'commander';
import type { FeatureCliContext } from '../../feature.ts';
import { cliActor, jsonOption, output, table } from '../../platform/cli/cli-output.ts';
import { inWorkspace, parseWholeNumber, workspaceOption } from '../../platform/cli/cli-options.ts';
import { SteadError } from '../../platform/errors/stead-error.ts';
import { workspaceRoles, type WorkspaceRole } from '../../platform/http/permissions.ts';

// The bounds of the HTTP API. A typo (`abc`, `0`) must fail rather than quietly create a key that never expires.
const parseExpiryDays = parseWholeNumber(1, 3650, 'days');

/** `stead keys create|list|revoke`. */
export const registerKeysCommands = (program: Command, { withServices }: FeatureCliContext): void => {
  const keysCommand = program.command('keys').description('Manage workspace API keys');
  keysCommand
    .command('create')
    .description('Create an API key and print it (shown once); scripts can capture it with --json')
    .requiredOption('--email <email>', 'the member the key acts for')
    .addOption(workspaceOption())
    .addOption(new Option('--role <role>', 'workspace role').choices(workspaceRoles as unknown as string[]).default('member'))
    .option('--name <name>', 'key name', 'cli')
    .option('--expires-in-days <days>', 'expiry in days (1 to 3650; default: never)', parseExpiryDays)
    .addOption(jsonOption())
    .action(async (options: { email: string; workspace: string; role: WorkspaceRole; name: string; expiresInDays?: number; json?: boolean }) =>
      withServices(async ({ auth, workspaces, keys, audit }) => {
        const user = await auth.findUserByEmail(options.email);
        if (!user) throw new SteadError('user_not_found', `No account has the email ${options.email}`);
        const workspace = await workspaces.resolve(options.workspace);
        const memberRole = await workspaces.memberRole(workspace.id, user.id);
        if (!memberRole) throw new SteadError('member_not_found', `${options.email} is not a member of ${workspace.slug}`);
        const { key, secret } = await keys.create(workspace.id, { name: options.name, role: options.role, expiresInDays: options.expiresInDays }, { userId: user.id, role: memberRole });
        await audit.record({ workspaceId: workspace.id, actor: cliActor, action: 'key.create', target: { type: 'key', id: key.id }, outcome: 'success', metadata: { name: key.name, role: key.role } });
        output(options, { key, secret }, () => secret);
      }),
    );
  keysCommand
    .command('list')
    .description('List the API keys of a workspace')
    .addOption(workspaceOption())
    .addOption(jsonOption())
    .action(async (options: { workspace: string; json?: boolean }) =>
      inWorkspace(withServices, options, async ({ keys }, workspaceId) => {
        const list = await keys.list(workspaceId);
        output(options, { keys: list }, () => table(list.map((key) => ({ ...key, state: key.revokedAt ? 'revoked' : 'active' })), ['id', 'prefix', 'name', 'role', 'state', 'lastUsedAt']));
      }),
    );
  keysCommand
    .command('revoke')
    .description('Revoke an API key at once')
    .addOption(workspaceOption())
    .requiredOption('--id <key-id>', 'key id (from keys list)')
    .action(async (options: { workspace: string; id: string }) =>
      inWorkspace(withServices, options, async ({ keys, audit }, workspaceId) => {
        // The command line acts with the machine's authority, above every workspace role.
        await keys.revoke(workspaceId, options.id, { role: 'owner' });
        await audit.record({ workspaceId, actor: cliActor, action: 'key.revoke', target: { type: 'key', id: options.id }, outcome: 'success' });
        process.stdout.write(`Revoked key ${options.id}\n`);
      }),
    );
};
