import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolatedPostgresUrl } from '../../../test/support/databases.ts';
import { startOpenAiUpstream } from '../../../test/support/openai-upstream.ts';
import { inheritedEnv, jsonOf, runStead, type Env } from '../../../test/support/stead-cli.ts';
import { serviceUrl } from '../../../test/support/services.ts';
import { createCore, type SteadCore } from '../../app.ts';
import { loadConfig } from '../../config/config.loader.ts';
import { detectLocalModelServers } from './local-model-servers.ts';
import type { ModelView, ProviderView, RouteDecision } from './models.schema.ts';
import type { DatabaseDialect } from '../../platform/database/database.port.ts';
import { suggestLocalModelServers } from './models.command.ts';

/**
 * `stead providers|models|routes`, spawned as an operator runs them. Each spawn costs one to four seconds, so
 * each database gets one sequence of steps sharing a data directory and as few spawns as the checks allow.
 */
const run = runStead;
const stepTimeout = { timeout: 60_000 };
const apiKey = `sk-cli-test-${'x'.repeat(24)}`;

const modelsSuite = (dialect: DatabaseDialect) => {
  const enabled = dialect === 'sqlite' || serviceUrl('postgres') !== undefined;

  describe.skipIf(!enabled)(`stead providers, models and routes on ${dialect}`, stepTimeout, () => {
    let root: string;
    let env: Env;
    let upstream: Awaited<ReturnType<typeof startOpenAiUpstream>>;
    let disposeDatabase: (() => Promise<void>) | undefined;
    const stead = (args: string[], options: { env?: Env; stdin?: string } = {}) => run(args, { env: { ...env, ...options.env }, cwd: root, ...(options.stdin === undefined ? {} : { stdin: options.stdin }) });
    const withCore = async <T>(action: (core: SteadCore) => Promise<T>): Promise<T> => {
      const core = await createCore(loadConfig({ env, cwd: root }).config);
      try {
        return await action(core);
      } finally {
        await core.close();
      }
    };
    const ws = ['--workspace', 'personal'];

    beforeAll(async () => {
      root = mkdtempSync(join(tmpdir(), 'stead-models-cli-'));
      // The upstream stands in for a model server on this machine: an administrator allows its loopback address.
      env = { ...inheritedEnv(), STEAD_DATA_DIR: join(root, 'data'), STEAD_LOG_LEVEL: 'silent', STEAD_EGRESS_ALLOWED_HOSTS: '127.0.0.1' };
      if (dialect === 'postgres') {
        const isolated = await isolatedPostgresUrl(serviceUrl('postgres')!);
        disposeDatabase = isolated.dispose;
        env.STEAD_DATABASE_URL = isolated.url;
      }
      upstream = await startOpenAiUpstream('local', ['test-chat', 'test-embed']);
    });
    afterAll(async () => {
      await upstream?.close();
      await disposeDatabase?.();
      if (root) rmSync(root, { recursive: true, force: true });
    });

    it('providers add reads the key from the named variable, never prints it, and refuses an unset one', async () => {
      const admin = await stead(['admin', 'create', '--email', 'a@example.com', '--password-stdin'], { stdin: 'first-password-1\n' });
      expect(admin.code, admin.stderr).toBe(0);

      const unset = await stead(['providers', 'add', ...ws, '--name', 'nokey', '--type', 'openai-compatible', '--base-url', upstream.baseUrl, '--locality', 'local', '--api-key-env', 'STEAD_CLI_TEST_UNSET_KEY']);
      expect(unset.code).toBe(1);
      expect(unset.stderr).toMatch(/^error \[validation_failed\]: --api-key-env: the environment variable STEAD_CLI_TEST_UNSET_KEY is not set/);

      const added = await stead(
        ['providers', 'add', ...ws, '--name', 'local', '--type', 'openai-compatible', '--base-url', upstream.baseUrl, '--locality', 'local', '--api-key-env', 'LOCAL_MODEL_KEY', '--json'],
        { env: { LOCAL_MODEL_KEY: apiKey } },
      );
      const { provider, models, discoveryError } = jsonOf<{ provider: ProviderView; models: ModelView[]; discoveryError: string | null }>(added);
      expect(added.stdout + added.stderr).not.toContain(apiKey);
      expect(discoveryError).toBeNull();
      expect(provider).toMatchObject({ name: 'local', locality: 'local', hasApiKey: true, baseUrl: upstream.baseUrl });
      expect(models.map((model) => model.qualifiedName).sort()).toEqual(['local/test-chat', 'local/test-embed']);
      expect(upstream.received.map((entry) => entry.path)).toContain('/v1/models');

      // A hosted provider on loopback could not be reached (egress refuses it), so its model is declared.
      const hosted = await stead(['providers', 'add', ...ws, '--name', 'cloud', '--type', 'openai-compatible', '--base-url', 'https://api.example.com/v1', '--locality', 'hosted', '--no-discover', '--model', 'big', '--capabilities', 'chat,tools', '--input-price', '2.5', '--output-price', '10']);
      expect(hosted.code, hosted.stderr).toBe(0);
      expect(hosted.stdout).toContain('Models: cloud/big');

      const { providers } = jsonOf<{ providers: ProviderView[] }>(await stead(['providers', 'list', ...ws, '--json']));
      expect(providers.map((entry) => [entry.name, entry.locality, entry.hasApiKey]).sort()).toEqual([['cloud', 'hosted', false], ['local', 'local', true]]);
      await withCore(async (core) => {
        const { id } = await core.workspaces.resolve('personal');
        expect(await core.secrets.reveal(id, `model-provider:${provider.id}`)).toBe(apiKey);
        expect(JSON.stringify(await core.audit.list(undefined, { limit: 50 }))).not.toContain(apiKey);
      });
    });

    it('models list shows capabilities, locality, prices and breaker', async () => {
      const { models } = jsonOf<{ models: ModelView[] }>(await stead(['models', 'list', ...ws, '--json']));
      expect(models.find((model) => model.qualifiedName === 'cloud/big')).toMatchObject({ locality: 'hosted', capabilities: ['chat', 'tools'], inputPricePerMillion: 2.5, outputPricePerMillion: 10, health: { breaker: 'closed' } });
      expect(models.find((model) => model.qualifiedName === 'local/test-embed')).toMatchObject({ locality: 'local', capabilities: ['embeddings'] });
    });

    it('models update corrects a model; models list --all shows it while disabled', async () => {
      const corrected = jsonOf<{ model: ModelView }>(await stead(['models', 'update', ...ws, '--model', 'cloud/big', '--capabilities', 'chat,tools,vision', '--context-length', '128000', '--disable', '--json']));
      expect(corrected.model).toMatchObject({ qualifiedName: 'cloud/big', capabilities: ['chat', 'tools', 'vision'], contextLength: 128000, enabled: false });
      const all = jsonOf<{ models: ModelView[] }>(await stead(['models', 'list', ...ws, '--all', '--json']));
      expect(all.models.find((model) => model.qualifiedName === 'cloud/big')?.enabled).toBe(false);
      const enabled = await stead(['models', 'update', ...ws, '--model', 'cloud/big', '--enable']);
      expect(enabled.stdout).toBe('Updated cloud/big: chat, tools, vision; context 128000; enabled\n');
      const nothing = await stead(['models', 'update', ...ws, '--model', 'cloud/big']);
      expect(nothing.code).toBe(1);
      expect(nothing.stderr).toMatch(/^error \[validation_failed\]: nothing to change/);
    });

    it('providers update renames and re-keys a provider without printing the key, refuses hosted on a private address, and audits both changes', async () => {
      const cloudKey = `sk-cloud-${'y'.repeat(24)}`;
      const renamed = await stead(['providers', 'update', ...ws, '--name', 'cloud', '--new-name', 'cloud2', '--api-key-env', 'CLOUD_KEY', '--json'], { env: { CLOUD_KEY: cloudKey } });
      expect(renamed.stdout + renamed.stderr).not.toContain(cloudKey);
      expect(jsonOf<{ provider: ProviderView }>(renamed).provider).toMatchObject({ name: 'cloud2', hasApiKey: true });
      // Hosted on a private address is refused with the advice to choose local, and changes nothing.
      const hostedLoopback = await stead(['providers', 'update', ...ws, '--name', 'cloud2', '--base-url', 'http://192.168.0.10:11434']);
      expect(hostedLoopback.code).toBe(1);
      expect(hostedLoopback.stderr).toMatch(/^error \[provider_address_local\]: .*Choose locality local/);
      const back = await stead(['providers', 'update', ...ws, '--name', 'cloud2', '--new-name', 'cloud', '--remove-api-key']);
      expect(back.stdout).toMatch(/^Updated provider cloud \(.+\): openai-compatible, hosted, https:\/\/api\.example\.com\/v1, enabled\n$/);
      await withCore(async (core) => {
        const { events } = await core.audit.list(undefined, { limit: 50 });
        const actions = events.filter((event) => event.actor.label === 'cli').map((event) => event.action);
        // Two model corrections (the step before) and the two provider changes here.
        expect(actions.filter((action) => action === 'model.update')).toHaveLength(2);
        expect(actions.filter((action) => action === 'model-provider.update')).toHaveLength(2);
        expect(JSON.stringify(events)).not.toContain(cloudKey);
      });
    });

    it('routes test prints the ordered candidates, the first target and the reason; private to a hosted-only model exits 1', async () => {
      const internal = await stead(['routes', 'test', ...ws, '--data-class', 'internal']);
      expect(internal.code, internal.stderr).toBe(0);
      expect(internal.stdout).toContain('would be served by local/test-chat (local)');
      expect(internal.stdout).toMatch(/1\. local\/test-chat\s+local\n\s+2\. cloud\/big\s+hosted/);
      expect(internal.stdout).toMatch(/reason: auto .*local first/);

      // cloud/big is hosted: a private request for it is refused, never sent.
      const refused = await stead(['routes', 'test', ...ws, '--model', 'cloud/big', '--data-class', 'private', '--needs', 'tools']);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/^error \[route_no_private_target\]: This request is private/);
      expect(refused.stderr).not.toMatch(/^\s+at /m);

      const privateRoute = jsonOf<RouteDecision & { target: string }>(await stead(['routes', 'test', ...ws, '--data-class', 'private', '--json']));
      expect(privateRoute).toMatchObject({ dataClass: 'private', target: 'local/test-chat', candidates: [{ model: 'local/test-chat', locality: 'local' }] });
      expect(privateRoute.reason).toContain('1 hosted skipped: private');
    });

    it('routes test --key answers as for a call with that key: its default data class applies when none is given', async () => {
      const keyId = await withCore(async (core) => {
        const workspace = await core.workspaces.resolve('personal');
        const owner = (await core.auth.findUserByEmail('a@example.com'))!;
        const { key } = await core.keys.create(workspace.id, { name: 'private-tool', role: 'member' }, { userId: owner.id, role: 'owner' });
        await core.models.setDataClassDefault(workspace.id, key.id, 'private');
        return key.id;
      });
      const asKey = jsonOf<RouteDecision & { target: string }>(await stead(['routes', 'test', ...ws, '--key', keyId, '--json']));
      expect(asKey).toMatchObject({ dataClass: 'private', target: 'local/test-chat' });
      const unknown = await stead(['routes', 'test', ...ws, '--key', 'no-such-key']);
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toBe('error [key_not_found]: No API key no-such-key in this workspace\n');
    });

    it('providers test reaches the upstream; detect agrees with a probe from here; remove deletes', async () => {
      const tested = jsonOf<{ ok: boolean; models: number }>(await stead(['providers', 'test', ...ws, '--name', 'local', '--json']));
      expect(tested).toMatchObject({ ok: true, models: 2 });

      // On this machine nothing listens on 11434, 8080 or 1234; where something does, both must see the same.
      const expected = (await detectLocalModelServers()).map((server) => server.label);
      const detected = await stead(['providers', 'detect', ...ws]);
      expect(detected.code, detected.stderr).toBe(0);
      if (expected.length === 0) expect(detected.stdout).toMatch(/^No local model server answered \(Ollama on 127\.0\.0\.1:11434, llama\.cpp on 127\.0\.0\.1:8080, LM Studio on 127\.0\.0\.1:1234\)/);
      else for (const label of expected) expect(detected.stdout).toContain(`Found ${label} at`);

      const removed = await stead(['providers', 'remove', ...ws, '--name', 'local']);
      expect(removed.stdout).toMatch(/^Removed provider local \(/);
      await withCore(async (core) => {
        const { id } = await core.workspaces.resolve('personal');
        expect((await core.models.listProviders(id)).map((provider) => provider.name)).toEqual(['cloud']);
        const { events } = await core.audit.list(undefined, { limit: 50 });
        expect(events.filter((event) => event.actor.label === 'cli' && event.action.startsWith('model-provider.')).map((event) => event.action).sort()).toEqual(
          ['model-provider.create', 'model-provider.create', 'model-provider.delete', 'model-provider.test', 'model-provider.update', 'model-provider.update'],
        );
        // The start-up hint stays quiet once a workspace has a provider, even when a server answers.
        const detect = () => Promise.resolve([{ label: 'Ollama', models: ['a'], provider: { name: 'ollama', type: 'ollama' as const, baseUrl: 'http://127.0.0.1:11434', locality: 'local' as const } }]);
        expect(await suggestLocalModelServers(core, { detect, write: () => undefined })).toBeUndefined();
      });
    });

    it('providers list marks a provider declared in stead.config.yaml; providers remove refuses it and says where to change it', async () => {
      writeFileSync(
        join(root, 'stead.config.yaml'),
        `gateway:\n  providers:\n    - { name: declared-box, type: openai-compatible, baseUrl: "${upstream.baseUrl}", locality: local, models: [{ name: test-chat }] }\n` +
          `    - { name: declared-keyed, type: openai-compatible, baseUrl: "${upstream.baseUrl}", locality: local, apiKeyEnv: CLI_TEST_DECLARED_KEY, models: [{ name: test-chat }] }\n`,
      );
      try {
        // Only the server needs a declared provider's key: without the variable, `stead start` stops and says so,
        // while other commands work.
        const start = await stead(['start']);
        expect(start.code).toBe(1);
        expect(start.stderr).toContain('gateway.providers[1].apiKeyEnv: the environment variable CLI_TEST_DECLARED_KEY (API key of provider declared-keyed) is not set or empty; export it before starting Stead');
        const listed = async (variables: Env = {}) => jsonOf<{ providers: ProviderView[] }>(await stead(['providers', 'list', ...ws, '--json'], { env: variables })).providers;
        const providers = await listed();
        expect(providers.map((provider) => [provider.name, provider.declared, provider.modelCount, provider.hasApiKey])).toEqual([['cloud', false, 1, false], ['declared-box', true, 1, false], ['declared-keyed', true, 1, false]]);
        // With the variable the key is stored; a later command without it keeps the stored key.
        expect((await listed({ CLI_TEST_DECLARED_KEY: apiKey })).find((provider) => provider.name === 'declared-keyed')?.hasApiKey).toBe(true);
        expect((await listed()).find((provider) => provider.name === 'declared-keyed')?.hasApiKey).toBe(true);
        const refused = await stead(['providers', 'remove', ...ws, '--name', 'declared-box']);
        expect(refused.code).toBe(1);
        expect(refused.stderr).toBe('error [provider_read_only]: Provider declared-box is declared in stead.config.yaml and read-only here: change or remove it there and restart Stead\n');
      } finally {
        rmSync(join(root, 'stead.config.yaml'));
      }
    });
  });
};

describe('suggestLocalModelServers (the stead start hint)', () => {
  const server = { label: 'Ollama', models: ['a', 'b', 'c'], provider: { name: 'ollama', type: 'ollama' as const, baseUrl: 'http://127.0.0.1:11434', locality: 'local' as const } };
  const coreWith = (workspaces: { id: string; slug: string }[], providerCount = 0) =>
    ({ workspaces: { listAll: () => Promise.resolve(workspaces) }, models: { listProviders: () => Promise.resolve(Array.from({ length: providerCount })) } }) as unknown as Parameters<typeof suggestLocalModelServers>[0];

  it('prints one line naming the server, its models and how to add it when no provider exists', async () => {
    const lines: string[] = [];
    await suggestLocalModelServers(coreWith([{ id: 'w1', slug: 'personal' }]), { detect: () => Promise.resolve([server]), write: (line) => lines.push(line) });
    expect(lines).toEqual(['Found Ollama at http://127.0.0.1:11434 with 3 models: add it with `stead providers detect --workspace personal --add` or from Models in the dashboard']);
  });

  it('stays quiet when nothing answers, when a provider exists, and when anything fails', async () => {
    const lines: string[] = [];
    const write = (line: string) => lines.push(line);
    await suggestLocalModelServers(coreWith([]), { detect: () => Promise.resolve([]), write });
    await suggestLocalModelServers(coreWith([{ id: 'w1', slug: 'personal' }], 1), { detect: () => Promise.resolve([server]), write });
    await suggestLocalModelServers(coreWith([]), { detect: () => Promise.reject(new Error('boom')), write });
    expect(lines).toEqual([]);
  });
});

modelsSuite('sqlite');
modelsSuite('postgres');
