import { createHmac } from 'node:crypto';
import { z } from 'zod';
import type { EgressClient } from '../../platform/egress/egress.port.ts';
import { isSteadError } from '../../platform/errors/stead-error.ts';
import { UnrecoverableJobError } from '../../platform/queue/queue.port.ts';
import { defineRunKind } from '../runs/runs.kinds.ts';

const webhookDeliverInput = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }),
  /** The event type, e.g. `monitor-down`. */
  event: z.string().min(1).max(200),
  payload: z.unknown(),
  /** Name of a workspace secret (the workspace secrets store) holding the signing key; unsigned when absent. */
  secretName: z.string().min(1).max(200).optional(),
  timeoutMs: z.number().int().min(100).max(60_000).default(15_000),
});

/**
 * The HMAC key of a signing secret. A Standard Webhooks secret (`whsec_<base64>`) signs with its decoded bytes, as
 * receivers' libraries expect; any other value signs with its UTF-8 bytes.
 */
const signingKeyOf = (secret: string): Buffer => (secret.startsWith('whsec_') ? Buffer.from(secret.slice('whsec_'.length), 'base64') : Buffer.from(secret, 'utf8'));

/**
 * `webhook.deliver`: POSTs `{ type, timestamp, data }` following the Standard Webhooks headers (`webhook-id` —
 * stable across attempts, so receivers deduplicate — `webhook-timestamp`, and `webhook-signature`
 * `v1,<base64 HMAC-SHA256 of "id.timestamp.body">` when a secret is named). Any non-2xx answer is retried, except
 * 410 Gone, which means the receiver is gone for good.
 */
export const createWebhookDeliverRunKind = ({ egress }: { egress: EgressClient }) =>
  defineRunKind({
    name: 'webhook.deliver',
    description: 'Deliver one signed webhook (Standard Webhooks headers); retried with backoff until the receiver answers 2xx.',
    input: webhookDeliverInput,
    example: { url: 'https://example.com/hooks/stead', event: 'test-ping', payload: { hello: 'world' }, timeoutMs: 15_000 },
    maxAttempts: 8,
    secretNames: (input) => (input.secretName ? [input.secretName] : []),
    async run(input, context) {
      const timestamp = Math.floor(Date.now() / 1000).toString();
      const body = JSON.stringify({ type: input.event, timestamp: new Date(Number(timestamp) * 1000).toISOString(), data: input.payload ?? null });
      const headers: Record<string, string> = { 'content-type': 'application/json', 'webhook-id': context.idempotencyKey, 'webhook-timestamp': timestamp };
      if (input.secretName) {
        // Only the workspace secrets store, and only a secret the task's creator may use (checked by `secret`).
        const secret = await context.secret(input.secretName);
        const signature = createHmac('sha256', signingKeyOf(secret)).update(`${context.idempotencyKey}.${timestamp}.${body}`).digest('base64');
        headers['webhook-signature'] = `v1,${signature}`;
      }
      let response: Response;
      try {
        response = await egress.fetch(input.url, { method: 'POST', headers, body, signal: context.signal, timeoutMs: input.timeoutMs });
      } catch (error) {
        if (isSteadError(error) && error.code === 'egress_blocked') throw new UnrecoverableJobError(error.message);
        throw error;
      }
      await response.body?.cancel();
      await context.log(`POST ${input.url} → ${response.status}`);
      if (response.status === 410) throw new UnrecoverableJobError(`${input.url} answered 410 Gone`);
      if (response.status < 200 || response.status >= 300) throw new Error(`${input.url} answered ${response.status}`);
      return { status: response.status, webhookId: context.idempotencyKey };
    },
  });
