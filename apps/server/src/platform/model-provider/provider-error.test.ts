import { describe, expect, it } from 'vitest';
import { SteadError } from '../errors/stead-error.ts';
import { errorFromResponse, isRetryableStatus, parseRetryAfter, ProviderError, rawBodyLimit, readErrorBody, summaryLimit } from './provider-error.ts';

const now = new Date('2025-10-01T12:00:00Z');

describe('ProviderError', () => {
  it('is a SteadError whose retryability follows the status', () => {
    const error = new ProviderError({ provider: 'p', message: 'm', status: 503, phase: 'connect' });
    expect(error).toBeInstanceOf(SteadError);
    expect(error).toMatchObject({ code: 'provider_error', isRetryable: true, details: { provider: 'p', status: 503, phase: 'connect' } });
    for (const status of [408, 409, 425, 429, 500, 502, 529]) expect(isRetryableStatus(status)).toBe(true);
    for (const status of [400, 401, 403, 404, 422]) expect(isRetryableStatus(status)).toBe(false);
    expect(new ProviderError({ provider: 'p', message: 'm', phase: 'stream' }).isRetryable).toBe(true);
    expect(new ProviderError({ code: 'validation_failed', provider: 'p', message: 'm', phase: 'connect' }).isRetryable).toBe(false);
  });

  it('keeps only the start of a long raw body', () => {
    const error = new ProviderError({ provider: 'p', message: 'm', phase: 'connect', rawBody: 'x'.repeat(10_000) });
    expect(error.rawBody).toHaveLength(rawBodyLimit);
  });
});

describe('parseRetryAfter', () => {
  it('reads retry-after-ms, seconds and HTTP dates', () => {
    expect(parseRetryAfter(new Headers({ 'retry-after-ms': '270.5', 'retry-after': '9' }), now)).toBe(271);
    expect(parseRetryAfter(new Headers({ 'retry-after': '2' }), now)).toBe(2000);
    expect(parseRetryAfter(new Headers({ 'retry-after': 'Wed, 01 Oct 2025 12:00:30 GMT' }), now)).toBe(30_000);
    expect(parseRetryAfter(new Headers({ 'retry-after': 'Wed, 01 Oct 2025 11:00:00 GMT' }), now)).toBe(0);
    expect(parseRetryAfter(new Headers({ 'retry-after': 'soon' }), now)).toBeUndefined();
    expect(parseRetryAfter(new Headers(), now)).toBeUndefined();
  });
});

describe('error bodies', () => {
  it('reads every vendor shape', () => {
    expect(readErrorBody({ error: { message: 'bad', type: 'invalid_request_error', code: 'x' } })).toEqual({ message: 'bad', type: 'invalid_request_error', estimatedSeconds: undefined });
    expect(readErrorBody({ error: { message: 'bad', type: null, code: 'invalid_api_key' } })).toMatchObject({ type: 'invalid_api_key' });
    expect(readErrorBody({ type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } })).toMatchObject({ message: 'Overloaded', type: 'overloaded_error' });
    expect(readErrorBody({ error: 'loading', estimated_time: 12.5 })).toEqual({ message: 'loading', type: undefined, estimatedSeconds: 12.5 });
    expect(readErrorBody({ object: 'error', message: 'too long', type: 'BadRequestError', code: 400 })).toMatchObject({ message: 'too long', type: 'BadRequestError' });
    expect(readErrorBody({ detail: 'Not Found' })).toMatchObject({ message: 'Not Found' });
  });

  it('never puts a body that is not a recognised error into the message: the status and its standard reason only', async () => {
    const error = await errorFromResponse(new Response('<html>502 Bad Gateway</html>', { status: 502, statusText: 'Bad Gateway' }), 'p', now);
    expect(error).toMatchObject({ status: 502, isRetryable: true, message: 'p answered 502 (Bad Gateway)', rawBody: '<html>502 Bad Gateway</html>' });
    // An internal service's answer (what a provider pointed at it would read) and a made-up reason phrase stay out.
    const internal = await errorFromResponse(new Response('db_password=hunter2-internal', { status: 500, statusText: 'secret-reason' }), 'p', now);
    expect(internal.message).toBe('p answered 500 (Internal Server Error)');
    const json = await errorFromResponse(new Response(JSON.stringify({ rows: [{ password: 'hunter2-internal' }] }), { status: 500 }), 'p', now);
    expect(json.message).toBe('p answered 500 (Internal Server Error)');
  });

  it('keeps an error message short and printable', async () => {
    const message = `bad\u0000 request\n\u001b[31mred\u202e ${'x'.repeat(1_000)}`;
    const error = await errorFromResponse(new Response(JSON.stringify({ error: { message, type: 'invalid\nrequest' } }), { status: 400 }), 'p', now);
    expect(error.message).toMatch(/^p answered 400: bad request \[31mred x+…$/);
    expect(error.message.length).toBeLessThanOrEqual('p answered 400: '.length + summaryLimit);
    expect(error.upstreamType).toBe('invalid request');
  });
});
