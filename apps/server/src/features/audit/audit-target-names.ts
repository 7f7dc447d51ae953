import type { SteadServices } from '../../feature.ts';
import { SteadError } from '../../platform/errors/stead-error.ts';

/**
 * What audit targets are called now, looked up through the features that own them, so the log shows
 * "Schedule nightly-report" instead of an id, and can tell when a target was deleted.
 */
export interface AuditTargetNames {
  /**
   * The current names of the targets of one type, by id, for those that still exist; an id missing from the
   * map is a deleted target. `undefined` when the type has no lookup (then whether it exists is unknown).
   * `workspaceId` is the events' workspace (null for instance-wide events such as sign-ins).
   */
  lookup(workspaceId: string | null, type: string, ids: readonly string[]): Promise<Map<string, string> | undefined>;
}

type Lookup = (services: SteadServices, workspaceId: string, ids: readonly string[]) => Promise<Map<string, string>>;

/** Items of a list whose ids were asked for, as id → name. */
const pick = <T>(items: readonly T[], ids: readonly string[], id: (item: T) => string, name: (item: T) => string): Map<string, string> => {
  const wanted = new Set(ids);
  return new Map(items.filter((item) => wanted.has(id(item))).map((item) => [id(item), name(item)]));
};

/** One `get` per id; a not-found answer means deleted, any other failure propagates (unknown, not deleted). */
const eachById = async (ids: readonly string[], get: (id: string) => Promise<string>, notFound: string): Promise<Map<string, string>> => {
  const found = new Map<string, string>();
  for (const id of ids) {
    try {
      found.set(id, await get(id));
    } catch (error) {
      if (!(error instanceof SteadError && error.code === notFound)) throw error;
    }
  }
  return found;
};

const workspaceLookups: Record<string, Lookup> = {
  schedule: async ({ schedules }, workspaceId, ids) => pick(await schedules.list(workspaceId), ids, (item) => item.id, (item) => item.name),
  key: async ({ keys }, workspaceId, ids) => pick(await keys.list(workspaceId), ids, (item) => item.id, (item) => item.name),
  'model-provider': async ({ models }, workspaceId, ids) => pick(await models.listProviders(workspaceId), ids, (item) => item.id, (item) => item.name),
  invitation: async ({ workspaces }, workspaceId, ids) =>
    pick(await workspaces.listInvitations(workspaceId), ids, (item) => item.id, (item) => item.email ?? `link for a new ${item.role}`),
  task: async ({ tasks }, workspaceId, ids) => eachById(ids, async (id) => (await tasks.get(workspaceId, id)).kind, 'task_not_found'),
};

const namedByIdTypes = new Set(['secret', 'model-alias']);
/** Targets whose id is their name (secrets, model aliases): named, but whether they still exist is not looked up. */
export const namedById = (type: string): boolean => namedByIdTypes.has(type);

export const createAuditTargetNames = (services: () => SteadServices): AuditTargetNames => ({
  async lookup(workspaceId, type, ids) {
    if (namedById(type)) return undefined;
    // People and workspaces are instance-wide: a removed member is still a person with an email.
    if (type === 'user') return pick(await services().auth.findUsersByIds(ids), ids, (item) => item.id, (item) => item.email);
    if (type === 'workspace') return eachById(ids, async (id) => (await services().workspaces.get(id)).name, 'workspace_not_found');
    const lookup = workspaceLookups[type];
    if (!lookup || workspaceId === null) return undefined;
    return lookup(services(), workspaceId, ids);
  },
});
