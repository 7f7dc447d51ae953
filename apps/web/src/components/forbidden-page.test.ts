import { SteadApiError } from '@stead/api-client';
import { describe, expect, it } from 'vitest';
import { isForbidden } from './forbidden-page.tsx';

const error = (status: number, code: string) => new SteadApiError(status, { error: { code, message: 'The member role does not grant audit:read', requestId: 'r1' } });

describe('isForbidden', () => {
  it('recognises the server refusing a role, which pages explain instead of showing', () => {
    expect(isForbidden(error(403, 'forbidden'))).toBe(true);
  });

  it('leaves other refusals to their own messages', () => {
    // A specific 403 says something a person can act on (their workspace turned member keys off, a CSRF refusal).
    expect(isForbidden(error(403, 'member_keys_disabled'))).toBe(false);
    expect(isForbidden(error(403, 'csrf_rejected'))).toBe(false);
    expect(isForbidden(error(401, 'unauthenticated'))).toBe(false);
    expect(isForbidden(new Error('forbidden'))).toBe(false);
  });
});
