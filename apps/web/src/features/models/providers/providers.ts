/** The Providers tab's logic: provider type hints, declared models and timeouts of a new provider. */
import type { Locality, DeclaredModel, ModelCapability, ModelProvider, ProviderTimeouts, ProviderType } from '@/lib/api.ts';
import type { UpdateProviderRequest } from '../models.api.ts';
import { formatMs } from '../models.ts';

export const providerTypes: readonly ProviderType[] = ['openai-compatible', 'ollama', 'anthropic', 'huggingface', 'gguf'];

export interface ProviderTypeInfo {
  label: string;
  /** One line under the type select. */
  hint: string;
  placeholder: string;
  /** Where such a server usually runs; the form preselects it. */
  locality: Locality;
  /** Whether the type usually needs an API key. */
  needsKey: boolean;
}

export const providerTypeInfo: Record<ProviderType, ProviderTypeInfo> = {
  'openai-compatible': {
    label: 'OpenAI-compatible',
    hint: 'OpenAI, Groq, OpenRouter, Together, vLLM, llama.cpp server or LM Studio: anything that speaks /v1/chat/completions.',
    placeholder: 'https://api.openai.com/v1',
    locality: 'hosted',
    needsKey: true,
  },
  ollama: {
    label: 'Ollama',
    hint: 'A local Ollama server; its model list (tags) is read on adding.',
    placeholder: 'http://127.0.0.1:11434',
    locality: 'local',
    needsKey: false,
  },
  anthropic: {
    label: 'Anthropic',
    hint: 'Claude through the Messages API; tools and streaming are translated to the OpenAI format.',
    placeholder: 'https://api.anthropic.com',
    locality: 'hosted',
    needsKey: true,
  },
  huggingface: {
    label: 'Hugging Face',
    hint: 'The Inference Providers router (chat) and HF Inference (embeddings), with a Hugging Face token.',
    placeholder: 'https://router.huggingface.co',
    locality: 'hosted',
    needsKey: true,
  },
  gguf: {
    label: 'GGUF (in process)',
    hint: 'Runs a .gguf file inside Stead through the optional node-llama-cpp package; Test says how to install it.',
    placeholder: 'http://127.0.0.1',
    locality: 'local',
    needsKey: false,
  },
};

// ---------------------------------------------------------------------------------------------------------
// Declared models of a new provider

/** One declared model as the form holds it. */
export interface DeclaredModelRow {
  name: string;
  capabilities: ModelCapability[];
  contextLength: string;
  inputPrice: string;
  outputPrice: string;
}

export const emptyDeclaredModel = (): DeclaredModelRow => ({ name: '', capabilities: ['chat'], contextLength: '', inputPrice: '', outputPrice: '' });

/** A form row as the API takes it; empty numbers are "unknown" (null). Rows are validated by the form first. */
export function declaredModelRequest(row: DeclaredModelRow): DeclaredModel {
  const number = (text: string) => (text.trim() === '' ? null : Number(text));
  return {
    name: row.name.trim(),
    capabilities: row.capabilities.length > 0 ? [...row.capabilities] : ['chat'],
    contextLength: number(row.contextLength),
    inputPricePerMillion: number(row.inputPrice),
    outputPricePerMillion: number(row.outputPrice),
  };
}

/** Timeouts typed in seconds, as the API takes them (milliseconds); undefined when none was given. */
export function providerTimeouts(values: { connectSeconds: string; firstTokenSeconds: string; totalSeconds: string }): ProviderTimeouts | undefined {
  const ms = (text: string) => (text.trim() === '' ? undefined : Math.round(Number(text) * 1_000));
  const timeouts = { connectMs: ms(values.connectSeconds), firstTokenMs: ms(values.firstTokenSeconds), totalMs: ms(values.totalSeconds) };
  const given = Object.fromEntries(Object.entries(timeouts).filter(([, value]) => value !== undefined)) as ProviderTimeouts;
  return Object.keys(given).length > 0 ? given : undefined;
}

/** "connect 10 s · first token 60 s" for a provider's own timeouts; null when it uses the defaults. */
export function describeTimeouts(timeouts: ProviderTimeouts | null): string | null {
  if (!timeouts) return null;
  const parts = [
    timeouts.connectMs === undefined ? null : `connect ${formatMs(timeouts.connectMs)}`,
    timeouts.firstTokenMs === undefined ? null : `first token ${formatMs(timeouts.firstTokenMs)}`,
    timeouts.totalMs === undefined ? null : `total ${formatMs(timeouts.totalMs)}`,
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(' · ') : null;
}

// ---------------------------------------------------------------------------------------------------------
// Locality from the base URL

/** The ports of the model servers people run on their own machine (what "Detect local servers" probes). */
export const localModelServerPorts: Readonly<Record<string, string>> = { '11434': 'Ollama', '8080': 'llama.cpp', '1234': 'LM Studio' };

/** Where a base URL points, as far as its text tells (names are not resolved here; the server checks again). */
export type AddressKind = 'loopback' | 'private' | 'public';

const privateIpv4 = (parts: number[]): boolean => {
  const [a = -1, b = -1] = parts;
  return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168) || (a === 169 && b === 254) || (a === 100 && b >= 64 && b <= 127);
};

/** Loopback (this machine), private (a LAN, `.local`, a single-label name) or public. Undefined when it is no URL. */
export function addressKind(baseUrl: string): AddressKind | undefined {
  const text = baseUrl.trim();
  if (!/^https?:\/\//i.test(text) || !URL.canParse(text)) return undefined;
  const host = new URL(text).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost') || host === '::1' || host === '0.0.0.0' || /^127\./.test(host)) return 'loopback';
  const ipv4 = /^\d{1,3}(\.\d{1,3}){3}$/.test(host) ? host.split('.').map(Number) : undefined;
  if (ipv4) return privateIpv4(ipv4) ? 'private' : 'public';
  if (host.includes(':')) return /^(fc|fd|fe8|fe9|fea|feb)/.test(host) ? 'private' : 'public';
  if (!host.includes('.') || /\.(local|lan|internal|home\.arpa)$/.test(host)) return 'private';
  return 'public';
}

/** The locality the form suggests for a base URL, and the one line that says why. */
export interface LocalitySuggestion {
  locality: Locality;
  /** Why, for the line under the base URL; null when nothing points either way. */
  reason: string | null;
  /** Local on an address Stead reaches without an administrator's rule: loopback at a known model server port. */
  reachableAsLocal: boolean;
}

/**
 * Local for an address on this machine or a private network (and for Ollama-style ports), else the type's usual
 * locality. A hosted provider never reaches a private address, so suggesting Local there avoids the refusal.
 */
export function suggestLocality(baseUrl: string, type: ProviderType): LocalitySuggestion {
  const kind = addressKind(baseUrl);
  const port = kind ? new URL(baseUrl.trim()).port : '';
  const server = localModelServerPorts[port];
  if (kind === 'loopback') {
    return {
      locality: 'local',
      reason: server ? `This is ${server}'s port on this machine: a Local provider, reachable at once.` : 'This address is on this machine, so the provider is Local.',
      reachableAsLocal: server !== undefined,
    };
  }
  if (kind === 'private') return { locality: 'local', reason: 'This address is on your own network, so the provider is Local.', reachableAsLocal: false };
  if (kind === 'public' && server && (type === 'ollama' || type === 'openai-compatible')) {
    return { locality: 'local', reason: `Port ${port} is ${server}'s usual port: a model server you run yourself is Local.`, reachableAsLocal: false };
  }
  return { locality: providerTypeInfo[type].locality, reason: null, reachableAsLocal: false };
}

// ---------------------------------------------------------------------------------------------------------
// Editing a provider

/** The edit form's values as typed. */
export interface ProviderEditValues {
  name: string;
  baseUrl: string;
  locality: Locality;
  apiKey: string;
  removeApiKey: boolean;
  connectSeconds: string;
  firstTokenSeconds: string;
  totalSeconds: string;
}

/** Only what changed, so the audit log names the fields a person actually edited. The key is sent only when replaced or removed. */
export function providerChanges(provider: ModelProvider, values: ProviderEditValues): UpdateProviderRequest {
  const changes: UpdateProviderRequest = {};
  if (values.name !== provider.name) changes.name = values.name;
  if (values.baseUrl.replace(/\/+$/, '') !== provider.baseUrl) changes.baseUrl = values.baseUrl;
  if (values.locality !== provider.locality) changes.locality = values.locality;
  if (values.removeApiKey) changes.apiKey = null;
  else if (values.apiKey !== '') changes.apiKey = values.apiKey;
  const timeouts = providerTimeouts(values) ?? null;
  if (JSON.stringify(timeouts) !== JSON.stringify(provider.timeouts)) changes.timeouts = timeouts;
  return changes;
}

