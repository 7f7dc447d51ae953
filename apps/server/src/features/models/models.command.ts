import { type Command, Option } from 'commander';
import type { z } from 'zod';
import type { FeatureCliContext, SteadServices } from '../../feature.ts';
import { detectLocalModelServers, freeProviderName, localModelServerProbes, sameBaseUrl, type LocalModelServer } from './local-model-servers.ts';
import type { AddedProvider } from './model-providers.ts';
import {
  addProviderBody,
  dataClasses,
  latencyTiers,
  localities,
  modelCapabilities,
  providerTypes,
  routeTestQuery,
  type DataClass,
  type LatencyTier,
  type Locality,
  type ModelView,
  type ProviderView,
  type RouteDecision,
} from './models.schema.ts';
import { SteadError } from '../../platform/errors/stead-error.ts';
import { collect, parsePrice, plural, price, providerName, splitList, validate, type WithServices } from './models-cli-options.ts';
import { registerModelsUpdateCommands } from './models-update.command.ts';
import { cliActor, jsonOption, output, table } from '../../platform/cli/cli-output.ts';
import { inWorkspace, parseWholeNumber, workspaceOption } from '../../platform/cli/cli-options.ts';

const providerRow = (provider: ProviderView) => ({
  id: provider.id,
  name: provider.name,
  type: provider.type,
  locality: provider.locality,
  baseUrl: provider.baseUrl,
  apiKey: provider.hasApiKey ? 'stored' : null,
  models: provider.modelCount,
  state: provider.enabled ? 'enabled' : 'disabled',
  // Declared in stead.config.yaml: change it there, not here.
  source: provider.declared ? 'config' : 'added',
});

const modelRow = (model: ModelView) => ({
  model: model.qualifiedName,
  capabilities: model.capabilities.join(','),
  locality: model.locality,
  context: model.contextLength,
  'in $/M': price(model.inputPricePerMillion),
  'out $/M': price(model.outputPricePerMillion),
  breaker: model.health.breaker === 'closed' ? 'closed' : `${model.health.breaker}${model.health.retryAt ? ` until ${model.health.retryAt}` : ''}`,
  state: model.enabled ? 'enabled' : 'disabled',
});

const describeDecision = (decision: RouteDecision): string => {
  const [first] = decision.candidates;
  return [
    `${decision.dataClass} request for ${decision.requested} (needs ${decision.needs.join(', ')})`,
    `would be served by ${first ? `${first.model} (${first.locality})` : 'no target'}`,
    'candidates, in order:',
    ...decision.candidates.map((candidate, index) => `  ${index + 1}. ${candidate.model}  ${candidate.locality}`),
    `reason: ${decision.reason}`,
  ].join('\n');
};

const describeServer = (server: LocalModelServer) => `${server.label} at ${server.provider.baseUrl} with ${plural(server.models.length, 'model')}`;

const addAndAudit = async (core: SteadServices, workspaceId: string, request: z.infer<typeof addProviderBody>): Promise<AddedProvider> => {
  const added = await core.models.addProvider(workspaceId, request);
  const { provider } = added;
  await core.audit.record({ workspaceId, actor: cliActor, action: 'model-provider.create', target: { type: 'model-provider', id: provider.id }, outcome: 'success', metadata: { name: provider.name, type: provider.type, baseUrl: provider.baseUrl, locality: provider.locality } });
  return added;
};

interface AddOptions {
  workspace: string;
  name: string;
  type: string;
  baseUrl: string;
  locality: Locality;
  apiKeyEnv?: string;
  model: string[];
  capabilities?: string[];
  contextLength?: number;
  inputPrice?: number;
  outputPrice?: number;
  discover: boolean;
  json?: boolean;
}

interface RouteTestOptions {
  workspace: string;
  model: string;
  dataClass?: DataClass;
  key?: string;
  needs?: string;
  latency?: LatencyTier;
  estimatedTokens?: number;
  json?: boolean;
}

/**
 * One line for `stead start` when a local model server answers and no workspace has a provider yet; empty
 * otherwise. Never throws: a hint must not disturb start-up.
 */
export const suggestLocalModelServers = async (
  core: Pick<SteadServices, 'workspaces' | 'models'>,
  { detect = () => detectLocalModelServers({ timeoutMs: 300 }), write = (line: string) => void process.stdout.write(`${line}\n`) }: { detect?: () => Promise<LocalModelServer[]>; write?: (line: string) => void } = {},
): Promise<string | undefined> => {
  try {
    const workspaces = await core.workspaces.listAll();
    for (const entry of workspaces) if ((await core.models.listProviders(entry.id)).length > 0) return undefined;
    const found = await detect();
    if (found.length === 0) return undefined;
    const slug = workspaces.length === 1 ? workspaces[0]!.slug : '<slug>';
    const line = `Found ${found.map(describeServer).join(' and ')}: add ${found.length === 1 ? 'it' : 'them'} with \`stead providers detect --workspace ${slug} --add\` or from Models in the dashboard`;
    write(line);
    return line;
  } catch {
    return undefined;
  }
};

/** `stead providers detect [--add]`. */
const registerDetectCommand = (providers: Command, withCore: WithServices): void => {
  providers
    .command('detect')
    .description(`Look for local model servers on their default ports (${localModelServerProbes.map((probe) => `${probe.label} ${new URL(probe.baseUrl).host}`).join(', ')}); --add adds each as a local provider`)
    .addOption(workspaceOption())
    .option('--add', 'add each server found that is not a provider yet')
    .addOption(jsonOption())
    .action(async (options: { workspace: string; add?: boolean; json?: boolean }) =>
      inWorkspace(withCore, options, async (core, id) => {
        const [found, existing] = await Promise.all([detectLocalModelServers(), core.models.listProviders(id)]);
        const servers: (LocalModelServer & { providerName: string | null; added: boolean; discoveryError: string | null })[] = [];
        for (const server of found) {
          const known = existing.find((provider) => sameBaseUrl(provider.baseUrl, server.provider.baseUrl));
          if (known || !options.add) {
            servers.push({ ...server, providerName: known?.name ?? null, added: false, discoveryError: null });
            continue;
          }
          const name = freeProviderName(server.provider.name, new Set(existing.map((provider) => provider.name)));
          const added = await addAndAudit(core, id, validate(addProviderBody, { ...server.provider, name }));
          existing.push(added.provider);
          servers.push({ ...server, providerName: added.provider.name, added: true, discoveryError: added.discoveryError });
        }
        output(options, { servers }, () => {
          if (servers.length === 0) return `No local model server answered (${localModelServerProbes.map((probe) => `${probe.label} on ${new URL(probe.baseUrl).host}`).join(', ')})`;
          return servers
            .map((server) => {
              const status = server.added
                ? `added as provider ${server.providerName}${server.discoveryError ? ` (could not list its models: ${server.discoveryError})` : ''}`
                : server.providerName
                  ? `already added as provider ${server.providerName}`
                  : `add it with: stead providers detect --workspace ${options.workspace} --add`;
              return `Found ${describeServer(server)}${server.models.length > 0 ? ` (${server.models.join(', ')})` : ''}\n  ${status}`;
            })
            .join('\n');
        });
      }),
    );
};

/** `stead providers add|list|test|remove|detect`, `stead models list`, `stead routes test`. */
export const registerModelsCommands = (program: Command, { withServices }: FeatureCliContext): void => {
  const withCore: WithServices = (action) => withServices((services) => action(services));
  const providers = program.command('providers').description('Manage model providers (local model servers and hosted APIs) of a workspace');

  providers
    .command('add')
    .description('Add a model provider and discover its models; the API key is read from an environment variable, never from the command line')
    .addOption(workspaceOption())
    .requiredOption('--name <name>', 'provider name; models are addressed as <name>/<model>')
    .addOption(new Option('--type <type>', 'provider protocol').choices(providerTypes as unknown as string[]).makeOptionMandatory())
    .requiredOption('--base-url <url>', 'e.g. http://127.0.0.1:11434 (Ollama) or https://api.openai.com/v1')
    .addOption(new Option('--locality <locality>', 'local models may serve private requests; hosted ones never do (a private address needs an allowed host: Instance settings or STEAD_EGRESS_ALLOWED_HOSTS, except loopback at a local model server port)').choices(localities as unknown as string[]).makeOptionMandatory())
    .option('--api-key-env <variable>', 'name of the environment variable holding the API key (kept encrypted)')
    .option('--model <id>', 'declare a model the upstream does not list (repeatable)', collect, [])
    .option('--capabilities <list>', `capabilities of the declared models, comma-separated (${modelCapabilities.join(', ')}; default chat)`, splitList)
    .option('--context-length <tokens>', 'context length of the declared models', parseWholeNumber(1, 100_000_000))
    .option('--input-price <usd>', 'price of the declared models per million input tokens', parsePrice)
    .option('--output-price <usd>', 'price of the declared models per million output tokens', parsePrice)
    .option('--no-discover', 'do not ask the upstream for its model list now')
    .addOption(jsonOption())
    .action(async (options: AddOptions) => {
      let apiKey: string | undefined;
      if (options.apiKeyEnv !== undefined) {
        apiKey = process.env[options.apiKeyEnv];
        if (!apiKey) throw new SteadError('validation_failed', `--api-key-env: the environment variable ${options.apiKeyEnv} is not set or empty; export it first, e.g. export ${options.apiKeyEnv}=…`);
      }
      // Validated before the database is opened, so a bad flag changes nothing.
      const request = validate(addProviderBody, {
        name: options.name,
        type: options.type,
        baseUrl: options.baseUrl,
        locality: options.locality,
        apiKey,
        models: options.model.map((name) => ({
          name,
          ...(options.capabilities ? { capabilities: options.capabilities } : {}),
          ...(options.contextLength !== undefined ? { contextLength: options.contextLength } : {}),
          ...(options.inputPrice !== undefined ? { inputPricePerMillion: options.inputPrice } : {}),
          ...(options.outputPrice !== undefined ? { outputPricePerMillion: options.outputPrice } : {}),
        })),
        discover: options.discover,
      });
      await inWorkspace(withCore, options, async (core, id) => {
        const added = await addAndAudit(core, id, request);
        const { provider, models, discoveryError } = added;
        if (discoveryError && !options.json) process.stderr.write(`warning: could not list the models of ${provider.name}: ${discoveryError}\n`);
        output(options, added, () =>
          [
            `Added provider ${provider.name} (${provider.id}): ${provider.type}, ${provider.locality}, ${provider.baseUrl}${provider.hasApiKey ? ', API key stored' : ''}`,
            models.length === 0 ? `No models yet: declare them with --model, or run stead providers test --workspace ${options.workspace} --name ${provider.name}` : `Models: ${models.map((model) => model.qualifiedName).join(', ')}`,
          ].join('\n'),
        );
      });
    });

  providers
    .command('list')
    .description('List the model providers of a workspace (API keys are never shown)')
    .addOption(workspaceOption())
    .addOption(jsonOption())
    .action(async (options: { workspace: string; json?: boolean }) =>
      inWorkspace(withCore, options, async (core, id) => {
        const list = await core.models.listProviders(id);
        output(options, { providers: list }, () => table(list.map(providerRow), ['id', 'name', 'type', 'locality', 'baseUrl', 'apiKey', 'models', 'state', 'source']));
      }),
    );

  providers
    .command('test')
    .description('Reach a provider and list its models (new ones are added); exit 1 when it fails')
    .addOption(workspaceOption())
    .addOption(providerName())
    .addOption(jsonOption())
    .action(async (options: { workspace: string; name: string; json?: boolean }) =>
      inWorkspace(withCore, options, async (core, id) => {
        const result = await core.models.testProvider(id, options.name);
        await core.audit.record({ workspaceId: id, actor: cliActor, action: 'model-provider.test', target: { type: 'model-provider', id: options.name }, outcome: result.ok ? 'success' : 'failure', metadata: { latencyMs: result.latencyMs, models: result.models } });
        output(options, result, () =>
          result.ok ? `${options.name} answered in ${result.latencyMs} ms with ${plural(result.models, 'model')}` : `${options.name} failed after ${result.latencyMs} ms: ${result.error ?? 'unknown error'}`,
        );
        if (!result.ok) process.exitCode = 1;
      }),
    );

  providers
    .command('remove')
    .description('Remove a provider, its models and its stored API key (not one declared in stead.config.yaml: remove it there)')
    .addOption(workspaceOption())
    .addOption(providerName())
    .addOption(jsonOption())
    .action(async (options: { workspace: string; name: string; json?: boolean }) =>
      inWorkspace(withCore, options, async (core, id) => {
        const provider = await core.models.removeProvider(id, options.name);
        await core.audit.record({ workspaceId: id, actor: cliActor, action: 'model-provider.delete', target: { type: 'model-provider', id: provider.id }, outcome: 'success', metadata: { name: provider.name } });
        output(options, { provider }, () => `Removed provider ${provider.name} (${provider.id})`);
      }),
    );

  registerDetectCommand(providers, withCore);

  const modelsCommand = program.command('models').description('Models of a workspace');
  modelsCommand
    .command('list')
    .description('List models with capabilities, locality, context length, prices and circuit breaker state')
    .addOption(workspaceOption())
    .option('--all', 'include disabled models and those of disabled providers')
    .addOption(jsonOption())
    .action(async (options: { workspace: string; all?: boolean; json?: boolean }) =>
      inWorkspace(withCore, options, async (core, id) => {
        const models = await core.models.listModels(id, { includeDisabled: options.all === true });
        const columns = ['model', 'capabilities', 'locality', 'context', 'in $/M', 'out $/M', 'breaker', ...(options.all ? ['state'] : [])];
        output(options, { models }, () => table(models.map(modelRow), columns));
      }),
    );
  registerModelsUpdateCommands({ providers, models: modelsCommand }, withCore);

  program
    .command('routes')
    .description('Model routing')
    .command('test')
    .description('Print which targets would serve a request, in order, and why, without calling a model; exit 1 with the reason when none may')
    .addOption(workspaceOption())
    .option('--model <model>', 'model, alias or auto', 'auto')
    .addOption(new Option('--data-class <class>', "data class of the request (default: the key's default, else the workspace's)").choices(dataClasses as unknown as string[]))
    .option('--key <id>', 'answer as for a call with this API key (its default data class and its own spend limits); ids from `stead keys list`')
    .option('--needs <list>', `capabilities the request needs, comma-separated (${modelCapabilities.join(', ')})`)
    .addOption(new Option('--latency <tier>', 'latency tier the request asks for').choices(latencyTiers as unknown as string[]))
    .option('--estimated-tokens <n>', 'prompt size in tokens, for context length', parseWholeNumber(0, 100_000_000))
    .addOption(jsonOption())
    .action(async (options: RouteTestOptions) => {
      const query = validate(routeTestQuery, { model: options.model, dataClass: options.dataClass, keyId: options.key, needs: options.needs, latencyTier: options.latency, estimatedTokens: options.estimatedTokens });
      await inWorkspace(withCore, options, async (core, id) => {
        const decision = await core.models.explainRoute(id, query);
        output(options, { ...decision, target: decision.candidates[0]?.model ?? null }, () => describeDecision(decision));
      });
    });
};
