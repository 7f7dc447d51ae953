import { type Command, Option } from 'commander';
import { cliActor, jsonOption, output } from '../../platform/cli/cli-output.ts';
import { inWorkspace, parseWholeNumber, workspaceOption } from '../../platform/cli/cli-options.ts';
import { SteadError } from '../../platform/errors/stead-error.ts';
import { parsePrice, providerName, splitList, validate, type WithServices } from './models-cli-options.ts';
import { localities, modelCapabilities, updateModelBody, updateProviderBody, type Locality } from './models.schema.ts';

interface ProviderUpdateOptions {
  workspace: string;
  name: string;
  newName?: string;
  baseUrl?: string;
  locality?: Locality;
  apiKeyEnv?: string;
  removeApiKey?: boolean;
  enable?: boolean;
  disable?: boolean;
  json?: boolean;
}

interface ModelUpdateOptions {
  workspace: string;
  model: string;
  capabilities?: string[];
  contextLength?: number | null;
  inputPrice?: number;
  outputPrice?: number;
  enable?: boolean;
  disable?: boolean;
  json?: boolean;
}

/** `--enable` / `--disable` as one optional boolean; both at once is a mistake worth saying. */
const enabledOf = (options: { enable?: boolean; disable?: boolean }): boolean | undefined => {
  if (options.enable && options.disable) throw new SteadError('validation_failed', '--enable and --disable: give one of them');
  return options.enable ? true : options.disable ? false : undefined;
};

const apiKeyOf = (options: ProviderUpdateOptions): string | null | undefined => {
  if (options.removeApiKey) {
    if (options.apiKeyEnv !== undefined) throw new SteadError('validation_failed', '--api-key-env and --remove-api-key: give one of them');
    return null;
  }
  if (options.apiKeyEnv === undefined) return undefined;
  const key = process.env[options.apiKeyEnv];
  if (!key) throw new SteadError('validation_failed', `--api-key-env: the environment variable ${options.apiKeyEnv} is not set or empty; export it first, e.g. export ${options.apiKeyEnv}=…`);
  return key;
};

/** Only the fields a flag was given for: an absent flag leaves the value alone. */
const defined = <T extends Record<string, unknown>>(entries: T): Partial<T> => Object.fromEntries(Object.entries(entries).filter(([, value]) => value !== undefined)) as Partial<T>;

/** `stead providers update` and `stead models update`: change a provider or correct a model in place. */
export const registerModelsUpdateCommands = ({ providers, models }: { providers: Command; models: Command }, withCore: WithServices): void => {
  providers
    .command('update')
    .description('Rename a provider, change its base URL or locality, replace or remove its API key, enable or disable it (not one declared in stead.config.yaml)')
    .addOption(workspaceOption())
    .addOption(providerName())
    .option('--new-name <name>', 'new provider name; models are then addressed as <new-name>/<model>')
    .option('--base-url <url>', 'new base URL (checked as when adding)')
    .addOption(new Option('--locality <locality>', 'local models may serve private requests').choices(localities as unknown as string[]))
    .option('--api-key-env <variable>', 'replace the API key with the value of this environment variable')
    .option('--remove-api-key', 'remove the stored API key')
    .option('--enable', 'serve requests again')
    .option('--disable', 'keep the provider and its models but serve nothing')
    .addOption(jsonOption())
    .action(async (options: ProviderUpdateOptions) => {
      const changes = validate(updateProviderBody, defined({ name: options.newName, baseUrl: options.baseUrl, locality: options.locality, apiKey: apiKeyOf(options), enabled: enabledOf(options) }));
      if (Object.keys(changes).length === 0) throw new SteadError('validation_failed', 'nothing to change: give --new-name, --base-url, --locality, --api-key-env, --remove-api-key, --enable or --disable');
      await inWorkspace(withCore, options, async (core, id) => {
        const provider = await core.models.updateProvider(id, options.name, changes);
        const { apiKey, ...metadata } = changes;
        await core.audit.record({ workspaceId: id, actor: cliActor, action: 'model-provider.update', target: { type: 'model-provider', id: provider.id }, outcome: 'success', metadata: { ...metadata, apiKeyChanged: apiKey !== undefined } });
        output(options, { provider }, () => `Updated provider ${provider.name} (${provider.id}): ${provider.type}, ${provider.locality}, ${provider.baseUrl}, ${provider.enabled ? 'enabled' : 'disabled'}${provider.hasApiKey ? ', API key stored' : ''}`);
      });
    });

  models
    .command('update')
    .description('Correct a model: capabilities, context length, prices; enable or disable it (not a model of a provider declared in stead.config.yaml)')
    .addOption(workspaceOption())
    .requiredOption('--model <provider/model-or-id>', 'the model, as `stead models list --all` shows it')
    .option('--capabilities <list>', `replace the capabilities, comma-separated (${modelCapabilities.join(', ')})`, splitList)
    .option('--context-length <tokens>', 'context length in tokens, or `unknown`', (value: string) => (value === 'unknown' ? null : parseWholeNumber(1, 100_000_000)(value)))
    .option('--input-price <usd>', 'US dollars per million input tokens', parsePrice)
    .option('--output-price <usd>', 'US dollars per million output tokens', parsePrice)
    .option('--enable', 'route to it again')
    .option('--disable', 'never route to it')
    .addOption(jsonOption())
    .action(async (options: ModelUpdateOptions) => {
      const changes = validate(
        updateModelBody,
        defined({ capabilities: options.capabilities, contextLength: options.contextLength, inputPricePerMillion: options.inputPrice, outputPricePerMillion: options.outputPrice, enabled: enabledOf(options) }),
      );
      if (Object.keys(changes).length === 0) throw new SteadError('validation_failed', 'nothing to change: give --capabilities, --context-length, --input-price, --output-price, --enable or --disable');
      await inWorkspace(withCore, options, async (core, id) => {
        const model = await core.models.updateModel(id, options.model, changes);
        await core.audit.record({ workspaceId: id, actor: cliActor, action: 'model.update', target: { type: 'model', id: model.id }, outcome: 'success', metadata: changes });
        output(options, { model }, () => `Updated ${model.qualifiedName}: ${model.capabilities.join(', ')}; context ${model.contextLength ?? 'unknown'}; ${model.enabled ? 'enabled' : 'disabled'}`);
      });
    });
};
