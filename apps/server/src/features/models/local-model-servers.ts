import type { Locality } from './models.schema.ts';

/** How to ask one kind of local model server for its models, and how to add it as a provider. */
export interface LocalModelServerProbe {
  /** For people: `Ollama`, `llama.cpp`, `LM Studio`. */
  label: string;
  /** The provider name suggested when it is added. */
  providerName: string;
  type: 'ollama' | 'openai-compatible';
  /** The provider base URL, as `stead providers add --base-url` takes it. */
  baseUrl: string;
  /** Path under `baseUrl` that lists the models (`/api/tags` for Ollama, `/models` for OpenAI-compatible). */
  listPath: string;
}

/** The default ports of the servers people run on their own machine. */
export const localModelServerProbes: readonly LocalModelServerProbe[] = [
  { label: 'Ollama', providerName: 'ollama', type: 'ollama', baseUrl: 'http://127.0.0.1:11434', listPath: '/api/tags' },
  { label: 'llama.cpp', providerName: 'llama-cpp', type: 'openai-compatible', baseUrl: 'http://127.0.0.1:8080/v1', listPath: '/models' },
  { label: 'LM Studio', providerName: 'lm-studio', type: 'openai-compatible', baseUrl: 'http://127.0.0.1:1234/v1', listPath: '/models' },
];

/** A server that answered, with the provider that would reach it. */
export interface LocalModelServer {
  label: string;
  models: string[];
  provider: { name: string; type: LocalModelServerProbe['type']; baseUrl: string; locality: Locality };
}

export interface DetectLocalModelServersOptions {
  /** Default: the global `fetch`. */
  fetch?: typeof fetch;
  /** Per probe. Default 500 ms: a server on loopback answers in a few milliseconds or is not there. */
  timeoutMs?: number;
  /** Default: {@link localModelServerProbes}. */
  probes?: readonly LocalModelServerProbe[];
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The model ids in a list answer, or `undefined` when the body is not the protocol's shape. Port 8080 is
 * popular with anything, so only a real model list counts as a model server.
 */
const modelIdsOf = (type: LocalModelServerProbe['type'], body: unknown): string[] | undefined => {
  if (!isRecord(body)) return undefined;
  const entries = type === 'ollama' ? body.models : body.data;
  if (!Array.isArray(entries)) return undefined;
  const ids = entries.map((entry) => (isRecord(entry) ? (type === 'ollama' ? (entry.name ?? entry.model) : entry.id) : undefined));
  return ids.every((id): id is string => typeof id === 'string') ? ids : undefined;
};

const probe = async (target: LocalModelServerProbe, fetchImpl: typeof fetch, timeoutMs: number): Promise<LocalModelServer | undefined> => {
  try {
    const response = await fetchImpl(`${target.baseUrl}${target.listPath}`, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
    if (!response.ok) {
      await response.body?.cancel();
      return undefined;
    }
    const models = modelIdsOf(target.type, await response.json());
    return models && { label: target.label, models, provider: { name: target.providerName, type: target.type, baseUrl: target.baseUrl, locality: 'local' } };
  } catch {
    // Refused, timed out or not JSON: nothing usable listens there.
    return undefined;
  }
};

/**
 * Looks for Ollama, llama.cpp and LM Studio on their default loopback ports, in parallel, and returns those that
 * answered with a model list, in probe order. Never throws. This bypasses the egress client on purpose: it only
 * reaches the fixed addresses above, never one taken from input, and it adds nothing; adding a found server as
 * a `local` provider is what allows its address for model calls.
 */
export const detectLocalModelServers = async ({ fetch: fetchImpl = fetch, timeoutMs = 500, probes = localModelServerProbes }: DetectLocalModelServersOptions = {}): Promise<LocalModelServer[]> => {
  const found = await Promise.all(probes.map((target) => probe(target, fetchImpl, timeoutMs)));
  return found.filter((server): server is LocalModelServer => server !== undefined);
};

/** Same address, spelled `localhost` or `127.0.0.1`, with or without a trailing slash. */
export const sameBaseUrl = (left: string, right: string): boolean => {
  const normal = (url: string) => url.replace(/\/+$/, '').replace('//localhost:', '//127.0.0.1:');
  return normal(left) === normal(right);
};

/** The suggested name, or the first numbered one (`ollama-2`) no provider has, so adding keeps both. */
export const freeProviderName = (suggested: string, taken: ReadonlySet<string>): string => {
  let name = suggested;
  for (let suffix = 2; taken.has(name); suffix += 1) name = `${suggested}-${suffix}`;
  return name;
};
