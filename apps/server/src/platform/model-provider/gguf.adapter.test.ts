import { describe, expect, it } from 'vitest';
import { SteadError } from '../errors/stead-error.ts';
import { drain } from './fixture-replay.ts';
import { createGgufProvider, ggufMissingMessage } from './gguf.adapter.ts';

// node-llama-cpp is not installed here (and no weights can be downloaded): the real load path is untested.
// The contract suite does not apply: there is no upstream HTTP to replay, fail, stall or abort.

/** A stand-in for node-llama-cpp that records what the adapter asked of it. */
const standIn = (answer: string[]) => {
  const seen: { modelPath?: string; history?: unknown; prompt?: string; options?: Record<string, unknown> } = {};
  const module = {
    getLlama: async () => ({
      loadModel: async ({ modelPath }: { modelPath: string }) => {
        seen.modelPath = modelPath;
        return { createContext: async () => ({ getSequence: () => ({}) }) };
      },
    }),
    LlamaChatSession: class {
      setChatHistory(history: unknown) {
        seen.history = history;
      }
      async prompt(text: string, options: Record<string, unknown> & { onTextChunk?: (text: string) => void }) {
        seen.prompt = text;
        seen.options = options;
        for (const piece of answer) options.onTextChunk?.(piece);
        return answer.join('');
      }
      dispose() {}
    },
  };
  return { seen, importModule: async () => module };
};

describe('gguf adapter', () => {
  it('says how to install node-llama-cpp when it is absent, on first use rather than at construction', async () => {
    const provider = createGgufProvider({ modelPath: '/models/qwen2.5-0.5b-instruct-q4_k_m.gguf' });
    const error: unknown = await provider.chat({ model: 'qwen', messages: [{ role: 'user', content: 'hi' }] }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SteadError);
    expect(error).toMatchObject({ code: 'provider_unavailable', isRetryable: false });
    expect((error as Error).message).toBe('The gguf provider type needs node-llama-cpp (about 670 MB): run npm install node-llama-cpp in apps/server, then restart Stead');
    expect(ggufMissingMessage).toBe((error as Error).message);
    const streamed = await drain(provider.streamChat({ model: 'qwen', messages: [{ role: 'user', content: 'hi' }] }));
    expect(streamed.error).toMatchObject({ code: 'provider_unavailable' });
  });

  it('prompts a chat session with the earlier turns as history (stand-in module)', async () => {
    const { seen, importModule } = standIn(['Bon', 'jour ☀']);
    const provider = createGgufProvider({ modelPath: '/models/tiny.gguf', importModule, ids: { next: () => 'x' }, clock: { now: () => new Date(0) } });
    const completion = await provider.chat({
      model: 'tiny',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hello' },
        { role: 'assistant', content: 'Hi.' },
        { role: 'user', content: 'Say bonjour' },
      ],
      max_tokens: 20,
      temperature: 0.5,
      stop: 'END',
    });
    expect(seen).toMatchObject({
      modelPath: '/models/tiny.gguf',
      history: [{ type: 'system', text: 'Be brief.' }, { type: 'user', text: 'Hello' }, { type: 'model', response: ['Hi.'] }],
      prompt: 'Say bonjour',
      options: { maxTokens: 20, temperature: 0.5, customStopTriggers: ['END'] },
    });
    expect(completion).toEqual({ id: 'chatcmpl-x', object: 'chat.completion', created: 0, model: 'tiny', choices: [{ index: 0, message: { role: 'assistant', content: 'Bonjour ☀' }, finish_reason: 'stop' }] });
    await expect(provider.listModels()).resolves.toEqual([{ id: 'tiny', ownedBy: 'local', capabilities: ['chat'] }]);
  });

  it('streams the text chunks node-llama-cpp reports (stand-in module)', async () => {
    const { importModule } = standIn(['Bon', 'jour']);
    const provider = createGgufProvider({ modelPath: '/models/tiny.gguf', importModule });
    const { items, error } = await drain(provider.streamChat({ model: 'tiny', messages: [{ role: 'user', content: 'hi' }] }));
    expect(error).toBeUndefined();
    expect(items.map((chunk) => chunk.choices[0]?.delta)).toEqual([{ role: 'assistant', content: 'Bon' }, { content: 'jour' }, {}]);
    expect(items.at(-1)?.choices[0]?.finish_reason).toBe('stop');
  });

  it('refuses tool turns and embeddings', async () => {
    const provider = createGgufProvider({ modelPath: '/m.gguf', importModule: standIn([]).importModule });
    await expect(provider.chat({ model: 'm', messages: [{ role: 'assistant', content: 'x' }] })).rejects.toMatchObject({ code: 'validation_failed' });
    await expect(provider.embed({ model: 'm', input: 'x' })).rejects.toMatchObject({ code: 'validation_failed' });
  });
});
