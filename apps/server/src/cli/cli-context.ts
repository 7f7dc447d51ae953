import { loadConfig } from '../config/config.loader.ts';
import type { SteadConfig } from '../config/config.schema.ts';
import { createCore, type SteadCore } from '../app.ts';

export const loadCliConfig = (): SteadConfig => loadConfig().config;

/**
 * Runs a CLI action on the data directory or database directly; no server needs to be running. A declared
 * provider's unset API key variable does not stop it (only `stead start` needs the key).
 */
export const withCore = async <T>(action: (core: SteadCore) => Promise<T>): Promise<T> => {
  const core = await createCore(loadCliConfig(), { requireDeclaredApiKeys: false });
  try {
    return await action(core);
  } finally {
    await core.close();
  }
};
