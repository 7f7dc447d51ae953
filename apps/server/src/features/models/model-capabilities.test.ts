import { describe, expect, it } from 'vitest';
import { inferCapabilities } from './model-capabilities.ts';

describe('inferCapabilities', () => {
  it.each(['nomic-embed-text:latest', 'mxbai-embed-large', 'text-embedding-3-small', 'bge-m3', 'BAAI/bge-large-en-v1.5', 'intfloat/multilingual-e5-large', 'gte-qwen2-1.5b', 'all-minilm:l6-v2', 'snowflake-arctic-embed'])(
    '%s serves embeddings only',
    (name) => expect(inferCapabilities(name)).toEqual(['embeddings']),
  );

  it.each(['llama3.2:latest', 'gpt-4o-mini', 'qwen2.5-coder:7b', 'gemma3', 'mistral-large', 'phi4-e5x'])('%s is a chat model', (name) => expect(inferCapabilities(name)).toEqual(['chat']));
});
