import type { ModelCapability, ModelInfo } from './model-provider.port.ts';

/**
 * Ollama's `/api/show` capability names and what they mean to the gateway. `completion` models answer
 * `/api/chat`, and Ollama's `format` (JSON output) works with every one of them; `insert` is fill-in-the-middle,
 * which only code models offer.
 */
const capabilityOf: Record<string, ModelCapability[]> = {
  completion: ['chat', 'json'],
  tools: ['tools'],
  vision: ['vision'],
  embedding: ['embeddings'],
  insert: ['code'],
};

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * What one `/api/show` answer says of a model: its capabilities (from `capabilities`, sent by Ollama 0.6 and
 * later; before that, a `<architecture>.pooling_type` in `model_info` marks an embedding model and nothing marks
 * the rest) and its context length (`<architecture>.context_length`). Fields it does not state stay absent, so
 * the caller falls back on what it can guess from the name.
 */
export const modelFactsFromShow = (answer: unknown): Pick<ModelInfo, 'capabilities' | 'contextLength'> => {
  if (!isRecord(answer)) return {};
  const facts: Pick<ModelInfo, 'capabilities' | 'contextLength'> = {};
  const info = isRecord(answer.model_info) ? answer.model_info : {};
  const architecture = typeof info['general.architecture'] === 'string' ? info['general.architecture'] : undefined;
  const context = architecture ? info[`${architecture}.context_length`] : undefined;
  if (typeof context === 'number' && Number.isInteger(context) && context > 0) facts.contextLength = context;
  if (Array.isArray(answer.capabilities)) {
    const mapped = answer.capabilities.flatMap((name) => (typeof name === 'string' ? (capabilityOf[name] ?? []) : []));
    if (mapped.length > 0) facts.capabilities = [...new Set(mapped)];
  } else if (architecture && info[`${architecture}.pooling_type`] !== undefined) {
    facts.capabilities = ['embeddings'];
  }
  return facts;
};
