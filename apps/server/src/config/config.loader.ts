import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { SteadError } from '../platform/errors/stead-error.ts';
import { maskUrlCredentials } from '../platform/logger/mask.ts';
import { configSchema, envNameOf, secretConfigKeys, yamlOnlyConfigKeys, type SteadConfig } from './config.schema.ts';

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Values that win over file and environment (tests, CLI flags). */
  overrides?: Record<string, unknown>;
}

/** Where a setting's value came from: the schema's default, the YAML file, an environment variable, or the caller (tests, CLI flags). */
export type ConfigSource = 'default' | 'file' | 'environment' | 'override';

/** Where a configuration came from: the YAML file read, if any, and the source of each setting. */
export interface ConfigOrigin {
  file: string | null;
  sources: Readonly<Record<string, ConfigSource>>;
}

// The origin of each configuration `loadConfig` made, by identity: the configuration object travels through the
// core unchanged, and a configuration built another way (tests) has none recorded.
const originByConfig = new WeakMap<SteadConfig, ConfigOrigin>();

/**
 * Where a configuration's settings came from. For one `loadConfig` did not make, a value equal to the schema's
 * default counts as `default` and any other as `override`.
 */
export const configOriginOf = (config: SteadConfig): ConfigOrigin => {
  const recorded = originByConfig.get(config);
  if (recorded) return recorded;
  const defaults = configSchema.parse({}) as Record<string, unknown>;
  const sourceOf = (key: string): ConfigSource =>
    JSON.stringify((config as Record<string, unknown>)[key]) === JSON.stringify(defaults[key]) ? 'default' : 'override';
  return { file: null, sources: Object.fromEntries(Object.keys(configSchema.shape).map((key) => [key, sourceOf(key)])) };
};

export interface LoadedConfig {
  config: SteadConfig;
  /** The YAML file that was read, if any. */
  file: string | undefined;
}

/**
 * Reads `stead.config.yaml` (or `STEAD_CONFIG`), then the environment, validates the result and resolves
 * paths. An invalid value stops here with a message naming the setting and what it accepts.
 */
export const loadConfig = (options: LoadConfigOptions = {}): LoadedConfig => {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const explicitFile = env.STEAD_CONFIG;
  const file = explicitFile ? resolve(cwd, explicitFile) : resolve(cwd, 'stead.config.yaml');
  let fromFile: Record<string, unknown> = {};
  if (existsSync(file)) {
    let parsed: unknown;
    try {
      parsed = parseYaml(readFileSync(file, 'utf8'));
    } catch (error) {
      // A YAML syntax error or an unreadable path is a configuration mistake: report it like one, without a stack.
      throw new SteadError('config_invalid', `${file}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
    if (parsed !== null && (typeof parsed !== 'object' || Array.isArray(parsed))) {
      throw new SteadError('config_invalid', `${file}: expected a mapping of settings at the top level`);
    }
    fromFile = (parsed as Record<string, unknown> | null) ?? {};
  } else if (explicitFile) {
    throw new SteadError('config_invalid', `STEAD_CONFIG: file ${file} does not exist`);
  }

  const envKeys = Object.keys(configSchema.shape).filter((key) => !(yamlOnlyConfigKeys as string[]).includes(key));
  const fromEnv: Record<string, unknown> = {};
  for (const key of envKeys) {
    const value = env[envNameOf(key)];
    if (value !== undefined && value !== '') fromEnv[key] = value;
  }
  // A variable the file names for a provider's API key is the administrator's, whatever its name.
  const knownEnv = new Set([...envKeys.map(envNameOf), 'STEAD_CONFIG', ...apiKeyVariablesOf(fromFile.gateway)]);
  const unknownEnv = Object.keys(env).filter(
    (name) => name.startsWith('STEAD_') && !knownEnv.has(name) && !name.startsWith('STEAD_TEST_'),
  );
  if (unknownEnv.length > 0) {
    throw new SteadError('config_invalid', `${unknownEnv[0]}: not a Stead setting (see docs/configuration.md)`);
  }

  const result = configSchema.safeParse({ ...fromFile, ...fromEnv, ...options.overrides });
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const key = String(issue.path[0] ?? '');
    const path = pathOf(issue.path);
    const source = key in fromEnv ? envNameOf(key) : key in fromFile ? `${path} (in ${file})` : path || file;
    throw new SteadError('config_invalid', `${source}: ${describeIssue(issue)}`);
  }
  const config = result.data;
  // A declared provider's API key variable is checked when the server starts (the models service's
  // `syncDeclared`), not here: a CLI command that does not start the server works without it.
  config.dataDir = resolve(cwd, config.dataDir);
  if (config.webDir) config.webDir = resolve(cwd, config.webDir);
  const sourceOf = (key: string): ConfigSource =>
    options.overrides && key in options.overrides ? 'override' : key in fromEnv ? 'environment' : key in fromFile ? 'file' : 'default';
  const readFile = existsSync(file) ? file : undefined;
  originByConfig.set(config, { file: readFile ?? null, sources: Object.fromEntries(Object.keys(configSchema.shape).map((key) => [key, sourceOf(key)])) });
  return { config, file: readFile };
};

/** `gateway.providers[0].type` */
const pathOf = (path: PropertyKey[]): string =>
  path.map((part, index) => (typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`)).join('');

const apiKeyVariablesOf = (gateway: unknown): string[] => {
  const providers = (gateway as { providers?: unknown } | null | undefined)?.providers;
  if (!Array.isArray(providers)) return [];
  return providers.map((provider) => (provider as { apiKeyEnv?: unknown } | null)?.apiKeyEnv).filter((name): name is string => typeof name === 'string');
};

const describeIssue = (issue: z.core.$ZodIssue): string => {
  if (issue.code === 'unrecognized_keys') return `unknown ${issue.path.length === 0 ? 'setting' : 'key'} ${issue.keys.join(', ')}`;
  if (issue.code === 'invalid_value') return `must be one of ${issue.values.map(String).join(', ')}`;
  return issue.message;
};

/**
 * The configuration as `stead doctor` prints it: secrets replaced by a mask. In URLs the whole user-info part
 * is masked up to its last `@`, because pg accepts an unencoded `@` inside a password.
 */
export const maskConfig = (config: SteadConfig): Record<string, unknown> => {
  const masked: Record<string, unknown> = { ...config };
  for (const key of secretConfigKeys) {
    const value = masked[key];
    if (typeof value === 'string') masked[key] = key.endsWith('Url') ? maskUrlCredentials(value) : '****';
  }
  return masked;
};
