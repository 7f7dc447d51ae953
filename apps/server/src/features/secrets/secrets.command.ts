import type { Command } from 'commander';
import type { FeatureCliContext } from '../../feature.ts';
import { cliActor, commandGroup, jsonOption, output } from '../../platform/cli/cli-output.ts';

/** `stead secrets rotate-key`. */
export const registerSecretsCommands = (program: Command, { withServices }: FeatureCliContext): void => {
  // The group is shared with the workspace-secrets feature's `list|set|remove`; whichever registers first creates it.
  commandGroup(program, 'secrets', 'Manage the workspace secrets tasks use, and the encryption of every stored secret')
    .command('rotate-key')
    .description('Re-encrypt every stored secret under a new key. With a key file, a new file is written; with STEAD_SECRET_KEY, pass --new-key and then update the variable')
    .option('--new-key <key>', 'the new key (32 bytes, base64 or hex) when STEAD_SECRET_KEY is used')
    .addOption(jsonOption())
    .action(async (options: { newKey?: string; json?: boolean }) =>
      withServices(async ({ secrets, audit }, { secretKey }) => {
        const result = await secrets.rotateKey({ newKey: options.newKey, keySource: secretKey.source });
        await audit.record({ workspaceId: null, actor: cliActor, action: 'secrets.rotate-key', target: { type: 'key', id: result.keyId }, outcome: 'success', metadata: { reencrypted: result.reencrypted } });
        output(options, result, () =>
          [
            `Re-encrypted ${result.reencrypted} secret(s) under key ${result.keyId}.`,
            result.instructions ?? '',
            'Signed-in sessions end, because session cookies are signed with a key derived from this one.',
          ].filter(Boolean).join('\n'),
        );
      }),
    );
};
