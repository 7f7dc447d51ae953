import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import { systemClock } from '../clock/clock.ts';
import type { Clock, Ids } from '../clock/clock.ts';
import type { ChatCompletionChunk, ChatCompletionRequest } from './chat-completion.types.ts';
import { chunkFactory, contentText, maxOutputTokens, stopSequences } from './chat-translation.ts';
import type { ModelProvider } from './model-provider.port.ts';
import { ProviderError, unsupported } from './provider-error.ts';

/*
 * UNTESTED HERE: node-llama-cpp (about 670 MB with its binaries) is not installed on the machines that build
 * Stead, and no model weights can be downloaded, so only the "not installed" path and the translation over a
 * stand-in module are tested. The calls below follow node-llama-cpp 3.x (`getLlama`, `loadModel`,
 * `createContext`, `LlamaChatSession`). Tools, JSON output, images and embeddings are left out.
 */

export interface GgufProviderOptions {
  /** Path of the `.gguf` file to load on first use. */
  modelPath: string;
  /** The `model` name this provider answers to. Default: the file name without `.gguf`. */
  modelId?: string;
  /** Context window in tokens. Default: node-llama-cpp's choice for the model and free memory. */
  contextSize?: number;
  /** Loads node-llama-cpp. Default `import('node-llama-cpp')`; tests pass a stand-in. */
  importModule?: () => Promise<unknown>;
  /** Default the system clock. */
  clock?: Clock;
  /** Default random UUIDs. */
  ids?: Ids;
}

type HistoryItem = { type: 'system'; text: string } | { type: 'user'; text: string } | { type: 'model'; response: string[] };

interface PromptOptions {
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  seed?: number;
  customStopTriggers?: string[];
  signal?: AbortSignal;
  onTextChunk?: (text: string) => void;
}

interface ChatSession {
  setChatHistory(history: HistoryItem[]): void;
  prompt(text: string, options: PromptOptions): Promise<string>;
  dispose(): void;
}

interface LlamaModule {
  getLlama(): Promise<{ loadModel(options: { modelPath: string }): Promise<{ createContext(options: { contextSize?: number }): Promise<{ getSequence(): unknown }> }> }>;
  LlamaChatSession: new (options: { contextSequence: unknown }) => ChatSession;
}

export const ggufMissingMessage = 'The gguf provider type needs node-llama-cpp (about 670 MB): run npm install node-llama-cpp in apps/server, then restart Stead';

// A variable specifier keeps TypeScript and bundlers from resolving an optional package at build time.
const optionalPackage = 'node-llama-cpp';
const importNodeLlamaCpp = (): Promise<unknown> => import(optionalPackage);

const isMissingPackage = (error: unknown): boolean =>
  error instanceof Error && (error as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND' && error.message.includes(optionalPackage);

/** Splits the conversation into the history node-llama-cpp keeps and the user turn to prompt with. */
const toHistory = (request: ChatCompletionRequest): { history: HistoryItem[]; prompt: string } => {
  const last = request.messages.at(-1);
  if (last?.role !== 'user') throw unsupported('gguf', 'the last message must be a user message');
  const history = request.messages.slice(0, -1).map((message): HistoryItem => {
    if (message.role === 'system' || message.role === 'developer') return { type: 'system', text: contentText(message.content) };
    if (message.role === 'user') return { type: 'user', text: contentText(message.content) };
    if (message.role === 'assistant' && !message.tool_calls?.length) return { type: 'model', response: [contentText(message.content)] };
    throw unsupported('gguf', 'tool calls and tool results are not supported by the in-process provider');
  });
  return { history, prompt: contentText(last.content) };
};

const promptOptions = (request: ChatCompletionRequest, signal?: AbortSignal): PromptOptions => {
  const options: PromptOptions = {};
  const maxTokens = maxOutputTokens(request);
  if (maxTokens !== undefined) options.maxTokens = maxTokens;
  if (request.temperature != null) options.temperature = request.temperature;
  if (request.top_p != null) options.topP = request.top_p;
  if (request.seed != null) options.seed = request.seed;
  const stop = stopSequences(request);
  if (stop) options.customStopTriggers = stop;
  if (signal) options.signal = signal;
  return options;
};

/** In-process GGUF models through node-llama-cpp, an optional dependency loaded on first use. */
export const createGgufProvider = (options: GgufProviderOptions): ModelProvider => {
  const modelId = options.modelId ?? basename(options.modelPath).replace(/\.gguf$/i, '');
  const clock = options.clock ?? systemClock;
  const nextId = (): string => options.ids?.next() ?? randomUUID();
  let loaded: Promise<{ module: LlamaModule; sequence: unknown }> | undefined;
  // One context sequence serves one prompt at a time; calls wait their turn.
  let queue: Promise<unknown> = Promise.resolve();

  const load = async (): Promise<{ module: LlamaModule; sequence: unknown }> => {
    let module: LlamaModule;
    try {
      module = (await (options.importModule ?? importNodeLlamaCpp)()) as LlamaModule;
    } catch (error) {
      throw new ProviderError({ code: 'provider_unavailable', provider: 'gguf', phase: 'connect', message: isMissingPackage(error) ? ggufMissingMessage : `node-llama-cpp failed to load: ${String(error)}`, cause: error });
    }
    const llama = await module.getLlama();
    const model = await llama.loadModel({ modelPath: options.modelPath });
    const context = await model.createContext(options.contextSize === undefined ? {} : { contextSize: options.contextSize });
    return { module, sequence: context.getSequence() };
  };

  /** Runs one prompt; `onText` receives the answer as it is generated. */
  const run = (request: ChatCompletionRequest, signal: AbortSignal | undefined, onText?: (text: string) => void): Promise<string> => {
    const turn = queue.then(async () => {
      loaded ??= load();
      const { module, sequence } = await loaded.catch((error: unknown) => {
        loaded = undefined; // a failed load (package missing, bad file) is tried again on the next call
        throw error;
      });
      const { history, prompt } = toHistory(request);
      const session = new module.LlamaChatSession({ contextSequence: sequence });
      try {
        session.setChatHistory(history);
        return await session.prompt(prompt, { ...promptOptions(request, signal), ...(onText ? { onTextChunk: onText } : {}) });
      } finally {
        session.dispose();
      }
    });
    queue = turn.catch(() => undefined);
    return turn;
  };

  const identity = () => ({ id: `chatcmpl-${nextId()}`, model: modelId, created: Math.floor(clock.now().getTime() / 1000) });

  return {
    type: 'gguf',
    capabilities: { tools: false, jsonOutput: false, vision: false, embeddings: false, modelDiscovery: false, passthrough: false },

    chat: async (request, callOptions) => {
      const text = await run(request, callOptions?.signal);
      return { ...identity(), object: 'chat.completion', choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }] };
    },

    streamChat: (request, callOptions) => ({
      async *[Symbol.asyncIterator](): AsyncGenerator<ChatCompletionChunk> {
        const chunks = chunkFactory(identity());
        const pending: string[] = [];
        let wake: (() => void) | undefined;
        let settled = false;
        // Stopping the iteration early stops the generation too, not only the caller's signal.
        const controller = new AbortController();
        const outer = callOptions?.signal;
        const forward = (): void => controller.abort(outer?.reason);
        if (outer?.aborted) forward();
        outer?.addEventListener('abort', forward, { once: true });
        const done = run(request, controller.signal, (text) => {
          pending.push(text);
          wake?.();
        }).finally(() => {
          settled = true;
          wake?.();
        });
        done.catch(() => undefined); // observed below; keeps an early break from leaving it unhandled
        let first = true;
        try {
          for (;;) {
            const text = pending.shift();
            if (text !== undefined) {
              yield chunks.delta(first ? { role: 'assistant', content: text } : { content: text });
              first = false;
            } else if (settled) break;
            else await new Promise<void>((resolve) => (wake = resolve));
          }
          await done;
          yield chunks.delta(first ? { role: 'assistant' } : {}, 'stop');
        } finally {
          outer?.removeEventListener('abort', forward);
          controller.abort();
        }
      },
    }),

    embed: async () => {
      throw unsupported('gguf', 'embeddings are not offered by the in-process provider');
    },

    listModels: async () => [{ id: modelId, ownedBy: 'local', capabilities: ['chat'] }],
  };
};
