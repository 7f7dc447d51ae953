import type { ChatCompletion, ChatCompletionChunk, ChatCompletionMessage, FinishReason, ToolCall, Usage } from './chat-completion.types.ts';

/**
 * Folds stream chunks into the completion a non-streaming call would have answered: content concatenated,
 * tool call fragments joined per `index`, the last finish reason and usage kept. The gateway uses it to
 * record and cache streamed answers; the contract uses it to compare a stream with its non-streamed twin.
 */
export interface ChatStreamAssembler {
  add(chunk: ChatCompletionChunk): void;
  result(): ChatCompletion;
}

interface ChoiceState {
  content: string;
  sawContent: boolean;
  refusal: string | undefined;
  toolCalls: Map<number, ToolCall>;
  finishReason: FinishReason | null;
}

export const createChatStreamAssembler = (): ChatStreamAssembler => {
  const choices = new Map<number, ChoiceState>();
  let identity = { id: '', created: 0, model: '' };
  let usage: Usage | undefined;

  return {
    add(chunk) {
      if (identity.id === '') identity = { id: chunk.id, created: chunk.created, model: chunk.model };
      if (chunk.usage) usage = chunk.usage;
      for (const choice of chunk.choices) {
        let state = choices.get(choice.index);
        if (!state) {
          state = { content: '', sawContent: false, refusal: undefined, toolCalls: new Map(), finishReason: null };
          choices.set(choice.index, state);
        }
        const { delta } = choice;
        if (typeof delta.content === 'string') {
          state.content += delta.content;
          state.sawContent ||= delta.content !== '';
        }
        if (delta.refusal) state.refusal = (state.refusal ?? '') + delta.refusal;
        for (const fragment of delta.tool_calls ?? []) {
          const call = state.toolCalls.get(fragment.index) ?? { id: '', type: 'function', function: { name: '', arguments: '' } };
          if (fragment.id) call.id = fragment.id;
          if (fragment.function?.name) call.function.name += fragment.function.name;
          if (fragment.function?.arguments) call.function.arguments += fragment.function.arguments;
          state.toolCalls.set(fragment.index, call);
        }
        if (choice.finish_reason) state.finishReason = choice.finish_reason;
      }
    },
    result() {
      const completion: ChatCompletion = {
        ...identity,
        object: 'chat.completion',
        choices: [...choices.entries()]
          .sort(([left], [right]) => left - right)
          .map(([index, state]) => {
            const toolCalls = [...state.toolCalls.entries()].sort(([left], [right]) => left - right).map(([, call]) => call);
            const message: ChatCompletionMessage = { role: 'assistant', content: state.sawContent || toolCalls.length === 0 ? state.content : null };
            if (toolCalls.length > 0) message.tool_calls = toolCalls;
            if (state.refusal !== undefined) message.refusal = state.refusal;
            return { index, message, finish_reason: state.finishReason };
          }),
      };
      if (usage) completion.usage = usage;
      return completion;
    },
  };
};

/** Drains a stream into one completion. */
export const assembleChatStream = async (chunks: AsyncIterable<ChatCompletionChunk>): Promise<ChatCompletion> => {
  const assembler = createChatStreamAssembler();
  for await (const chunk of chunks) assembler.add(chunk);
  return assembler.result();
};
