import { describe, expect, it } from 'vitest';
import type { ChatCompletion, ChatCompletionChunk, ChatCompletionRequest, FinishReason } from './chat-completion.types.ts';
import { createChatStreamAssembler } from './chat-stream-assembly.ts';
import { drain, replayFetch } from './fixture-replay.ts';
import type { Recording, UpstreamScript } from './fixture-replay.ts';
import type { ModelProvider, ProviderFetch, ProviderTimeouts } from './model-provider.port.ts';
import { ProviderError } from './provider-error.ts';

/** One upstream answer, recorded both as a whole response and as a stream. */
export interface ContractScenario {
  name: string;
  chat: Recording;
  stream: Recording;
  expected: {
    content: string | null;
    toolCalls: { name: string; arguments: unknown }[];
    finishReason: FinishReason;
    usage: { prompt_tokens: number; completion_tokens: number };
  };
}

export interface ModelProviderContractHarness {
  /** Builds the adapter under test around the fake upstream. */
  create(fetch: ProviderFetch, timeouts?: Partial<ProviderTimeouts>): ModelProvider;
  scenarios: ContractScenario[];
  /** An error answer worth retrying (429, 503, 529) and what the adapter must read from it. */
  retryableError: { recording: Recording; status: number; retryAfterMs: number | undefined };
  /** An error answer never worth retrying (401, 404). */
  fatalError: { recording: Recording; status: number };
  /** A stream whose upstream reports an error after some tokens, when the protocol has such a thing. */
  midStreamError?: Recording;
}

const request: ChatCompletionRequest = {
  model: 'contract-model',
  messages: [
    { role: 'system', content: 'Answer briefly.' },
    { role: 'user', content: 'Quel temps fait-il à Paris ?' },
  ],
  stream_options: { include_usage: true },
};

const providerError = (error: unknown): ProviderError => {
  expect(error).toBeInstanceOf(ProviderError);
  return error as ProviderError;
};

/** The comparable part of a completion: what a client acts on, not the made-up ids. */
const essence = (completion: ChatCompletion) => {
  const choice = completion.choices[0];
  return {
    content: choice?.message.content ?? null,
    toolCalls: (choice?.message.tool_calls ?? []).map((call) => ({ name: call.function.name, arguments: JSON.parse(call.function.arguments) as unknown })),
    finishReason: choice?.finish_reason,
    usage: { prompt_tokens: completion.usage?.prompt_tokens, completion_tokens: completion.usage?.completion_tokens },
  };
};

const assemble = (chunks: ChatCompletionChunk[]): ChatCompletion => {
  const assembler = createChatStreamAssembler();
  for (const chunk of chunks) assembler.add(chunk);
  return assembler.result();
};

/**
 * The definition of the ModelProvider port for adapters that speak HTTP: each adapter test runs it with its
 * own recorded fixtures. The fake upstream serves bodies in irregular byte chunks and ignores the abort
 * signal once headers are sent, so passing proves the adapter buffers and cancels by itself.
 */
export const runModelProviderContract = (name: string, harness: ModelProviderContractHarness): void => {
  describe(`ModelProvider contract: ${name}`, () => {
    const open = (...scripts: UpstreamScript[]) => {
      const upstream = replayFetch(...scripts);
      return { upstream, provider: harness.create(upstream.fetch) };
    };
    const firstScenario = harness.scenarios[0]!;

    for (const scenario of harness.scenarios) {
      it(`chat answers the upstream's ${scenario.name} answer`, async () => {
        const { provider } = open({ respond: scenario.chat });
        const completion = await provider.chat(request);
        expect(completion.object).toBe('chat.completion');
        expect(completion.choices).toHaveLength(1);
        expect(essence(completion)).toEqual(scenario.expected);
      });

      it(`streamChat assembles the same ${scenario.name} answer, chunk by chunk`, async () => {
        const { provider, upstream } = open({ respond: scenario.stream });
        const chunks: ChatCompletionChunk[] = [];
        for await (const chunk of provider.streamChat(request)) chunks.push(chunk);
        expect(upstream.bodies[0]?.splitInsideCharacter).toBe(true);
        expect(chunks.every((chunk) => chunk.object === 'chat.completion.chunk')).toBe(true);
        expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
        expect(chunks.flatMap((chunk) => chunk.choices).filter((choice) => choice.finish_reason !== null)).toHaveLength(1);
        const last = chunks.at(-1);
        expect(last?.choices).toEqual([]);
        expect(last?.usage?.total_tokens).toBe(scenario.expected.usage.prompt_tokens + scenario.expected.usage.completion_tokens);
        if (scenario.expected.toolCalls.length > 0) {
          const fragments = chunks.flatMap((chunk) => chunk.choices.flatMap((choice) => choice.delta.tool_calls ?? []));
          expect(fragments.filter((fragment) => fragment.id !== undefined).map((fragment) => fragment.index)).toEqual(scenario.expected.toolCalls.map((_, index) => index));
        }
        expect(essence(assemble(chunks))).toEqual(scenario.expected);
        const { provider: again } = open({ respond: scenario.chat });
        expect(essence(assemble(chunks))).toEqual(essence(await again.chat(request)));
      });
    }

    it('maps a retryable error answer, with its retry delay, for chat and stream', async () => {
      const { recording, status, retryAfterMs } = harness.retryableError;
      for (const call of [(provider: ModelProvider) => provider.chat(request), (provider: ModelProvider) => drain(provider.streamChat(request)).then((result) => Promise.reject(result.error))]) {
        const { provider } = open({ respond: recording });
        const error = providerError(await call(provider).catch((caught: unknown) => caught));
        expect(error).toMatchObject({ code: 'provider_error', status, isRetryable: true, retryAfterMs, phase: 'connect' });
        expect(error.rawBody).toBe(recording.body);
        expect(error.message).toContain(String(status));
      }
    });

    it('maps a fatal error answer as not retryable', async () => {
      const { provider } = open({ respond: harness.fatalError.recording });
      const error = providerError(await provider.chat(request).catch((caught: unknown) => caught));
      expect(error).toMatchObject({ code: 'provider_error', status: harness.fatalError.status, isRetryable: false, phase: 'connect' });
    });

    it('maps a network failure as retryable, without a status', async () => {
      const { provider } = open({ fail: new TypeError('fetch failed', { cause: new Error('connect ECONNREFUSED 127.0.0.1:9') }) });
      const { error } = await drain(provider.streamChat(request));
      expect(providerError(error)).toMatchObject({ code: 'provider_error', status: undefined, isRetryable: true, phase: 'connect' });
    });

    it('fails with phase stream when the connection breaks after tokens were yielded', async () => {
      const { provider } = open({ respond: firstScenario.stream, cut: 'error' });
      const { items, error } = await drain(provider.streamChat(request));
      expect(items.length).toBeGreaterThan(0);
      expect(providerError(error)).toMatchObject({ code: 'provider_error', isRetryable: true, phase: 'stream' });
    });

    it('fails with phase stream when the stream ends before the upstream said it finished', async () => {
      const { provider } = open({ respond: firstScenario.stream, cut: 'end' });
      const { items, error } = await drain(provider.streamChat(request));
      expect(items.length).toBeGreaterThan(0);
      expect(providerError(error)).toMatchObject({ isRetryable: true, phase: 'stream' });
    });

    if (harness.midStreamError) {
      const recording = harness.midStreamError;
      it('turns an error reported inside the stream into a ProviderError with phase stream', async () => {
        const { provider } = open({ respond: recording });
        const { items, error } = await drain(provider.streamChat(request));
        expect(items.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).not.toBe('');
        expect(providerError(error)).toMatchObject({ code: 'provider_error', isRetryable: true, phase: 'stream' });
      });
    }

    it('stops the stream and cancels the upstream body when the signal aborts', async () => {
      const { provider, upstream } = open({ respond: firstScenario.stream, cut: 'hold' });
      const controller = new AbortController();
      const reason = new Error('client went away');
      const seen: ChatCompletionChunk[] = [];
      const outcome = (async () => {
        for await (const chunk of provider.streamChat(request, { signal: controller.signal })) {
          seen.push(chunk);
          if (seen.length === 1) setImmediate(() => controller.abort(reason));
        }
      })();
      await expect(outcome).rejects.toBe(reason);
      expect(upstream.bodies[0]?.cancelled).toBe(true);
    });

    it('cancels the upstream body when the consumer stops early', async () => {
      const { provider, upstream } = open({ respond: firstScenario.stream, cut: 'hold' });
      for await (const _chunk of provider.streamChat(request)) break;
      expect(upstream.bodies[0]?.cancelled).toBe(true);
    });

    it('rejects a non-streaming call with the signal reason when it aborts', async () => {
      const { provider } = open({ hang: true });
      const controller = new AbortController();
      const pending = provider.chat(request, { signal: controller.signal });
      controller.abort(new Error('stop'));
      await expect(pending).rejects.toThrow('stop');
    });

    describe('deadlines', () => {
      const timed = (script: UpstreamScript, timeouts: Partial<ProviderTimeouts>) => {
        const upstream = replayFetch(script);
        return { upstream, provider: harness.create(upstream.fetch, timeouts) };
      };

      it('times out waiting for headers with phase connect', async () => {
        const { provider } = timed({ hang: true }, { connectMs: 30 });
        const { error } = await drain(provider.streamChat(request));
        expect(providerError(error)).toMatchObject({ code: 'provider_timeout', isRetryable: true, phase: 'connect' });
      });

      it('times out waiting for the first token with phase first-token, cancelling the body', async () => {
        const { provider, upstream } = timed({ respond: firstScenario.stream, cut: 'hold', cutAt: 0 }, { firstTokenMs: 40 });
        const { items, error } = await drain(provider.streamChat(request));
        expect(items).toEqual([]);
        expect(providerError(error)).toMatchObject({ code: 'provider_timeout', isRetryable: true, phase: 'first-token' });
        expect(upstream.bodies[0]?.cancelled).toBe(true);
      });

      it('times out a stream that stalls after tokens with phase stream', async () => {
        const { provider } = timed({ respond: firstScenario.stream, cut: 'hold' }, { totalMs: 150 });
        const { items, error } = await drain(provider.streamChat(request));
        expect(items.length).toBeGreaterThan(0);
        expect(providerError(error)).toMatchObject({ code: 'provider_timeout', phase: 'stream' });
      });

      it('bounds a non-streaming call by the total deadline', async () => {
        const { provider } = timed({ hang: true }, { totalMs: 30, connectMs: 5 });
        const error = providerError(await provider.chat(request).catch((caught: unknown) => caught));
        expect(error).toMatchObject({ code: 'provider_timeout', phase: 'connect' });
        expect(error.message).toContain('30 ms');
      });
    });

    it('refuses embeddings when it does not claim them', async () => {
      const { provider } = open({ hang: true });
      if (provider.capabilities.embeddings) return;
      const error = providerError(await provider.embed({ model: 'x', input: 'y' }).catch((caught: unknown) => caught));
      expect(error).toMatchObject({ code: 'validation_failed', isRetryable: false });
    });
  });
};
