import type { Clock, Ids } from '../../platform/clock/clock.ts';
import type { EventBus } from '../../platform/events/events.port.ts';
import type { AuditRepository, AuditRow } from './audit.repository.ts';
import type { AuditEvent, AuditQuery, AuditRecordInput } from './audit.schema.ts';

export interface AuditServiceOptions {
  repository: AuditRepository;
  events: EventBus;
  clock: Clock;
  ids: Ids;
}

const toEvent = (row: AuditRow): AuditEvent => ({
  id: row.id,
  at: row.at,
  workspaceId: row.workspaceId,
  actor: { type: row.actorType as AuditEvent['actor']['type'], id: row.actorId, label: row.actorLabel },
  action: row.action,
  target: { type: row.targetType, id: row.targetId },
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

export const createAuditService = ({ repository, events, clock, ids }: AuditServiceOptions) : AuditService => ({
  /** Appends one event and announces it to the workspace's live subscribers. */
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
      requestId: input.requestId ?? null,
      clientAddress: input.clientAddress ?? null,
      outcome: input.outcome,
      metadata: input.metadata ? JSON.stringify(input.metadata) : null,
    };
    await repository.insert(row);
    const event = toEvent(row);
    await events.publish({ type: 'audit-event', workspaceId: event.workspaceId, data: event });
    return event;
  },

  async list(workspaceId: string | undefined, query: AuditQuery): Promise<{ events: AuditEvent[]; nextCursor: string | null }> {
    const rows = await repository.list(workspaceId, query);
    const page = rows.slice(0, query.limit);
    return { events: page.map(toEvent), nextCursor: rows.length > query.limit ? page[page.length - 1]!.id : null };
  },
});

