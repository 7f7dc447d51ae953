import { localModelServerProbes } from './local-model-servers.ts';

/** What decides a provider's network reach: its address, its locality, and who made it. */
export interface ProviderAddressFacts {
  baseUrl: string;
  locality: string;
  /** Declared in `stead.config.yaml` (written by the instance's operator). */
  declared: boolean;
}

/** The egress rules one provider's calls get besides `STEAD_EGRESS_ALLOWED_HOSTS`. */
export interface ProviderEgressGrant {
  /** Host names or addresses allowed although private, for this provider's calls only. */
  allow: string[];
  /**
   * Redirects the provider's calls may follow. 0 for a grant bound to one port: egress rules name hosts, so a
   * redirect could otherwise lead the call to another port of the same loopback address.
   */
  maxRedirects?: number;
  /** Why, for messages and the docs. */
  reason: 'declared' | 'local model server port' | 'none';
}

const loopbackNames = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** Ports of the local model servers `stead providers detect` looks for (Ollama 11434, llama.cpp 8080, LM Studio 1234). */
export const localModelServerPorts: ReadonlySet<string> = new Set(localModelServerProbes.map((probe) => new URL(probe.baseUrl).port));

const bareHost = (url: URL): string => url.hostname.replace(/^\[|\]$/g, '');

/**
 * What "local" allows, decided here and only here. `locality: local` says where a provider's data goes (private
 * requests may only reach local providers); by itself it grants no network access. A provider may reach a private,
 * loopback or link-local address only when an instance administrator allowed it:
 *
 * - the address is in `STEAD_EGRESS_ALLOWED_HOSTS` (every provider of every workspace; applied by the caller);
 * - the provider is declared in `stead.config.yaml` with `locality: local`: its own host, for its calls only;
 * - the provider is `local` and its base URL is a loopback address (`127.0.0.1`, `[::1]`, `localhost`) at the port
 *   of a local model server `stead providers detect` knows: that host, for its calls only, and no redirects.
 *
 * Everything else on a private address is refused by the egress client, whoever added it.
 */
export const providerEgressGrant = (provider: ProviderAddressFacts): ProviderEgressGrant => {
  if (provider.locality !== 'local') return { allow: [], reason: 'none' };
  const url = new URL(provider.baseUrl);
  if (provider.declared) return { allow: [bareHost(url)], reason: 'declared' };
  if (loopbackNames.has(url.hostname) && localModelServerPorts.has(url.port)) return { allow: [bareHost(url)], maxRedirects: 0, reason: 'local model server port' };
  return { allow: [], reason: 'none' };
};
