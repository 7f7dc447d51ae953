import { defineFeature } from '../../feature.ts';
import { steadVersion } from '../../version.ts';
import { registerSystemRoutes } from './system.routes.ts';

/** Health and Prometheus metrics. */
export const systemFeature = defineFeature({
  name: 'system',
  routes: (app, { platform, startedAt, metrics, components }) =>
    registerSystemRoutes(app, { version: steadVersion, startedAt, metrics, metricsToken: platform.config.metricsToken, components }),
});
