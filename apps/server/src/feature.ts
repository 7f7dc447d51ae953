import type { Command } from 'commander';
import type { FastifyRequest } from 'fastify';
import type { Kysely, Migration } from 'kysely';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { SteadConfig } from './config/config.schema.ts';
import type { Clock, Ids } from './platform/clock/clock.ts';
import type { RunKind } from './features/runs/runs.kinds.ts';
import type { ResolvedSecretKey } from './platform/crypto/secret-key.ts';
import type { DatabaseInfo } from './platform/database/database.port.ts';
import type { EgressClient } from './platform/egress/egress.port.ts';
import type { ErrorCatalogue } from './platform/errors/error-codes.ts';
import type { DomainEventOf, DomainEventType, DomainEvents, EmitDomainEvent } from './platform/events/domain-events.ts';
import type { EventBus } from './platform/events/events.port.ts';
import type { SteadApp } from './platform/http/http.types.ts';
import type { AccessPolicy, PermissionDeclarations } from './platform/http/permissions.ts';
import type { KeyValueStore } from './platform/key-value/key-value.port.ts';
import type { JobQueue } from './platform/queue/queue.port.ts';

/**
 * The services of every feature, by feature name. Each feature adds its own in its `<x>.feature.ts` by
 * declaration merging (`declare module '../../feature.ts' { interface SteadServices { keys: KeysService } }`),
 * so other features, the CLI and the composition see one typed object.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface SteadServices {}

/** What the composition root builds before any feature: configuration and the platform's adapters. */
export interface SteadPlatform {
  config: SteadConfig;
  clock: Clock;
  ids: Ids;
  /** Diagnostics outside a request (the CLI, background work), JSON on stderr. */
  logger: Logger;
  /** The database's dialect, location and checks; features query through their context's `db`. */
  database: DatabaseInfo;
  events: EventBus;
  domainEvents: DomainEvents;
  secretKey: ResolvedSecretKey;
  egress: EgressClient;
  keyValue: KeyValueStore;
  /** The job queue: tables in the database, or BullMQ when Redis is configured. Durable work goes through the runs feature. */
  queue: JobQueue;
  /**
   * Whether an unset API key variable of a provider declared in stead.config.yaml stops start-up: true for the
   * server; CLI commands pass false and keep the keys the workspaces have.
   */
  requireDeclaredApiKeys: boolean;
  /** True once the core started closing: background noise of a closing process is not worth reporting. */
  isClosing(): boolean;
}

/** What a feature's `create` receives. */
export interface FeatureContext<TTables> extends SteadPlatform {
  /** The database, typed over this feature's own tables only: a query on another feature's table does not compile. */
  db: Kysely<TTables>;
  /** The services of the features listed before this one (asking for a later one throws at start-up). */
  services: SteadServices;
  emit: EmitDomainEvent;
  /**
   * The run kinds every feature declares (`runKinds`), collected on the first call, once every service can be
   * created: call it when work is created or carried out, never during `create` itself.
   */
  runKinds(): readonly RunKind[];
}

/** Background work of one process (`stead start`, `stead worker`). */
export interface BackgroundWork {
  /** Lets running work finish for up to `graceMs`, hands leases over, then returns the rest to the queue. */
  stop(graceMs: number): Promise<void>;
}

/** Stops what a feature's `start` started; called on close, features in reverse list order. */
export type StopFeature = () => void | Promise<void>;

/** What a feature's `routes` receive besides the app. */
export interface FeatureHttpContext {
  services: SteadServices;
  platform: SteadPlatform;
  /** The origin links in responses should use for this request (see platform/http/host-allowlist.ts). */
  linkOrigin: (request: Pick<FastifyRequest, 'protocol' | 'host'>) => string;
  loginRateLimit: { max: number; timeWindow: string };
  metrics: Registry;
  /** Which roles hold which workspace permissions (for checks after the request's own, e.g. per streamed event). */
  policy: AccessPolicy;
  startedAt: number;
  /** Health checks of the platform's components, by name; each resolves and never throws. */
  components: Record<string, () => Promise<{ state: 'up' | 'down' | 'disabled'; detail?: string }>>;
}

/** What a feature's `cli` receives besides the program. */
export interface FeatureCliContext {
  /** Runs an action on the data directory or database directly (no server needs to run), then closes. */
  withServices<T>(action: (services: SteadServices, platform: SteadPlatform) => Promise<T>): Promise<T>;
}

/** A reaction to a domain event, declared by the feature that reacts. */
export interface EventSubscription<TType extends DomainEventType> {
  handle(event: DomainEventOf<TType>, services: SteadServices): void | Promise<void>;
  /**
   * Also run on every other node for events emitted there (Redis bus, at most once): only for state each node
   * keeps for itself (a cache). Default false: runs once, in the emitting process, before `emit` resolves.
   */
  everyNode?: boolean;
}
export type EventSubscriptions = { [TType in DomainEventType]?: EventSubscription<TType> };

/** A type-only marker for the tables a feature owns (`tables: ownTables<KeysTables>()`). */
export interface TableSet<TTables> {
  readonly tables?: TTables;
}
export const ownTables = <TTables>(): TableSet<TTables> => ({});

type ServiceOf<TName extends string> = TName extends keyof SteadServices ? SteadServices[TName] : never;

/**
 * One feature: everything it contributes, in one object exported from `features/<x>/<x>.feature.ts` and listed
 * once in `feature-list.ts`. See docs/architecture.md, "Adding a feature".
 */
export interface FeatureDefinition<
  TName extends string,
  TTables,
  TPermissions extends PermissionDeclarations = PermissionDeclarations,
  TErrorCodes extends ErrorCatalogue = ErrorCatalogue,
> {
  /** The folder's noun; also the key of its service in `SteadServices`. */
  name: TName;
  tables?: TableSet<TTables>;
  /**
   * New migrations of this feature by permanent name. Names share one sequence with `migrations/` (the
   * history): `NNNN-<feature>-<what>`, the next free number, so they apply in the order they were written.
   */
  migrations?: Readonly<Record<string, Migration>>;
  /** Its workspace permissions; `feature-list.ts` adds every feature's to `WorkspacePermissionRegistry`. */
  permissions?: TPermissions;
  /** Its error codes; `feature-list.ts` adds every feature's to `ErrorCodeRegistry`. */
  errorCodes?: TErrorCodes;
  /** The domain events this feature reacts to (the ones it emits are declared in `<x>.events.ts`). */
  events?: EventSubscriptions;
  create?(context: FeatureContext<TTables>): ServiceOf<TName>;
  /**
   * The kinds of durable work this feature owns (`noun.verb`); the runs service carries out every feature's.
   * Asked once every service exists, so a kind may use any feature's service, its own included.
   */
  runKinds?(services: SteadServices, platform: SteadPlatform): readonly RunKind[];
  /**
   * Runs when the core starts, in every process (server, worker, CLI), after every service exists; what it
   * returns is called on close. A throw stops start-up.
   */
  start?(services: SteadServices, platform: SteadPlatform): StopFeature | void | Promise<StopFeature | void>;
  /** Work of `stead start` and `stead worker` (not `--role api`): workers, the scheduler. Stopped in reverse list order. */
  background?(services: SteadServices, platform: SteadPlatform): BackgroundWork;
  /** Request hooks, registered after access control and before any feature's routes. */
  hooks?(app: SteadApp, context: FeatureHttpContext): void;
  routes?(app: SteadApp, context: FeatureHttpContext): void;
  cli?(program: Command, context: FeatureCliContext): void;
}

/** Any feature, for the list and the composition (which need no feature's own types). */
export interface AnyFeature extends Omit<FeatureDefinition<string, unknown>, 'create' | 'tables'> {
  tables?: TableSet<unknown>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  create?(context: FeatureContext<any>): unknown;
}

export const defineFeature = <
  TName extends string,
  TTables = unknown,
  const TPermissions extends PermissionDeclarations = Record<never, never>,
  const TErrorCodes extends ErrorCatalogue = Record<never, never>,
>(
  definition: FeatureDefinition<TName, TTables, TPermissions, TErrorCodes>,
): FeatureDefinition<TName, TTables, TPermissions, TErrorCodes> => definition;

type UnionToIntersection<T> = (T extends unknown ? (value: T) => void : never) extends (value: infer I) => void ? I : never;
type TablesOf<TFeature> = TFeature extends { tables?: TableSet<infer TTables> } ? (unknown extends TTables ? never : TTables) : never;
/** The tables of every feature of a list, as one object type (the Kysely `Database` is built from it). */
export type ComposedTables<TFeatures extends readonly unknown[]> = UnionToIntersection<TablesOf<TFeatures[number]>>;
type PermissionsOf<TFeature> = TFeature extends { permissions?: infer TPermissions } ? NonNullable<TPermissions> : never;
/** The permissions every feature of a list declares, as one object type (`WorkspacePermissionRegistry` extends it). */
export type ComposedPermissions<TFeatures extends readonly unknown[]> = UnionToIntersection<PermissionsOf<TFeatures[number]>>;
type ErrorCodesOf<TFeature> = TFeature extends { errorCodes?: infer TErrorCodes } ? NonNullable<TErrorCodes> : never;
/** The error codes every feature of a list declares, as one object type (`ErrorCodeRegistry` extends it). */
export type ComposedErrorCodes<TFeatures extends readonly unknown[]> = UnionToIntersection<ErrorCodesOf<TFeatures[number]>>;
