import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isSteadError, type SteadError } from '../platform/errors/stead-error.ts';
import { loadConfig, maskConfig } from './config.loader.ts';
import { configSchema, envNameOf, yamlOnlyConfigKeys, type SteadConfig } from './config.schema.ts';

let cwd: string;

beforeEach(() => {
  cwd = mkdtempSync(join(tmpdir(), 'stead-config-'));
});
afterEach(() => {
  rmSync(cwd, { recursive: true, force: true });
});

// Every test passes its own env, so the developer's STEAD_* variables never leak in.
const load = (env: Record<string, string> = {}) => loadConfig({ env, cwd });

const writeYaml = (content: string, name = 'stead.config.yaml'): string => {
  const file = join(cwd, name);
  writeFileSync(file, content);
  return file;
};

/** The SteadError `run` throws; fails the test when it throws something else or nothing. */
const errorOf = (run: () => unknown): SteadError => {
  try {
    run();
  } catch (error) {
    if (isSteadError(error)) return error;
    throw error;
  }
  throw new Error('expected a SteadError, nothing was thrown');
};

describe('loadConfig', () => {
  it('uses the defaults and resolves dataDir against the working directory', () => {
    const { config, file } = load();
    expect(config.host).toBe('127.0.0.1');
    expect(config.port).toBe(7070);
    expect(config.dataDir).toBe(join(cwd, 'data'));
    expect(config.logLevel).toBe('info');
    expect(config.allowedOrigins).toEqual([]);
    expect(config.trustProxy).toBe(false);
    expect(config.databaseUrl).toBeUndefined();
    expect(file).toBeUndefined();
  });

  it('reads stead.config.yaml from the working directory', () => {
    const file = writeYaml('port: 8080\nhost: 0.0.0.0\ndataDir: ./state\n');
    const loaded = load();
    expect(loaded.file).toBe(file);
    expect(loaded.config).toMatchObject({ port: 8080, host: '0.0.0.0', dataDir: join(cwd, 'state') });
  });

  it('lets the environment win over the YAML file', () => {
    writeYaml('port: 8080\nlogLevel: debug\n');
    const { config } = load({ STEAD_PORT: '9090' });
    expect(config.port).toBe(9090);
    expect(config.logLevel).toBe('debug');
  });

  it('reads the file STEAD_CONFIG points at, relative to the working directory', () => {
    mkdirSync(join(cwd, 'etc'));
    const file = writeYaml('port: 8181\nsessionTtlDays: 3\n', 'etc/custom.yaml');
    // The default file is ignored once STEAD_CONFIG names another one.
    writeYaml('port: 1111\n');
    const loaded = load({ STEAD_CONFIG: 'etc/custom.yaml', STEAD_SESSION_TTL_DAYS: '5' });
    expect(loaded.file).toBe(file);
    expect(loaded.config.port).toBe(8181);
    expect(loaded.config.sessionTtlDays).toBe(5);
  });

  it('treats an empty YAML file and empty environment values as unset', () => {
    writeYaml('');
    const { config } = load({ STEAD_PORT: '', STEAD_DATABASE_URL: '' });
    expect(config.port).toBe(7070);
    expect(config.databaseUrl).toBeUndefined();
  });

  it('parses comma-separated origins and booleans from the environment', () => {
    const { config } = load({
      STEAD_ALLOWED_ORIGINS: 'https://a.example.com, https://b.example.com/path',
      STEAD_TRUST_PROXY: 'true',
      STEAD_PUBLIC_URL: 'https://stead.example.com/',
    });
    expect(config.allowedOrigins).toEqual(['https://a.example.com', 'https://b.example.com']);
    expect(config.trustProxy).toBe(true);
    expect(config.publicUrl).toBe('https://stead.example.com');
  });

  it('accepts a YAML list for allowedOrigins', () => {
    writeYaml('allowedOrigins:\n  - https://a.example.com\n  - https://b.example.com\n');
    expect(load().config.allowedOrigins).toEqual(['https://a.example.com', 'https://b.example.com']);
  });

  it('stops on an invalid environment value, naming the variable', () => {
    const error = errorOf(() => load({ STEAD_PORT: 'abc' }));
    expect(error.code).toBe('config_invalid');
    expect(error.message).toMatch(/^STEAD_PORT: /);
  });

  it('names the file and key of an invalid YAML value', () => {
    const file = writeYaml('port: abc\n');
    const error = errorOf(() => load());
    expect(error.code).toBe('config_invalid');
    expect(error.message.startsWith(`port (in ${file}): `)).toBe(true);
  });

  it('lists the accepted values of an enumerated setting', () => {
    const error = errorOf(() => load({ STEAD_LOG_LEVEL: 'loud' }));
    expect(error.code).toBe('config_invalid');
    expect(error.message).toMatch(/^STEAD_LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent$/);
  });

  it('explains what a setting with a custom rule accepts', () => {
    expect(errorOf(() => load({ STEAD_DATABASE_URL: 'mysql://db/stead' })).message).toBe(
      'STEAD_DATABASE_URL: must start with postgres:// or postgresql://',
    );
    expect(errorOf(() => load({ STEAD_METRICS_TOKEN: 'short' })).message).toBe('STEAD_METRICS_TOKEN: must be at least 16 characters');
  });

  it('refuses an unknown STEAD_ variable, but not the test suite variables', () => {
    const error = errorOf(() => load({ STEAD_FOO: '1' }));
    expect(error.code).toBe('config_invalid');
    expect(error.message).toMatch(/^STEAD_FOO: not a Stead setting/);
    expect(() => load({ STEAD_TEST_POSTGRES_URL: 'postgres://localhost/test', OTHER_FOO: '1' })).not.toThrow();
  });

  it('refuses an unknown YAML key', () => {
    const file = writeYaml('port: 8080\nprot: 8081\n');
    const error = errorOf(() => load());
    expect(error.code).toBe('config_invalid');
    expect(error.message).toBe(`${file}: unknown setting prot`);
  });

  it('refuses a YAML file that is not a mapping', () => {
    const file = writeYaml('- port\n- host\n');
    expect(errorOf(() => load()).message).toBe(`${file}: expected a mapping of settings at the top level`);
  });

  it('reports a YAML syntax error as config_invalid naming the file', () => {
    const file = writeYaml('port: [\n');
    const error = errorOf(() => load());
    expect(error.code).toBe('config_invalid');
    expect(error.message.startsWith(`${file}: `)).toBe(true);
  });

  it('refuses STEAD_CONFIG pointing at a missing file', () => {
    const error = errorOf(() => load({ STEAD_CONFIG: 'missing.yaml' }));
    expect(error.code).toBe('config_invalid');
    expect(error.message).toBe(`STEAD_CONFIG: file ${join(cwd, 'missing.yaml')} does not exist`);
  });

  it('refuses STEAD_CONFIG pointing at a directory', () => {
    expect(errorOf(() => load({ STEAD_CONFIG: '.' })).code).toBe('config_invalid');
  });
});

describe('loadConfig: the gateway block', () => {
  const gateway = `
gateway:
  providers:
    - name: ollama
      type: ollama
      baseUrl: http://127.0.0.1:11434/
      locality: local
      models:
        - name: llama3.2
          capabilities: [chat, tools]
          contextLength: 131072
    - name: openai
      type: openai-compatible
      baseUrl: https://api.openai.com/v1
      locality: hosted
      apiKeyEnv: OPENAI_API_KEY
      timeouts: { connectMs: 5000 }
  aliases:
    fast: [ollama/llama3.2]
  rules:
    - name: private-stays-local
      match: { dataClasses: [private] }
      targets: [ollama/llama3.2]
      cacheTtlSeconds: 300
`;

  it('reads providers, models, aliases and rules, with the defaults of the API', () => {
    writeYaml(gateway);
    const { config } = load({ OPENAI_API_KEY: 'sk-from-env' });
    expect(config.gateway.providers[0]).toMatchObject({ name: 'ollama', type: 'ollama', locality: 'local', models: [{ name: 'llama3.2', capabilities: ['chat', 'tools'], contextLength: 131072, inputPricePerMillion: null }] });
    expect(config.gateway.providers[1]).toMatchObject({ name: 'openai', apiKeyEnv: 'OPENAI_API_KEY', models: [], timeouts: { connectMs: 5000 } });
    expect(config.gateway.aliases).toEqual({ fast: ['ollama/llama3.2'] });
    expect(config.gateway.rules).toEqual([{ name: 'private-stays-local', match: { dataClasses: ['private'] }, targets: ['ollama/llama3.2'], enabled: true, cacheTtlSeconds: 300 }]);
    // The key stays in the environment: the configuration (printed by stead doctor) holds only the variable's name.
    expect(JSON.stringify(maskConfig(config))).not.toContain('sk-from-env');
    writeYaml('port: 8080\n');
    expect(load().config.gateway).toEqual({ providers: [], aliases: {}, rules: [] });
  });

  it('names the path of an invalid entry in the gateway block', () => {
    const file = writeYaml('gateway:\n  providers:\n    - name: ollama\n      type: olama\n      baseUrl: http://127.0.0.1:11434\n      locality: local\n');
    const error = errorOf(() => load());
    expect(error.code).toBe('config_invalid');
    expect(error.message).toBe(`gateway.providers[0].type (in ${file}): must be one of openai-compatible, ollama, anthropic, huggingface, gguf`);
    writeYaml('gateway:\n  providers:\n    - { name: a, type: ollama, baseUrl: http://x, locality: local, apiKey: sk-in-file }\n');
    expect(errorOf(() => load()).message).toBe(`gateway.providers[0] (in ${file}): unknown key apiKey`);
    writeYaml('gateway:\n  rules:\n    - { name: r, targets: [a], match: { budgetRemainingBelowPercent: 120 } }\n');
    expect(errorOf(() => load()).message).toMatch(/^gateway\.rules\[0\]\.match\.budgetRemainingBelowPercent \(in .*\): Too big/);
    writeYaml('gateway:\n  providers:\n    - { name: a, type: ollama, baseUrl: http://x, locality: local }\n    - { name: a, type: ollama, baseUrl: http://y, locality: local }\n');
    expect(errorOf(() => load()).message).toBe(`gateway.providers[1].name (in ${file}): a is declared twice`);
    writeYaml('gateway:\n  aliases:\n    auto: [a/b]\n');
    expect(errorOf(() => load()).message).toMatch(/^gateway\.aliases\.auto \(in .*\): /);
  });

  it('loads with the variable a provider names for its API key unset (the server\'s start checks it), and accepts it as a STEAD_ name', () => {
    writeYaml(gateway);
    expect(load().config.gateway.providers[1]!.apiKeyEnv).toBe('OPENAI_API_KEY');
    writeYaml(gateway.replace('OPENAI_API_KEY', 'STEAD_OPENAI_KEY'));
    expect(load({ STEAD_OPENAI_KEY: 'sk-1' }).config.gateway.providers[1]!.apiKeyEnv).toBe('STEAD_OPENAI_KEY');
  });

  it('is read from the file only: no environment variable sets it', () => {
    expect(errorOf(() => load({ STEAD_GATEWAY: '{}' })).message).toMatch(/^STEAD_GATEWAY: not a Stead setting/);
  });
});

describe('maskConfig', () => {
  const base = configSchema.parse({});
  const masked = (config: Partial<SteadConfig>) => maskConfig({ ...base, ...config });

  it('masks the secret key and the metrics token', () => {
    const result = masked({ secretKey: 'a'.repeat(44), metricsToken: 'token-with-16-chars' });
    expect(result.secretKey).toBe('****');
    expect(result.metricsToken).toBe('****');
  });

  it('masks the credentials of database and Redis URLs but keeps where they point', () => {
    const result = masked({ databaseUrl: 'postgres://stead:s3cret@db.internal:5432/stead', redisUrl: 'redis://:r3dis@cache:6379/0' });
    expect(result.databaseUrl).toBe('postgres://****@db.internal:5432/stead');
    expect(result.redisUrl).toBe('redis://****@cache:6379/0');
  });

  it('masks a password holding an unencoded @ completely', () => {
    const result = masked({ databaseUrl: 'postgres://stead:p@ss@db.internal/stead?sslmode=require' });
    expect(result.databaseUrl).toBe('postgres://****@db.internal/stead?sslmode=require');
  });

  it('leaves a URL without credentials and the other settings alone', () => {
    const result = masked({ databaseUrl: 'postgres://db.internal/stead?user=x@y' });
    expect(result.databaseUrl).toBe('postgres://db.internal/stead?user=x@y');
    expect(result.port).toBe(7070);
    expect(result.secretKey).toBeUndefined();
  });
});

describe('docs/configuration.md', () => {
  const docs = readFileSync(new URL('../../../../docs/configuration.md', import.meta.url), 'utf8');

  // A new setting without documentation fails here rather than surprising people.
  it.each(Object.keys(configSchema.shape).filter((key) => !(yamlOnlyConfigKeys as string[]).includes(key)))('documents %s by its YAML key and environment variable', (key) => {
    expect(docs).toContain(`\`${envNameOf(key)}\``);
    expect(docs).toContain(`\`${key}\``);
  });

  it.each(yamlOnlyConfigKeys)('documents %s as a YAML-only key, without an environment variable', (key) => {
    expect(docs).toMatch(new RegExp(`^\\| \`${key}\` \\| \\(YAML only\\) \\|`, 'm'));
    expect(docs).not.toContain(`\`${envNameOf(key)}\``);
  });
});

describe('configOriginOf', () => {
  it('names where each setting came from: environment over file over default', async () => {
    const { configOriginOf } = await import('./config.loader.ts');
    const file = writeYaml('port: 8080\nlogLevel: warn\n');
    const { config } = load({ STEAD_LOG_LEVEL: 'debug', STEAD_EGRESS_ALLOWED_HOSTS: '10.0.0.0/8' });
    const origin = configOriginOf(config);
    expect(origin.file).toBe(file);
    expect(origin.sources).toMatchObject({ port: 'file', logLevel: 'environment', egressAllowedHosts: 'environment', host: 'default', logFormat: 'default' });
    expect(configOriginOf(loadConfig({ env: {}, cwd, overrides: { port: 9090 } }).config).sources.port).toBe('override');
  });

  it('tells defaults from other values for a configuration built without loadConfig', async () => {
    const { configOriginOf } = await import('./config.loader.ts');
    const origin = configOriginOf(configSchema.parse({ port: 1234 }));
    expect(origin).toMatchObject({ file: null, sources: { port: 'override', host: 'default' } });
  });
});
