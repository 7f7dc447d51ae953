import { z } from 'zod';
import { isSteadError } from '../../platform/errors/stead-error.ts';
import type { ChatCompletion, ChatCompletionRequest } from '../../platform/model-provider/model-provider.port.ts';
import { UnrecoverableJobError } from '../../platform/queue/queue.port.ts';
import { dataClasses, type DataClass } from './models.schema.ts';
import { defineRunKind } from '../runs/runs.kinds.ts';

export interface PromptGateway {
  chat(workspaceId: string, request: ChatCompletionRequest, caller: { dataClass: DataClass; signal?: AbortSignal }): Promise<ChatCompletion & { stead: { target: string } }>;
}

const modelPromptInput = z.strictObject({
  /** A model (`<provider>/<model>` or its bare name) or `auto`. */
  model: z.string().min(1).max(300).default('auto'),
  prompt: z.string().min(1).max(200_000),
  system: z.string().max(50_000).optional(),
  dataClass: z.enum(dataClasses).default('internal'),
  maxTokens: z.number().int().min(1).max(100_000).optional(),
  temperature: z.number().min(0).max(2).optional(),
});

/** Routing and configuration errors will not fix themselves on the next attempt. */
const permanentCodes = new Set(['model_not_found', 'route_no_target', 'route_no_private_target', 'validation_failed', 'egress_blocked', 'provider_unavailable']);

/** `model.prompt`: one call through the model gateway (same routing, privacy rules and usage ledger as `/v1`), output stored. */
export const createModelPromptRunKind = ({ models }: { models: PromptGateway }) =>
  defineRunKind({
    name: 'model.prompt',
    description: 'Send one prompt through the model gateway (routed by data class: private prompts only reach local models) and store the answer.',
    input: modelPromptInput,
    example: { model: 'auto', prompt: 'Summarise the last deployment log in three bullet points.', dataClass: 'internal' },
    maxAttempts: 3,
    async run(input, context) {
      const messages: ChatCompletionRequest['messages'] = [...(input.system ? [{ role: 'system' as const, content: input.system }] : []), { role: 'user' as const, content: input.prompt }];
      let completion: Awaited<ReturnType<PromptGateway['chat']>>;
      try {
        completion = await models.chat(context.workspaceId, { model: input.model, messages, max_tokens: input.maxTokens, temperature: input.temperature, user: context.idempotencyKey }, { dataClass: input.dataClass, signal: context.signal });
      } catch (error) {
        if (isSteadError(error) && (permanentCodes.has(error.code) || ('isRetryable' in error && error.isRetryable === false))) throw new UnrecoverableJobError(error.message);
        throw error;
      }
      const choice = completion.choices[0];
      await context.log(`answered by ${completion.stead.target}`);
      return { text: choice?.message.content ?? '', finishReason: choice?.finish_reason ?? null, target: completion.stead.target, usage: completion.usage ?? null };
    },
  });
