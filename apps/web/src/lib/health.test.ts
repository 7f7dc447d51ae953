import { describe, expect, it } from 'vitest';
import { SteadApiError } from '@stead/api-client';
import { apiErrorFromResponse, networkError } from './api-error.ts';
import type { Health } from './api.ts';
import { deriveConnectionStatus, HEALTH_POLL_MS, HEALTH_RETRY_MS, nextHealthPoll } from './health.ts';

const ok: Health = {
  status: 'ok',
  version: '0.1.0',
  uptime: 12,
  components: { database: { state: 'up' }, queue: { state: 'up' }, redis: { state: 'disabled' } },
};
const offline = networkError(new TypeError('Failed to fetch'));

describe('deriveConnectionStatus', () => {
  it('is checking before the first answer', () => {
    expect(deriveConnectionStatus({ data: undefined, error: null, dataUpdatedAt: 0, errorUpdatedAt: 0 }).state).toBe('checking');
  });

  it('is online when every component is up or disabled', () => {
    const status = deriveConnectionStatus({ data: ok, error: null, dataUpdatedAt: 1, errorUpdatedAt: 0 });
    expect(status).toEqual({ state: 'online', label: 'Connected', downComponents: [], version: '0.1.0' });
  });

  it('lists the components that are down when degraded', () => {
    const degraded: Health = {
      ...ok,
      status: 'degraded',
      components: { queue: { state: 'down' }, database: { state: 'down', detail: 'locked' }, cache: { state: 'up' } },
    };
    const status = deriveConnectionStatus({ data: degraded, error: null, dataUpdatedAt: 1, errorUpdatedAt: 0 });
    expect(status.state).toBe('degraded');
    expect(status.downComponents).toEqual(['database', 'queue']);
    expect(status.label).toBe('Degraded: database, queue');
  });

  it('goes offline when the latest check failed to connect, even after an earlier success', () => {
    const status = deriveConnectionStatus({ data: ok, error: offline, dataUpdatedAt: 1, errorUpdatedAt: 2 });
    expect(status.state).toBe('offline');
    expect(status.version).toBe('0.1.0');
  });

  it('treats a proxy 502 as offline and another server error as degraded', () => {
    const badGateway = apiErrorFromResponse(502, '<html>Bad gateway</html>');
    const internal = new SteadApiError(500, { error: { code: 'internal_error', message: 'x', requestId: 'r1' } });
    expect(deriveConnectionStatus({ data: undefined, error: badGateway, dataUpdatedAt: 0, errorUpdatedAt: 1 }).state).toBe('offline');
    expect(deriveConnectionStatus({ data: undefined, error: internal, dataUpdatedAt: 0, errorUpdatedAt: 1 }).state).toBe('degraded');
  });

  it('recovers when a newer success follows an error', () => {
    expect(deriveConnectionStatus({ data: ok, error: offline, dataUpdatedAt: 3, errorUpdatedAt: 2 }).state).toBe('online');
  });
});

describe('nextHealthPoll', () => {
  it('retries faster while offline', () => {
    expect(nextHealthPoll('offline')).toBe(HEALTH_RETRY_MS);
    expect(nextHealthPoll('online')).toBe(HEALTH_POLL_MS);
    expect(HEALTH_POLL_MS).toBe(30_000);
  });
});

describe('nextHealthPoll while an event stream is open', () => {
  it('does not poll while the stream is open, and polls again once it is down', () => {
    expect(nextHealthPoll('online', true)).toBe(false);
    expect(nextHealthPoll('degraded', true)).toBe(false);
    expect(nextHealthPoll('checking', true)).toBe(false);
    expect(nextHealthPoll('online', false)).toBe(HEALTH_POLL_MS);
    // A server seen unreachable is retried fast even if a stream still claims to be open.
    expect(nextHealthPoll('offline', true)).toBe(HEALTH_RETRY_MS);
  });
});
