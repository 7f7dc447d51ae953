import type { Clock, Ids } from '../../platform/clock/clock.ts';
import type { EgressClient } from '../../platform/egress/egress.port.ts';
import { SteadError } from '../../platform/errors/stead-error.ts';
import { createModelProvider } from '../../platform/model-provider/model-provider.factory.ts';
import type { ModelProvider } from '../../platform/model-provider/model-provider.port.ts';
import { providerSecretName, type ModelsSecrets, type Provider, type RoutableModel } from './models.types.ts';
import { localModelServerPorts, providerEgressGrant, type ProviderAddressFacts } from './provider-egress.ts';

/** What building a provider's adapter needs to know of it. */
export type ProviderConnection = Pick<Provider, 'id' | 'workspaceId' | 'type' | 'baseUrl' | 'locality' | 'hasApiKey' | 'name' | 'timeouts' | 'declared'>;

/** One adapter per provider, each on an egress client with that provider's rules (see `provider-egress.ts`). */
export interface ProviderClients {
  /** The provider's adapter, built on first use and kept until dropped. */
  of(provider: ProviderConnection): Promise<ModelProvider>;
  /** The adapter of a routed model's provider (the gateway's hot path). */
  ofModel(model: RoutableModel): Promise<ModelProvider>;
  /**
   * Refuses a provider whose address its egress rules would refuse, before it is stored: the same check every
   * call makes, with a message that says how an administrator allows it. A name that does not resolve now is
   * not refused here (discovery reports it).
   */
  checkAddress(provider: ProviderAddressFacts): Promise<void>;
  /** Forgets a provider's adapter (its key, timeouts or address changed, or it is gone). */
  drop(providerId: string): Promise<void>;
  close(): Promise<void>;
}

export interface ProviderClientsOptions {
  secrets: Pick<ModelsSecrets, 'reveal'>;
  clock: Clock;
  ids: Ids;
  /** Builds the egress client a provider's calls go through, with the allow rules given. */
  createEgress(allowedHosts: string[]): EgressClient;
  /** `STEAD_EGRESS_ALLOWED_HOSTS`: every provider's client gets these (and follows the instance's allowed hosts, see models.feature.ts). */
  egressAllowedHosts: string[];
}

export const createProviderClients = ({ secrets, clock, ids, createEgress, egressAllowedHosts }: ProviderClientsOptions): ProviderClients => {
  const clients = new Map<string, { provider: ModelProvider; egress: EgressClient }>();

  /** The egress rules of one provider: the administrator's, plus what `providerEgressGrant` gives it. */
  const egressOf = (facts: ProviderAddressFacts) => {
    const grant = providerEgressGrant(facts);
    return { grant, egress: createEgress(grant.allow.length > 0 ? [...egressAllowedHosts, ...grant.allow] : egressAllowedHosts) };
  };

  const of = async (connection: ProviderConnection): Promise<ModelProvider> => {
    const cached = clients.get(connection.id);
    if (cached) return cached.provider;
    const { grant, egress } = egressOf(connection);
    const fetch: EgressClient['request'] = grant.maxRedirects === undefined ? egress.request : (url, init) => egress.request(url, { ...init, maxRedirects: grant.maxRedirects });
    const apiKey = connection.hasApiKey ? await secrets.reveal(connection.workspaceId, providerSecretName(connection.id)) : undefined;
    const timeouts = connection.timeouts ?? undefined;
    const provider = createModelProvider(connection.type, { baseUrl: connection.baseUrl, apiKey, fetch, name: connection.name, clock, ids, timeouts } as never);
    clients.set(connection.id, { provider, egress });
    return provider;
  };

  return {
    of,
    async ofModel(model) {
      const cached = clients.get(model.providerId);
      if (cached) return cached.provider;
      const { providerId: id, workspaceId, providerType: type, baseUrl, locality, hasApiKey, providerName: name, timeouts, providerDeclared: declared } = model;
      return of({ id, workspaceId, type, baseUrl, locality, hasApiKey, name, timeouts, declared });
    },
    async checkAddress(facts) {
      const { egress } = egressOf(facts);
      try {
        const verdict = await egress.check(facts.baseUrl).catch(() => ({ allowed: true as const }));
        if (!verdict.allowed && facts.locality !== 'local') {
          // The usual cause is a model server on this machine added with the default locality, not a missing rule.
          const asLocal = providerEgressGrant({ ...facts, locality: 'local' }).allow.length > 0;
          throw new SteadError(
            'provider_address_local',
            `${facts.baseUrl} is on this machine or a private network, which makes it a Local provider. Choose locality local${
              asLocal
                ? '; Stead then reaches it at once'
                : `. As Local it still needs an instance administrator's rule (Instance settings → Allowed hosts, STEAD_EGRESS_ALLOWED_HOSTS or stead.config.yaml), since only loopback at a local model server's port (${[...localModelServerPorts].join(', ')}) is allowed without one`
            }`,
            { details: { field: 'locality', suggestedLocality: 'local' } },
          );
        }
        if (!verdict.allowed) {
          throw new SteadError(
            'egress_blocked',
            `${verdict.reason}. A provider reaches a private or loopback address only when an instance administrator allowed it: in Instance settings → Allowed hosts or STEAD_EGRESS_ALLOWED_HOSTS, by declaring the provider in stead.config.yaml, or (locality local) on loopback at a local model server's port (${[...localModelServerPorts].join(', ')})`,
            { details: { field: 'baseUrl' } },
          );
        }
      } finally {
        await egress.close();
      }
    },
    async drop(providerId) {
      const client = clients.get(providerId);
      clients.delete(providerId);
      await client?.egress.close();
    },
    async close() {
      await Promise.all([...clients.values()].map((client) => client.egress.close()));
      clients.clear();
    },
  };
};
