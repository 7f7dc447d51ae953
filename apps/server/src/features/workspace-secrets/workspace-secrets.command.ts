import { Option, type Command } from 'commander';
import type { FeatureCliContext } from '../../feature.ts';
import { cliActor, commandGroup, jsonOption, output, table } from '../../platform/cli/cli-output.ts';
import { inWorkspace, workspaceOption, type WithCore } from '../../platform/cli/cli-options.ts';
import { promptSecret, readStdin } from '../../platform/cli/prompt.ts';
import { SteadError } from '../../platform/errors/stead-error.ts';
import type { AuditService } from '../audit/audit.service.ts';
import type { WorkspacesService } from '../workspaces/workspaces.service.ts';
import { createSecretBody, secretUsableByRoles, updateSecretBody, type WorkspaceSecret } from './workspace-secrets.schema.ts';
import type { WorkspaceSecretsService } from './workspace-secrets.service.ts';

/** The part of the core these commands use; `SteadCore` satisfies it. */
export interface SecretsCommandCore {
  workspaceSecrets: WorkspaceSecretsService;
  workspaces: Pick<WorkspacesService, 'resolve'>;
  audit: Pick<AuditService, 'record'>;
}

export type WithSecretsCore = WithCore<SecretsCommandCore>;

const nameOption = () => new Option('--name <name>', 'secret name, e.g. github-webhook').makeOptionMandatory();

const parsed = <T>(result: { success: true; data: T } | { success: false; error: { issues: { path: PropertyKey[]; message: string }[] } }): T => {
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new SteadError('validation_failed', `${issue?.path.join('.') || 'value'}: ${issue?.message ?? 'invalid'}`);
};

const rowOf = (secret: WorkspaceSecret) => ({ name: secret.name, usableBy: secret.usableBy, description: secret.description, updatedAt: secret.updatedAt, lastUsedAt: secret.lastUsedAt });

interface SetOptions {
  workspace: string;
  name: string;
  description?: string;
  usableBy?: (typeof secretUsableByRoles)[number];
  valueStdin?: boolean;
  json?: boolean;
}

/**
 * `stead secrets list|set|remove`: the workspace secrets store tasks use. Values are read from stdin
 * (`--value-stdin`) or a prompt that does not echo, never from the command line (where `ps` and shell history
 * would keep them), and are never printed.
 */
export const registerWorkspaceSecretsCommands = (program: Command, { withServices }: FeatureCliContext): void => {
  // The group is shared with the secrets feature's `rotate-key`; whichever registers first creates it.
  const secrets = commandGroup(program, 'secrets', 'Manage the workspace secrets tasks use, and the encryption of every stored secret');
  const withCore: WithSecretsCore = (action) => withServices((services) => action(services));
  secrets
    .command('list')
    .description('List the secrets tasks of a workspace may use (names and roles, never values)')
    .addOption(workspaceOption())
    .addOption(jsonOption())
    .action(async (options: { workspace: string; json?: boolean }) =>
      inWorkspace(withCore, options, async (core, workspaceId) => {
        const list = await core.workspaceSecrets.list(workspaceId);
        output(options, { secrets: list }, () => table(list.map(rowOf), ['name', 'usableBy', 'description', 'updatedAt', 'lastUsedAt']));
      }),
    );

  secrets
    .command('set')
    .description('Create a secret for tasks, or replace its value; the value comes from stdin (--value-stdin) or a prompt')
    .addOption(workspaceOption())
    .addOption(nameOption())
    .option('--description <text>', 'what the secret is for')
    .addOption(new Option('--usable-by <role>', 'lowest role whose tasks may use it (default admin for a new secret)').choices(secretUsableByRoles as unknown as string[]))
    .option('--value-stdin', 'read the value from stdin (one trailing newline is dropped)')
    .addOption(jsonOption())
    .action(async (options: SetOptions) =>
      inWorkspace(withCore, options, async (core, workspaceId) => {
        const value = options.valueStdin ? await readStdin() : await promptSecret(`Value of ${options.name}: `);
        const existing = (await core.workspaceSecrets.list(workspaceId)).find((secret) => secret.name === options.name);
        let secret: WorkspaceSecret;
        if (existing) {
          const changes = parsed(updateSecretBody.safeParse({ value, description: options.description, usableBy: options.usableBy }));
          secret = await core.workspaceSecrets.update(workspaceId, options.name, changes);
          await core.audit.record({ workspaceId, actor: cliActor, action: 'secret.update', target: { type: 'secret', id: secret.name }, outcome: 'success', metadata: { fields: Object.keys(changes).filter((key) => changes[key as keyof typeof changes] !== undefined) } });
        } else {
          const body = parsed(createSecretBody.safeParse({ name: options.name, value, description: options.description, usableBy: options.usableBy }));
          secret = await core.workspaceSecrets.create(workspaceId, body, { userId: null });
          await core.audit.record({ workspaceId, actor: cliActor, action: 'secret.create', target: { type: 'secret', id: secret.name }, outcome: 'success', metadata: { name: secret.name, usableBy: secret.usableBy } });
        }
        output(options, { secret }, () => `${existing ? 'Replaced the value of' : 'Created'} secret ${secret.name} (usable by tasks of ${secret.usableBy}s and above)`);
      }),
    );

  secrets
    .command('remove')
    .description('Delete a secret and its value; tasks that name it fail with secret_unknown')
    .addOption(workspaceOption())
    .addOption(nameOption())
    .action(async (options: { workspace: string; name: string }) =>
      inWorkspace(withCore, options, async (core, workspaceId) => {
        await core.workspaceSecrets.remove(workspaceId, options.name);
        await core.audit.record({ workspaceId, actor: cliActor, action: 'secret.delete', target: { type: 'secret', id: options.name }, outcome: 'success' });
        process.stdout.write(`Removed secret ${options.name}\n`);
      }),
    );
};
