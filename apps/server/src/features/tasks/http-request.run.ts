import { z } from 'zod';
import type { EgressClient } from '../../platform/egress/egress.port.ts';
import { isSteadError } from '../../platform/errors/stead-error.ts';
import { UnrecoverableJobError } from '../../platform/queue/queue.port.ts';
import { defineRunKind } from '../runs/runs.kinds.ts';
import { credentialHeaderSealing, headerValueSchema } from './credential-headers.ts';

/** Response bodies kept in a task's output; the rest is dropped (the output says so). */
const maxBodyBytes = 64 * 1024;

const httpRequestInput = z.strictObject({
  method: z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']).default('GET'),
  url: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }),
  /**
   * Credential headers (`Authorization`, `Cookie`, `X-Api-Key`, …) are stored encrypted, never in the task, and
   * read back as `[redacted]`; `{ "secret": "name", "prefix": "Bearer " }` sends a workspace secret instead.
   */
  headers: z.record(z.string().min(1).max(200), headerValueSchema).default({}),
  /** A string is sent as is; anything else as JSON. */
  body: z.unknown().optional(),
  timeoutMs: z.number().int().min(100).max(300_000).default(30_000),
  /** Statuses that count as success. Default: any 2xx. */
  expectStatus: z.array(z.number().int().min(100).max(599)).min(1).optional(),
});

/** Answers worth another attempt: the server may succeed later. */
const retryableStatus = (status: number): boolean => status === 408 || status === 425 || status === 429 || status >= 500;

/** Reads at most `limit` bytes of a body, then stops the download. */
const readCapped = async (response: Response, limit: number): Promise<{ text: string; truncated: boolean }> => {
  if (!response.body) return { text: '', truncated: false };
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      return { text: new TextDecoder().decode(Buffer.concat(chunks).subarray(0, limit)), truncated: true };
    }
  }
  return { text: new TextDecoder().decode(Buffer.concat(chunks)), truncated: false };
};

/**
 * `http.request`: one HTTP request through the egress client (private addresses refused unless allowed).
 * It sends `Idempotency-Key` (stable across attempts) so a receiving service can drop a repeat after a crash.
 */
export const createHttpRequestRunKind = ({ egress }: { egress: EgressClient }) =>
  defineRunKind({
    name: 'http.request',
    description: 'Send one HTTP request and store the response (status, headers, up to 64 KiB of body). 5xx, 408 and 429 are retried; other statuses fail at once.',
    input: httpRequestInput,
    example: { method: 'GET', url: 'https://example.com/', headers: {}, timeoutMs: 30_000 },
    maxAttempts: 3,
    secretNames: (input) => Object.values(input.headers).flatMap((value) => (typeof value === 'string' ? [] : [value.secret])),
    sealing: credentialHeaderSealing<z.infer<typeof httpRequestInput>>(),
    async run(input, context) {
      const headers = new Headers();
      for (const [name, value] of Object.entries(input.headers)) headers.set(name, typeof value === 'string' ? value : `${value.prefix}${await context.secret(value.secret)}`);
      if (!headers.has('idempotency-key')) headers.set('idempotency-key', context.idempotencyKey);
      let body: string | undefined;
      if (input.body !== undefined && input.method !== 'GET' && input.method !== 'HEAD') {
        body = typeof input.body === 'string' ? input.body : JSON.stringify(input.body);
        if (typeof input.body !== 'string' && !headers.has('content-type')) headers.set('content-type', 'application/json');
      }
      await context.log(`${input.method} ${input.url}`);
      await context.progress(10, 'sending request');
      const started = performance.now();
      let response: Response;
      try {
        response = await egress.fetch(input.url, { method: input.method, headers, body, signal: context.signal, timeoutMs: input.timeoutMs });
      } catch (error) {
        // A refused destination stays refused; a network failure may pass.
        if (isSteadError(error) && error.code === 'egress_blocked') throw new UnrecoverableJobError(error.message);
        throw error;
      }
      await context.progress(60, `${response.status} received, reading body`);
      const { text, truncated } = await readCapped(response, maxBodyBytes);
      const durationMs = Math.round(performance.now() - started);
      await context.log(`${response.status} ${response.statusText} in ${durationMs} ms`);
      const ok = input.expectStatus ? input.expectStatus.includes(response.status) : response.status >= 200 && response.status < 300;
      if (!ok) {
        const message = `${input.method} ${input.url} answered ${response.status}${text ? `: ${text.slice(0, 300)}` : ''}`;
        throw retryableStatus(response.status) ? new Error(message) : new UnrecoverableJobError(message);
      }
      await context.progress(100, 'done');
      const responseHeaders: Record<string, string> = {};
      response.headers.forEach((value, name) => {
        responseHeaders[name] = value;
      });
      return { status: response.status, headers: responseHeaders, body: text, truncated, durationMs };
    },
  });
