import type { Command } from 'commander';
import type { Kysely, Migration } from 'kysely';
import type { AnyFeature, BackgroundWork, FeatureCliContext, FeatureHttpContext, SteadPlatform, SteadServices, StopFeature } from './feature.ts';
import type { RunKind } from './features/runs/runs.kinds.ts';
import { composeErrorCatalogue, type ErrorCatalogue } from './platform/errors/error-codes.ts';
import type { DomainEventType } from './platform/events/domain-events.ts';
import type { SteadApp } from './platform/http/http.types.ts';
import { createAccessPolicy, type AccessPolicy, type PermissionDeclarations } from './platform/http/permissions.ts';

/** What the features declare, joined: checked once, when the list is composed. */
export interface FeatureDeclarations {
  accessPolicy: AccessPolicy;
  errorCatalogue: ErrorCatalogue;
  /** The history in `migrations/` plus every feature's, by name (Kysely applies them sorted by name). */
  migrations: Readonly<Record<string, Migration>>;
}

export interface ComposeDeclarationsOptions {
  /** Declarations not (yet) owned by a feature: the platform's error codes, the unconverted features'. */
  permissions: readonly PermissionDeclarations[];
  errorCodes: readonly ErrorCatalogue[];
  history: Readonly<Record<string, Migration>>;
}

export const composeDeclarations = (features: readonly AnyFeature[], options: ComposeDeclarationsOptions): FeatureDeclarations => {
  const names = new Set<string>();
  for (const feature of features) {
    if (names.has(feature.name)) throw new Error(`Two features are called ${feature.name}`);
    names.add(feature.name);
  }
  const migrations: Record<string, Migration> = { ...options.history };
  for (const feature of features) {
    for (const [name, migration] of Object.entries(feature.migrations ?? {})) {
      if (name in migrations) throw new Error(`The migration ${name} of ${feature.name} is already taken`);
      migrations[name] = migration;
    }
  }
  return {
    accessPolicy: createAccessPolicy([...options.permissions, ...features.flatMap((feature) => (feature.permissions ? [feature.permissions] : []))]),
    errorCatalogue: composeErrorCatalogue([...options.errorCodes, ...features.flatMap((feature) => (feature.errorCodes ? [feature.errorCodes] : []))]),
    // In the order Kysely applies them (by name), so whoever lists them sees that order too.
    migrations: Object.fromEntries(Object.entries(migrations).sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0))),
  };
};

/**
 * Creates every feature's service. A service is created when first asked for (by the composition or by
 * another feature's `create`), so the list's order is free for routes and commands; a cycle throws at start-up.
 * Subscriptions are registered before any service exists, so no event can be missed.
 */
export const createFeatureServices = (
  features: readonly AnyFeature[],
  platform: SteadPlatform,
  // The whole database: each feature's `create` sees it typed over its own tables only.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  db: Kysely<any>,
): SteadServices => {
  const services: Record<string, unknown> = {};
  const creating = new Set<string>();
  const view = {} as SteadServices;
  let runKinds: readonly RunKind[] | undefined;
  // Lazily: a kind may use a feature listed after the runs feature (models' `model.prompt`), or the runs service itself.
  const collectRunKinds = (): readonly RunKind[] => (runKinds ??= features.flatMap((feature) => feature.runKinds?.(view, platform) ?? []));
  for (const feature of features) {
    const create = feature.create?.bind(feature);
    if (!create) continue;
    Object.defineProperty(view, feature.name, {
      enumerable: true,
      get() {
        if (feature.name in services) return services[feature.name];
        if (creating.has(feature.name)) throw new Error(`Features depend on each other in a cycle through ${[...creating].join(' → ')} → ${feature.name}`);
        creating.add(feature.name);
        try {
          services[feature.name] = create({ ...platform, db, services: view, emit: platform.domainEvents.emit, runKinds: collectRunKinds });
        } finally {
          creating.delete(feature.name);
        }
        return services[feature.name];
      },
    });
  }
  for (const feature of features) {
    for (const [type, subscription] of Object.entries(feature.events ?? {})) {
      if (!subscription) continue;
      platform.domainEvents.on([type as DomainEventType], (event) => subscription.handle(event as never, view), { everyNode: subscription.everyNode === true });
    }
  }
  for (const name of Object.keys(view)) void (view as unknown as Record<string, unknown>)[name];
  return view;
};

export const registerFeatureRoutes = (app: SteadApp, features: readonly AnyFeature[], context: FeatureHttpContext): void => {
  for (const feature of features) feature.routes?.(app, context);
};

export const registerFeatureHooks = (app: SteadApp, features: readonly AnyFeature[], context: FeatureHttpContext): void => {
  for (const feature of features) feature.hooks?.(app, context);
};

export const registerFeatureCommands = (program: Command, features: readonly AnyFeature[], context: FeatureCliContext): void => {
  for (const feature of features) feature.cli?.(program, context);
};

/**
 * Runs every feature's `start` in list order, once every service exists; resolves to what stops them all (in
 * reverse order). When one throws, those already started are stopped before the error is passed on.
 */
export const startFeatures = async (features: readonly AnyFeature[], services: SteadServices, platform: SteadPlatform): Promise<() => Promise<void>> => {
  const stops: StopFeature[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop();
  };
  try {
    for (const feature of features) {
      const stop = await feature.start?.(services, platform);
      if (stop) stops.push(stop);
    }
  } catch (error) {
    await stopAll();
    throw error;
  }
  return stopAll;
};

/** Starts every feature's background work in list order; `stop` stops it in reverse order (the scheduler before the workers). */
export const startFeatureBackgroundWork = (features: readonly AnyFeature[], services: SteadServices, platform: SteadPlatform): BackgroundWork => {
  const started = features.flatMap((feature) => (feature.background ? [feature.background(services, platform)] : []));
  return {
    async stop(graceMs) {
      for (const work of started.reverse()) await work.stop(graceMs);
    },
  };
};
