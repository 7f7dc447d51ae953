export interface AuditEventTable {
  id: string;
  at: string;
  workspaceId: string | null;
  actorType: string;
  actorId: string | null;
  actorLabel: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  /** The target's name when the event was recorded (migration 0016); null for older events or nameless targets. */
  targetName: string | null;
  requestId: string | null;
  clientAddress: string | null;
  outcome: string;
  metadata: string | null;
}

export interface AuditTables {
  auditEvent: AuditEventTable;
}
