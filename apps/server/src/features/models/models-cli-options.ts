import { InvalidArgumentError, Option } from 'commander';
import type { z } from 'zod';
import type { SteadServices } from '../../feature.ts';
import type { WithCore } from '../../platform/cli/cli-options.ts';
import { SteadError } from '../../platform/errors/stead-error.ts';

/** Options and parsers the gateway's commands share. */
export type WithServices = WithCore<SteadServices>;

export const providerName = () => new Option('--name <name-or-id>', 'provider name or id (from providers list)').makeOptionMandatory();

export const collect = (value: string, previous: string[]): string[] => [...previous, value];
export const parsePrice = (value: string): number => {
  const number = /^\d+(\.\d+)?$/.test(value) ? Number(value) : Number.NaN;
  if (Number.isNaN(number)) throw new InvalidArgumentError('must be a number of US dollars per million tokens, e.g. 0.15');
  return number;
};
export const splitList = (value: string): string[] => value.split(',').map((entry) => entry.trim()).filter(Boolean);

/** Schema fields as the flags that feed them, so a refusal names what the user typed. */
export const flagOf: Record<string, string> = {
  name: '--name', type: '--type', baseUrl: '--base-url', locality: '--locality', apiKey: '--api-key-env', models: '--model',
  capabilities: '--capabilities', contextLength: '--context-length', inputPricePerMillion: '--input-price', outputPricePerMillion: '--output-price',
  model: '--model', dataClass: '--data-class', needs: '--needs', latencyTier: '--latency', estimatedTokens: '--estimated-tokens',
};

/** The same schemas as the HTTP API, so the CLI and the API refuse the same things. */
export const validate = <Schema extends z.ZodType>(schema: Schema, input: unknown): z.infer<Schema> => {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.map(String).reverse().find((part) => flagOf[part]);
  throw new SteadError('validation_failed', `${field ? flagOf[field] : issue?.path.join('.') || 'input'}: ${issue?.message ?? 'invalid'}`);
};

export const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? '' : 's'}`;
export const price = (value: number | null) => (value === null ? null : `$${value}`);

