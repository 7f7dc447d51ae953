import { createAnthropicProvider } from './anthropic.adapter.ts';
import type { AnthropicProviderOptions } from './anthropic.adapter.ts';
import { createGgufProvider } from './gguf.adapter.ts';
import type { GgufProviderOptions } from './gguf.adapter.ts';
import { createHuggingFaceProvider } from './huggingface.adapter.ts';
import type { HuggingFaceProviderOptions } from './huggingface.adapter.ts';
import type { ModelProvider } from './model-provider.port.ts';
import { createOllamaProvider } from './ollama.adapter.ts';
import type { OllamaProviderOptions } from './ollama.adapter.ts';
import { createOpenAiCompatibleProvider } from './openai-compatible.adapter.ts';
import type { OpenAiCompatibleProviderOptions } from './openai-compatible.adapter.ts';

/** The options each provider type takes. */
export interface ModelProviderOptionsByType {
  'openai-compatible': OpenAiCompatibleProviderOptions;
  ollama: OllamaProviderOptions;
  anthropic: AnthropicProviderOptions;
  huggingface: HuggingFaceProviderOptions;
  gguf: GgufProviderOptions;
}

export type ModelProviderType = keyof ModelProviderOptionsByType;

export const modelProviderTypes = ['openai-compatible', 'ollama', 'anthropic', 'huggingface', 'gguf'] as const satisfies readonly ModelProviderType[];

const factories: { [Type in ModelProviderType]: (options: ModelProviderOptionsByType[Type]) => ModelProvider } = {
  'openai-compatible': createOpenAiCompatibleProvider,
  ollama: createOllamaProvider,
  anthropic: createAnthropicProvider,
  huggingface: createHuggingFaceProvider,
  gguf: createGgufProvider,
};

/**
 * Builds the adapter for a provider type. Nothing is sent and no optional package is loaded here: the gguf
 * type reports a missing node-llama-cpp on its first call, so a configured but unusable provider still lists.
 */
export const createModelProvider = <Type extends ModelProviderType>(type: Type, options: ModelProviderOptionsByType[Type]): ModelProvider => {
  const factory = factories[type] as ((options: ModelProviderOptionsByType[Type]) => ModelProvider) | undefined;
  if (!factory) throw new TypeError(`Unknown model provider type ${String(type)}; known: ${modelProviderTypes.join(', ')}`);
  return factory(options);
};
