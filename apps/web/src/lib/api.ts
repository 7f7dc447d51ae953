/**
 * Typed client for the Stead HTTP API. One function per endpoint, so it can later be swapped for the
 * client generated from the OpenAPI document (packages/api-client) without touching the pages.
 */
import { ApiError, apiErrorFromResponse, NETWORK_ERROR_CODE } from './api-error.ts';

export type Role = 'owner' | 'admin' | 'member' | 'viewer';
export const roles: readonly Role[] = ['owner', 'admin', 'member', 'viewer'];

export type ComponentState = 'up' | 'down' | 'disabled';
export interface Health {
  status: 'ok' | 'degraded';
  version: string;
  uptime: number;
  components: Record<string, { state: ComponentState; detail?: string }>;
}

export interface User {
  id: string;
  name: string;
  email: string;
  isAdmin: boolean;
  twoFactorEnabled: boolean;
}

export interface Session {
  user: User;
  session: { id: string; expiresAt: string };
}

export type LoginResult = { status: 'signed-in'; user: User } | { status: 'two-factor-required' };

export interface AccountSession {
  id: string;
  createdAt: string;
  expiresAt: string;
  ipAddress: string | null;
  userAgent: string | null;
  current: boolean;
}

export interface Workspace {
  id: string;
  name: string;
  slug: string;
  role: Role;
  createdAt: string;
}

export interface Member {
  userId: string;
  name: string;
  email: string;
  role: Role;
  joinedAt: string;
}

export type InvitationStatus = 'pending' | 'accepted' | 'expired' | 'revoked';
export interface Invitation {
  id: string;
  email: string | null;
  role: Role;
  createdAt: string;
  expiresAt: string;
  status: InvitationStatus;
}

export interface InvitationPreview {
  workspaceName: string;
  role: Role;
  email: string | null;
  expiresAt: string;
}

export interface ApiKey {
  id: string;
  name: string;
  prefix: string;
  role: Role;
  createdAt: string;
  lastUsedAt: string | null;
  expiresAt: string | null;
  createdBy: { id: string; name: string };
}

export interface AuditEvent {
  id: string;
  at: string;
  actor: { type: 'user' | 'key' | 'system' | 'anonymous'; id: string | null; label: string | null };
  action: string;
  target: { type: string | null; id: string | null };
  requestId: string;
  clientAddress: string;
  outcome: 'success' | 'failure';
  metadata: Record<string, unknown> | null;
}

export interface AuditPage {
  events: AuditEvent[];
  nextCursor: string | null;
}

export interface AuditQuery {
  action?: string;
  actorId?: string;
  from?: string;
  to?: string;
  limit?: number;
  cursor?: string;
}

export interface AdminUser {
  id: string;
  name: string;
  email: string;
  isAdmin: boolean;
  twoFactorEnabled: boolean;
  disabledAt: string | null;
  createdAt: string;
}

export interface InstanceSettings {
  version: string;
  dataDir: string;
  database: { dialect: string; location: string };
  config: Record<string, unknown>;
}

export interface ApiClientOptions {
  /** Prefix for every path. Default: '' (same origin). */
  baseUrl?: string;
  /** Injected fetch, for tests. Default: globalThis.fetch. */
  fetch?: typeof fetch;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Builds a query string from the defined, non-empty values only. */
export function toQueryString(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === '') continue;
    search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

const segment = encodeURIComponent;

export function createApiClient(options: ApiClientOptions = {}) {
  const baseUrl = options.baseUrl ?? '';
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(input, init));

  async function request<T>(method: Method, path: string, body?: unknown): Promise<T> {
    const init: RequestInit = { method, credentials: 'include', headers: { accept: 'application/json' } };
    if (body !== undefined) {
      init.headers = { accept: 'application/json', 'content-type': 'application/json' };
      init.body = JSON.stringify(body);
    }
    let response: Response;
    try {
      response = await doFetch(`${baseUrl}${path}`, init);
    } catch (cause) {
      throw new ApiError({ status: 0, code: NETWORK_ERROR_CODE, message: 'The server cannot be reached.', cause });
    }
    const text = await response.text();
    let parsed: unknown = undefined;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    if (!response.ok) throw apiErrorFromResponse(response.status, parsed);
    return parsed as T;
  }

  const get = <T>(path: string) => request<T>('GET', path);
  const post = <T>(path: string, body?: unknown) => request<T>('POST', path, body ?? {});
  const ws = (workspaceId: string) => `/api/workspaces/${segment(workspaceId)}`;

  return {
    /** Health answers 503 with the same body when degraded, so the body is read whatever the status. */
    async health(): Promise<Health> {
      let response: Response;
      try {
        response = await doFetch(`${baseUrl}/api/health`, { credentials: 'include', headers: { accept: 'application/json' } });
      } catch (cause) {
        throw new ApiError({ status: 0, code: NETWORK_ERROR_CODE, message: 'The server cannot be reached.', cause });
      }
      const body: unknown = await response.json().catch(() => null);
      if (body && typeof body === 'object' && 'status' in body && 'components' in body) return body as Health;
      throw apiErrorFromResponse(response.status, body);
    },

    setupStatus: () => get<{ needsSetup: boolean }>('/api/setup'),
    setup: (input: { name: string; email: string; password: string; workspaceName: string }) =>
      post<{ user: User; workspace: Workspace }>('/api/setup', input),

    login: (input: { email: string; password: string }) => post<LoginResult>('/api/auth/login', input),
    loginTwoFactor: (input: { code: string } | { recoveryCode: string }) =>
      post<{ status: 'signed-in'; user: User }>('/api/auth/login/two-factor', input),
    logout: () => post<void>('/api/auth/logout'),
    session: () => get<Session>('/api/auth/session'),
    signUp: (input: { name: string; email: string; password: string; invitationToken: string }) =>
      post<{ status: 'signed-in'; user: User }>('/api/auth/sign-up', input),

    changePassword: (input: { currentPassword: string; newPassword: string }) =>
      request<void>('PUT', '/api/account/password', input),
    listSessions: () => get<{ sessions: AccountSession[] }>('/api/account/sessions'),
    revokeSession: (sessionId: string) => request<void>('DELETE', `/api/account/sessions/${segment(sessionId)}`),
    enableTwoFactor: (input: { password: string }) =>
      post<{ totpUri: string; recoveryCodes: string[] }>('/api/account/two-factor/enable', input),
    verifyTwoFactor: (input: { code: string }) => post<void>('/api/account/two-factor/verify', input),
    disableTwoFactor: (input: { password: string }) => post<void>('/api/account/two-factor/disable', input),

    listWorkspaces: () => get<{ workspaces: Workspace[] }>('/api/workspaces'),
    createWorkspace: (input: { name: string }) => post<{ workspace: Workspace }>('/api/workspaces', input),
    renameWorkspace: (workspaceId: string, input: { name: string }) =>
      request<{ workspace: Workspace }>('PATCH', ws(workspaceId), input),
    deleteWorkspace: (workspaceId: string) => request<void>('DELETE', ws(workspaceId)),

    listMembers: (workspaceId: string) => get<{ members: Member[] }>(`${ws(workspaceId)}/members`),
    changeMemberRole: (workspaceId: string, userId: string, input: { role: Role }) =>
      request<{ member: Member }>('PATCH', `${ws(workspaceId)}/members/${segment(userId)}`, input),
    removeMember: (workspaceId: string, userId: string) =>
      request<void>('DELETE', `${ws(workspaceId)}/members/${segment(userId)}`),

    listInvitations: (workspaceId: string) => get<{ invitations: Invitation[] }>(`${ws(workspaceId)}/invitations`),
    createInvitation: (workspaceId: string, input: { email?: string; role: Role }) =>
      post<{ invitation: Invitation; url: string }>(`${ws(workspaceId)}/invitations`, input),
    revokeInvitation: (workspaceId: string, invitationId: string) =>
      request<void>('DELETE', `${ws(workspaceId)}/invitations/${segment(invitationId)}`),
    previewInvitation: (token: string) => get<InvitationPreview>(`/api/invitations/${segment(token)}`),
    acceptInvitation: (token: string) => post<{ workspace: Workspace }>(`/api/invitations/${segment(token)}/accept`),

    listKeys: (workspaceId: string) => get<{ keys: ApiKey[] }>(`${ws(workspaceId)}/keys`),
    createKey: (workspaceId: string, input: { name: string; role: Role; expiresInDays?: number }) =>
      post<{ key: ApiKey; secret: string }>(`${ws(workspaceId)}/keys`, input),
    deleteKey: (workspaceId: string, keyId: string) => request<void>('DELETE', `${ws(workspaceId)}/keys/${segment(keyId)}`),

    workspaceAudit: (workspaceId: string, query: AuditQuery = {}) =>
      get<AuditPage>(`${ws(workspaceId)}/audit${toQueryString({ ...query })}`),
    adminAudit: (query: AuditQuery = {}) => get<AuditPage>(`/api/admin/audit${toQueryString({ ...query })}`),

    listUsers: () => get<{ users: AdminUser[] }>('/api/admin/users'),
    disableUser: (userId: string) => post<void>(`/api/admin/users/${segment(userId)}/disable`),
    enableUser: (userId: string) => post<void>(`/api/admin/users/${segment(userId)}/enable`),
    instanceSettings: () => get<InstanceSettings>('/api/admin/settings'),
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;

/** The app's client: same origin, cookies included. */
export const api: ApiClient = createApiClient();

/** URL of the server-sent event stream for one workspace. */
export function eventsUrl(workspaceId: string): string {
  return `/api/events${toQueryString({ workspaceId })}`;
}
