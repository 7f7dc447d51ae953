import { describe, expect, it } from 'vitest';
import type { ModelWithState } from '../models.api.ts';
import { modelChanges, modelEditValues } from './catalog.ts';

const model: ModelWithState = {
  id: 'm1',
  providerId: 'p1',
  providerName: 'lab',
  name: 'aaa-vectors',
  qualifiedName: 'lab/aaa-vectors',
  locality: 'local',
  capabilities: ['chat'],
  contextLength: null,
  inputPricePerMillion: 0.1,
  outputPricePerMillion: null,
  source: 'discovered',
  enabled: true,
  declared: false,
  health: { breaker: 'closed', retryAt: null, consecutiveFailures: 0, p50Ms: null, errorRate: null, calls: 0 },
};

describe('modelChanges', () => {
  it('sends only what changed; an emptied number is unknown (null)', () => {
    const values = { ...modelEditValues(model), capabilities: ['embeddings' as const], contextLength: '512', inputPrice: '' };
    expect(modelChanges(model, values)).toEqual({ changes: { capabilities: ['embeddings'], contextLength: 512, inputPricePerMillion: null } });
    expect(modelChanges(model, modelEditValues(model))).toEqual({ changes: {} });
    expect(modelChanges(model, { ...modelEditValues(model), enabled: false })).toEqual({ changes: { enabled: false } });
  });

  it.each([
    [{ capabilities: [] }, /capability/],
    [{ contextLength: '0' }, /Context length/],
    [{ contextLength: '1.5' }, /Context length/],
    [{ inputPrice: '-1' }, /Prices/],
    [{ outputPrice: 'cheap' }, /Prices/],
  ])('refuses %j', (change, message) => {
    expect(modelChanges(model, { ...modelEditValues(model), ...change })).toEqual({ error: expect.stringMatching(message) });
  });
});
