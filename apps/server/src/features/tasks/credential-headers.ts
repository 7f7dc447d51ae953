import { z } from 'zod';
import { SteadError } from '../../platform/errors/stead-error.ts';
import { redactedValue, type InputSealing } from '../runs/runs.kinds.ts';

/**
 * Header names whose values are credentials (case-insensitive): `Authorization`, `Proxy-Authorization`, `Cookie`,
 * `X-Api-Key` and their kin — anything naming a token, key, secret, password, session, signature or credential.
 */
const credentialHeaderPattern = /^(authorization|proxy-authorization|cookie|set-cookie)$|api[-_]?key|token|secret|passw(or)?d|session|signature|credential|auth/i;
export const isCredentialHeader = (name: string): boolean => credentialHeaderPattern.test(name.trim());

/** A header whose value comes from a workspace secret: `{ "secret": "crm-token", "prefix": "Bearer " }`. */
export const secretHeaderValueSchema = z.strictObject({
  secret: z.string().min(1).max(100).describe('Name of a workspace secret (Secrets page, `stead secrets set`)'),
  prefix: z.string().max(100).default('').describe('Sent before the secret, e.g. `Bearer `'),
});
export const headerValueSchema = z.union([z.string().max(8_000), secretHeaderValueSchema]);
export type HeaderValue = z.infer<typeof headerValueSchema>;
type Headers = Record<string, HeaderValue>;

const headersOf = (input: unknown): Record<string, unknown> | undefined => {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) return undefined;
  const headers = (input as { headers?: unknown }).headers;
  return typeof headers === 'object' && headers !== null && !Array.isArray(headers) ? (headers as Record<string, unknown>) : undefined;
};

/**
 * Sealing of an input's `headers`: plain string values of credential headers go to encrypted storage (keyed by
 * the header name as written); secret references (`{ secret, prefix }`) hold no value and stay as they are.
 */
export const credentialHeaderSealing = <TInput extends { headers: Headers }>(): InputSealing<TInput> => ({
  seal(input, previous = {}) {
    const headers: Headers = {};
    const sealed: Record<string, string> = {};
    for (const [name, value] of Object.entries(input.headers)) {
      if (typeof value !== 'string' || !isCredentialHeader(name)) {
        headers[name] = value;
        continue;
      }
      // A placeholder sent back (an edited schedule's unchanged header) keeps the value stored before.
      const kept = value === redactedValue ? previous[name] : value;
      if (kept === undefined) {
        throw new SteadError('validation_failed', `input.headers.${name}: "${redactedValue}" stands for a stored value, and none is stored; send the real value or a { "secret": … } reference`, {
          details: { issues: [{ path: `input.headers.${name}`, message: 'no stored value to keep' }] },
        });
      }
      sealed[name] = kept;
      headers[name] = redactedValue;
    }
    return { input: { ...input, headers }, sealed };
  },
  unseal(input, sealed) {
    const headers: Headers = {};
    for (const [name, value] of Object.entries(input.headers)) {
      if (value === redactedValue && isCredentialHeader(name)) {
        const original = sealed[name];
        if (original === undefined) throw new Error(`The value of header ${name} is not stored any more; create the task again with it`);
        headers[name] = original;
      } else {
        headers[name] = value;
      }
    }
    return { ...input, headers };
  },
  redact(input) {
    const headers = headersOf(input);
    if (!headers) return input;
    const redacted = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, typeof value === 'string' && isCredentialHeader(name) ? redactedValue : value]));
    return { ...(input as object), headers: redacted };
  },
});
