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
  requestId: string | null;
  clientAddress: string | null;
  outcome: string;
  metadata: string | null;
}

export interface AuditTables {
  auditEvent: AuditEventTable;
}
