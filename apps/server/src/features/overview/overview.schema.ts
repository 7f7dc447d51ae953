import { z } from 'zod';

export const overviewSchema = z.object({
  gateway: z.object({
    baseUrl: z.string().describe('The OpenAI-compatible base URL of this server (`…/v1`), as the server advertises it'),
  }),
  usageToday: z.object({
    since: z.string().describe('Start of the current day (UTC), ISO-8601'),
    requests: z.number().int(),
    errors: z.number().int(),
    inputTokens: z.number().int(),
    outputTokens: z.number().int(),
    spend: z.number().describe('Sum of the known costs of today’s calls, in the currency of the price list'),
    truncated: z.boolean().describe('Always false now that the database sums the day (kept for clients of the first version)'),
  }),
  setup: z.object({
    providers: z.number().int(),
    models: z.number().int(),
    /** `null` when the caller may not list the workspace's keys (below admin). */
    keys: z.number().int().nullable().describe('API keys of the workspace; null when the caller may not list keys'),
  }),
});
export type Overview = z.infer<typeof overviewSchema>;
