import { z } from 'zod';

export const auditEventSchema = z.object({
  id: z.string(),
  at: z.string(),
  workspaceId: z.string().nullable(),
  actor: z.object({ type: z.enum(['user', 'key', 'system', 'anonymous']), id: z.string().nullable(), label: z.string().nullable() }),
  action: z.string(),
  target: z.object({
    type: z.string().nullable(),
    id: z.string().nullable(),
    name: z.string().nullable().describe('What the target is called (a schedule\'s or key\'s name, a person\'s email); its current name when it still exists, else the name it had'),
    deleted: z.boolean().describe('The target no longer exists (its name, when known, is the one it had)'),
  }),
  requestId: z.string().nullable(),
  clientAddress: z.string().nullable(),
  outcome: z.enum(['success', 'failure']),
  metadata: z.record(z.string(), z.unknown()).nullable(),
});
export type AuditEvent = z.infer<typeof auditEventSchema>;

export const auditQuerySchema = z.strictObject({
  action: z.string().max(100).optional().describe('Exact action, or a prefix ending in `.` (e.g. `workspace.`)'),
  actorId: z.string().max(100).optional(),
  targetId: z.string().max(100).optional(),
  outcome: z.enum(['success', 'failure']).optional(),
  from: z.iso.datetime({ offset: true }).optional().describe('Inclusive lower bound (ISO-8601)'),
  to: z.iso.datetime({ offset: true }).optional().describe('Exclusive upper bound (ISO-8601)'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(100).optional().describe('`nextCursor` of the previous page'),
});
export type AuditQuery = z.infer<typeof auditQuerySchema>;

export const auditPageSchema = z.object({ events: z.array(auditEventSchema), nextCursor: z.string().nullable() });

/** What a caller records; the service adds id and time. */
export interface AuditRecordInput {
  workspaceId: string | null;
  actor: AuditEvent['actor'];
  action: string;
  target?: { type: string | null; id: string | null };
  requestId?: string | null;
  clientAddress?: string | null;
  outcome: AuditEvent['outcome'];
  metadata?: Record<string, unknown> | null;
}
