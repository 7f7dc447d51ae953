import type { Clock, Ids } from '../../platform/clock/clock.ts';
import type { EventBus } from '../../platform/events/events.port.ts';
import type { AuditRepository, AuditRow } from './audit.repository.ts';
import type { AuditEvent, AuditQuery, AuditRecordInput } from './audit.schema.ts';
import { namedById, type AuditTargetNames } from './audit-target-names.ts';

export interface AuditServiceOptions {
  repository: AuditRepository;
  events: EventBus;
  clock: Clock;
  ids: Ids;
  /** Current names of targets. Default: none (events show the name recorded with them, if any). */
  targetNames?: AuditTargetNames;
  /** A name lookup failed; the event is still recorded or listed, with the name it has. */
  onNameError?: (error: unknown) => void;
}

type Target = AuditEvent['target'];

const toEvent = (row: AuditRow, target: Target = { type: row.targetType, id: row.targetId, name: row.targetName, deleted: false }): AuditEvent => ({
  id: row.id,
  at: row.at,
  workspaceId: row.workspaceId,
  actor: { type: row.actorType as AuditEvent['actor']['type'], id: row.actorId, label: row.actorLabel },
  action: row.action,
  target,
  requestId: row.requestId,
  clientAddress: row.clientAddress,
  outcome: row.outcome as AuditEvent['outcome'],
  metadata: row.metadata ? (JSON.parse(row.metadata) as Record<string, unknown>) : null,
});

export interface AuditService {
  /** Appends one event and announces it to the workspace's live subscribers. */
  record(input: AuditRecordInput): Promise<AuditEvent>;
  /** `workspaceId` undefined lists every workspace's events (instance administrators); newest first. */
  list(workspaceId: string | undefined, query: AuditQuery): Promise<{ events: AuditEvent[]; nextCursor: string | null }>;
}

const noNames: AuditTargetNames = { lookup: async () => undefined };

export const createAuditService = ({ repository, events, clock, ids, targetNames = noNames, onNameError = () => {} }: AuditServiceOptions): AuditService => {
  const lookup = async (workspaceId: string | null, type: string, targetIds: readonly string[]): Promise<Map<string, string> | undefined> => {
    try {
      return await targetNames.lookup(workspaceId, type, targetIds);
    } catch (error) {
      onNameError(error);
      return undefined;
    }
  };

  /** The name to keep with a new event: the one the route recorded in its metadata, else the target's current one. */
  const nameAtRecord = async (input: AuditRecordInput): Promise<string | null> => {
    const { type, id } = input.target ?? { type: null, id: null };
    if (!type || !id) return null;
    if (typeof input.metadata?.name === 'string' && input.metadata.name) return input.metadata.name;
    return (await lookup(input.workspaceId, type, [id]))?.get(id) ?? null;
  };

  /**
   * Every event's target with its current name, or, when it no longer exists, the name it was last recorded
   * with (a deleted schedule keeps the name its creation was recorded with). One lookup per workspace and type.
   */
  const targetsOf = async (rows: readonly AuditRow[], scope: string | undefined): Promise<Target[]> => {
    const groups = new Map<string, { workspaceId: string | null; type: string; ids: Set<string> }>();
    for (const row of rows) {
      if (!row.targetType || !row.targetId) continue;
      const key = `${row.workspaceId ?? ''}\u0000${row.targetType}`;
      const group = groups.get(key) ?? { workspaceId: row.workspaceId, type: row.targetType, ids: new Set<string>() };
      group.ids.add(row.targetId);
      groups.set(key, group);
    }
    const resolved = new Map<string, { current: Map<string, string> | undefined; recorded: Map<string, string> }>();
    await Promise.all(
      [...groups].map(async ([key, group]) => {
        const targetIds = [...group.ids];
        const [current, recorded] = await Promise.all([
          lookup(group.workspaceId, group.type, targetIds),
          repository.recordedNames(scope ?? group.workspaceId ?? undefined, group.type, targetIds),
        ]);
        resolved.set(key, { current, recorded });
      }),
    );
    return rows.map((row) => {
      const base = { type: row.targetType, id: row.targetId, name: row.targetName, deleted: false };
      if (!row.targetType || !row.targetId) return base;
      const names = resolved.get(`${row.workspaceId ?? ''}\u0000${row.targetType}`);
      const current = names?.current?.get(row.targetId);
      if (current !== undefined) return { ...base, name: current };
      const recorded = row.targetName ?? names?.recorded.get(row.targetId) ?? (namedById(row.targetType) ? row.targetId : null);
      return { ...base, name: recorded, deleted: names?.current !== undefined };
    });
  };

  return {
    async record(input: AuditRecordInput): Promise<AuditEvent> {
      const row: AuditRow = {
        id: ids.next(),
        at: clock.now().toISOString(),
        workspaceId: input.workspaceId,
        actorType: input.actor.type,
        actorId: input.actor.id,
        actorLabel: input.actor.label,
        action: input.action,
        targetType: input.target?.type ?? null,
        targetId: input.target?.id ?? null,
        targetName: await nameAtRecord(input),
        requestId: input.requestId ?? null,
        clientAddress: input.clientAddress ?? null,
        outcome: input.outcome,
        metadata: input.metadata ? JSON.stringify(input.metadata) : null,
      };
      await repository.insert(row);
      const event = toEvent(row);
      // Only members who may read the audit log receive it on their event stream.
      await events.publish({ type: 'audit-event', workspaceId: event.workspaceId, data: event, permission: 'audit:read' });
      return event;
    },

    async list(workspaceId: string | undefined, query: AuditQuery): Promise<{ events: AuditEvent[]; nextCursor: string | null }> {
      const rows = await repository.list(workspaceId, query);
      const page = rows.slice(0, query.limit);
      const targets = await targetsOf(page, workspaceId);
      return { events: page.map((row, index) => toEvent(row, targets[index])), nextCursor: rows.length > query.limit ? page[page.length - 1]!.id : null };
    },
  };
};
