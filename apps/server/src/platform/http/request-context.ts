import type { FastifyRequest } from 'fastify';
import type { RoutePermission, WorkspaceRole } from './permissions.ts';

export interface SessionUser {
  id: string;
  name: string;
  email: string;
  isAdmin: boolean;
  twoFactorEnabled: boolean;
}

/** Who is making a request, as established once by the access hook. */
export type Caller =
  | { type: 'anonymous' }
  | { type: 'user'; user: SessionUser; sessionId: string }
  | { type: 'key'; keyId: string; keyName: string; workspaceId: string; role: WorkspaceRole; ownerUserId: string };

/** What a handler adds to the audit record of its request (the action itself is declared on the route). */
export interface AuditDetails {
  workspaceId?: string | null;
  targetType?: string;
  targetId?: string;
  metadata?: Record<string, unknown>;
  /** For routes that establish identity (sign-in): the actor once known. */
  actor?: { type: 'user'; id: string; label: string };
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Required on every route; see permissions.ts. */
    permission?: RoutePermission;
    /** Required on every state-changing route: the audit action recorded for it, e.g. `workspace.create`. */
    audit?: string;
    /**
     * Why a state-changing route writes no audit event, e.g. model calls, which the usage ledger records instead
     * (an audit row per completion would cost more than the call's whole latency budget).
     */
    auditExempt?: string;
    /** The workspace of a workspace-permission route comes from `?workspaceId=` (or the API key) instead of the path. */
    workspaceFromQuery?: boolean;
  }
  interface FastifyRequest {
    caller: Caller;
    /** Set for workspace routes once membership (or the key's workspace) is confirmed. */
    workspaceAccess: { workspaceId: string; role: WorkspaceRole } | undefined;
    auditDetails: AuditDetails | undefined;
  }
}

export const callerLabel = (caller: Caller): { type: Caller['type']; id: string | null; label: string | null } => {
  switch (caller.type) {
    case 'user':
      return { type: 'user', id: caller.user.id, label: caller.user.email };
    case 'key':
      return { type: 'key', id: caller.keyId, label: caller.keyName };
    default:
      return { type: 'anonymous', id: null, label: null };
  }
};

/** What identifies the browser: the cookies it sent and the client address Fastify established. */
export interface ClientContext {
  cookie: string | undefined;
  userAgent: string | undefined;
  clientAddress: string;
}

export const clientOf = (request: FastifyRequest): ClientContext => ({
  cookie: request.headers.cookie,
  userAgent: request.headers['user-agent'],
  clientAddress: request.ip,
});
