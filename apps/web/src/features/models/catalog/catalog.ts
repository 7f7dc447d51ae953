/** The Models tab's logic: correcting a model. */
import type { ModelCapability } from '@/lib/api.ts';
import type { ModelWithState, UpdateModelRequest } from '../models.api.ts';

/** The edit form's fields as typed: numbers stay text until saved, empty meaning "unknown". */
export interface ModelEditValues {
  capabilities: ModelCapability[];
  contextLength: string;
  inputPrice: string;
  outputPrice: string;
  enabled: boolean;
}

export const modelEditValues = (model: ModelWithState): ModelEditValues => ({
  capabilities: [...model.capabilities],
  contextLength: model.contextLength === null ? '' : String(model.contextLength),
  inputPrice: model.inputPricePerMillion === null ? '' : String(model.inputPricePerMillion),
  outputPrice: model.outputPricePerMillion === null ? '' : String(model.outputPricePerMillion),
  enabled: model.enabled,
});

/** The request for what changed, or the first problem with what was typed. */
export function modelChanges(model: ModelWithState, values: ModelEditValues): { changes: UpdateModelRequest } | { error: string } {
  if (values.capabilities.length === 0) return { error: 'Pick at least one capability.' };
  const number = (text: string) => (text.trim() === '' ? null : Number(text));
  const context = number(values.contextLength);
  if (context !== null && !(Number.isInteger(context) && context >= 1 && context <= 100_000_000)) return { error: 'Context length: a whole number of tokens, or empty for unknown.' };
  const input = number(values.inputPrice);
  const output = number(values.outputPrice);
  for (const price of [input, output]) if (price !== null && !(Number.isFinite(price) && price >= 0 && price <= 10_000)) return { error: 'Prices: zero or more US dollars per million tokens, or empty.' };
  const changes: UpdateModelRequest = {};
  if (values.capabilities.join(',') !== model.capabilities.join(',')) changes.capabilities = values.capabilities;
  if (context !== model.contextLength) changes.contextLength = context;
  if (input !== model.inputPricePerMillion) changes.inputPricePerMillion = input;
  if (output !== model.outputPricePerMillion) changes.outputPricePerMillion = output;
  if (values.enabled !== model.enabled) changes.enabled = values.enabled;
  return { changes };
}
