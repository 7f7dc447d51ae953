import { defineFeature } from '../../feature.ts';
import { createWebhookDeliverRunKind } from './webhook-deliver.run.ts';

/** Outbound webhooks: the `webhook.deliver` run kind (signed, retried deliveries). */
export const webhooksFeature = defineFeature({
  name: 'webhooks',
  runKinds: (_services, { egress }) => [createWebhookDeliverRunKind({ egress })],
});
