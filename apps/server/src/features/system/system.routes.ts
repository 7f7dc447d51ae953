import { timingSafeEqual } from 'node:crypto';
import type { Registry } from 'prom-client';
import { z } from 'zod';
import { SteadError } from '../../platform/errors/stead-error.ts';
import type { SteadApp } from '../../platform/http/http.types.ts';

export const componentStateSchema = z.object({ state: z.enum(['up', 'down', 'disabled']), detail: z.string().optional() });
export type ComponentState = z.infer<typeof componentStateSchema>;

export interface SystemRoutesDeps {
  version: string;
  startedAt: number;
  /** Named checks; each resolves to its component's state and must not throw. */
  components: Record<string, () => Promise<ComponentState>>;
  metrics: Registry;
  metricsToken: string | undefined;
}

const sameSecret = (given: string, expected: string) => {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
};

export const registerSystemRoutes = (app: SteadApp, deps: SystemRoutesDeps): void => {
  app.get('/api/health', {
    config: { permission: 'public', rateLimit: false },
    schema: {
      tags: ['system'],
      summary: 'Liveness and the state of each component (no authentication)',
      response: { 200: z.object({ status: z.enum(['ok', 'degraded']), version: z.string(), uptime: z.number(), components: z.record(z.string(), componentStateSchema) }) },
    },
  }, async () => {
    const entries = await Promise.all(Object.entries(deps.components).map(async ([name, check]) => [name, await check()] as const));
    const components = Object.fromEntries(entries);
    const degraded = entries.some(([, component]) => component.state === 'down');
    return { status: degraded ? ('degraded' as const) : ('ok' as const), version: deps.version, uptime: Math.round((Date.now() - deps.startedAt) / 1000), components };
  });

  app.get('/metrics', {
    config: { permission: 'public', rateLimit: false },
    schema: { tags: ['system'], summary: 'Prometheus metrics; needs `Authorization: Bearer <STEAD_METRICS_TOKEN>`', hide: false },
  }, async (request, reply) => {
    // Without a configured token the endpoint does not exist, rather than being open.
    if (!deps.metricsToken) throw new SteadError('not_found', 'Metrics are disabled; set STEAD_METRICS_TOKEN to enable them');
    const given = request.headers.authorization?.replace(/^Bearer\s+/i, '') ?? '';
    if (!sameSecret(given, deps.metricsToken)) throw new SteadError('unauthenticated', 'Send Authorization: Bearer <STEAD_METRICS_TOKEN>');
    return reply.type(deps.metrics.contentType).send(await deps.metrics.metrics());
  });
};
