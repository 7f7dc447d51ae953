import { describe, expect, it } from 'vitest';
import { ApiError, apiErrorFromResponse, errorMessage, isApiErrorBody, NETWORK_ERROR_CODE } from './api-error.ts';

describe('apiErrorFromResponse', () => {
  it('keeps the code, message, request id and details of the server envelope', () => {
    const error = apiErrorFromResponse(401, {
      error: { code: 'invalid_credentials', message: 'Wrong email or password.', requestId: 'req-1', details: { field: 'email' } },
    });
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(401);
    expect(error.code).toBe('invalid_credentials');
    expect(error.message).toBe('Wrong email or password.');
    expect(error.requestId).toBe('req-1');
    expect(error.details).toEqual({ field: 'email' });
    expect(error.isUnauthenticated).toBe(true);
  });

  it('falls back to a readable message when the body is not the envelope', () => {
    const error = apiErrorFromResponse(502, '<html>Bad gateway</html>');
    expect(error.code).toBe('server_error');
    expect(error.message).toMatch(/unreachable/);
    expect(error.requestId).toBeNull();
  });

  it('names unknown statuses', () => {
    expect(apiErrorFromResponse(418, null).message).toBe('The server answered with status 418.');
    expect(apiErrorFromResponse(418, null).code).toBe('http_error');
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
    const offline = new ApiError({ status: 0, code: NETWORK_ERROR_CODE, message: 'Failed to fetch' });
    expect(offline.isNetworkError).toBe(true);
    expect(errorMessage(offline)).toMatch(/cannot be reached/);
    expect(errorMessage(new ApiError({ status: 403, code: 'forbidden', message: 'Owners only.' }))).toBe('Owners only.');
    expect(errorMessage(new Error('boom'))).toBe('boom');
    expect(errorMessage('weird')).toBe('Something went wrong.');
  });
});
