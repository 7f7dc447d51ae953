import { SteadApiError } from '@stead/api-client';
import { describe, expect, it } from 'vitest';
import { apiErrorFromResponse, errorMessage, isApiErrorBody, isNetworkError, networkError, NETWORK_ERROR_CODE } from './api-error.ts';

describe('apiErrorFromResponse', () => {
  it('keeps the status, code, message and request id of the server envelope', () => {
    const error = apiErrorFromResponse(401, {
      error: { code: 'invalid_credentials', message: 'Wrong email or password.', requestId: 'req-1', details: { field: 'email' } },
    });
    expect(error).toBeInstanceOf(SteadApiError);
    expect(error).toMatchObject({ status: 401, code: 'invalid_credentials', message: 'Wrong email or password.', requestId: 'req-1' });
  });

  it('falls back to a readable message when the body is not the envelope', () => {
    const error = apiErrorFromResponse(502, '<html>Bad gateway</html>');
    expect(error).toBeInstanceOf(SteadApiError);
    expect(error.code).toBe('server_error');
    expect(error.message).toMatch(/unreachable/);
    expect(error.requestId).toBeUndefined();
    expect(apiErrorFromResponse(429, '').message).toMatch(/Too many attempts/);
    expect(apiErrorFromResponse(400, { message: 'not the envelope' }).code).toBe('http_error');
  });

  it('names unknown statuses', () => {
    expect(apiErrorFromResponse(418, undefined).message).toBe('The server answered with status 418.');
    expect(apiErrorFromResponse(418, undefined).code).toBe('http_error');
  });
});

describe('networkError', () => {
  it('is a status-0 SteadApiError that keeps its cause', () => {
    const cause = new TypeError('Failed to fetch');
    const error = networkError(cause);
    expect(error).toBeInstanceOf(SteadApiError);
    expect(error).toMatchObject({ status: 0, code: NETWORK_ERROR_CODE, cause });
    expect(isNetworkError(error)).toBe(true);
    expect(isNetworkError(apiErrorFromResponse(502, ''))).toBe(false);
    expect(isNetworkError(cause)).toBe(false);
  });
});

describe('isApiErrorBody', () => {
  it('rejects shapes without a string code and message', () => {
    expect(isApiErrorBody({ error: { code: 1, message: 'x' } })).toBe(false);
    expect(isApiErrorBody({ error: 'nope' })).toBe(false);
    expect(isApiErrorBody(null)).toBe(false);
    expect(isApiErrorBody({ error: { code: 'a', message: 'b', requestId: 'c' } })).toBe(true);
  });
});

describe('errorMessage', () => {
  it('explains network failures and passes API messages through', () => {
    expect(errorMessage(networkError(new TypeError('Failed to fetch')))).toMatch(/cannot be reached/);
    const forbidden = new SteadApiError(403, { error: { code: 'forbidden', message: 'Owners only.', requestId: 'r1' } });
    expect(errorMessage(forbidden)).toBe('Owners only.');
    expect(errorMessage(new Error('boom'))).toBe('boom');
    expect(errorMessage('weird')).toBe('Something went wrong.');
  });
});
