import type { ModelCapabilityName } from './models.schema.ts';

/**
 * Names of embedding model families: anything with `embed` in it (nomic-embed-text, mxbai-embed-large,
 * text-embedding-3-small, snowflake-arctic-embed), and the BGE, E5, GTE and MiniLM families as their own word
 * (bge-m3, multilingual-e5-large, gte-qwen2, all-minilm), so `gte` inside another word does not count.
 */
const embeddingName = /embed|(^|[^a-z0-9])(bge|e5|gte|minilm)([^a-z0-9]|$)/i;

/**
 * What a model can do when its upstream does not say (OpenAI-compatible servers list ids only): an embedding
 * model by its name serves embeddings only, everything else chat. A person corrects it with `PATCH …/models/:id`.
 */
export const inferCapabilities = (name: string): ModelCapabilityName[] => (embeddingName.test(name) ? ['embeddings'] : ['chat']);
