/**
 * The web app's calls to the Stead API, one function per endpoint, over the client generated from the
 * OpenAPI document (`@stead/api-client`). Types come from the generated `paths`, never by hand.
 */
import { createSteadClient, type paths, type SteadClient } from '@stead/api-client';
import { apiErrorFromResponse, networkError } from './api-error.ts';

/** The JSON body of a route's answer with `Status`. */
type Answer<Path extends keyof paths, Method extends keyof paths[Path], Status extends number = 200> =
  paths[Path][Method] extends { responses: { [S in Status]: { content: { 'application/json': infer Body } } } } ? Body : never;
/** The JSON body a route accepts. */
type Input<Path extends keyof paths, Method extends keyof paths[Path]> =
  paths[Path][Method] extends { requestBody?: { content: { 'application/json': infer Body } } } ? Body : never;

export type Health = Answer<'/api/health', 'get'>;
export type Session = Answer<'/api/auth/session', 'get'>;
export type User = Session['user'];
export type Workspace = Answer<'/api/workspaces', 'get'>['workspaces'][number];
export type Role = Workspace['role'];
export type Member = Answer<'/api/workspaces/{workspaceId}/members', 'get'>['members'][number];
export type Invitation = Answer<'/api/workspaces/{workspaceId}/invitations', 'get'>['invitations'][number];
export type InvitationStatus = Invitation['status'];
export type InvitationPreview = Answer<'/api/invitations/{token}', 'get'>;
export type ApiKey = Answer<'/api/workspaces/{workspaceId}/keys', 'get'>['keys'][number];
export type WorkspaceSecret = Answer<'/api/workspaces/{workspaceId}/secrets', 'get'>['secrets'][number];
export type SecretUsableBy = WorkspaceSecret['usableBy'];
export type CreateSecretRequest = Input<'/api/workspaces/{workspaceId}/secrets', 'post'>;
export type UpdateSecretRequest = Input<'/api/workspaces/{workspaceId}/secrets/{name}', 'patch'>;
export type AuditPage = Answer<'/api/workspaces/{workspaceId}/audit', 'get'>;
export type AuditEvent = AuditPage['events'][number];
export type AuditQuery = NonNullable<paths['/api/workspaces/{workspaceId}/audit']['get']['parameters']['query']>;
export type AdminUser = Answer<'/api/admin/users', 'get'>['users'][number];
export type ResetLink = Answer<'/api/admin/users/{userId}/reset-link', 'post', 201>;
export type ResetLinkPreview = Answer<'/api/auth/password-reset/preview', 'post'>;
export type WorkspaceSettings = Answer<'/api/workspaces/{workspaceId}/settings', 'get'>['settings'];
export type InstanceSettingsDescription = Answer<'/api/admin/instance-settings', 'get'>;
export type InstanceSetting = InstanceSettingsDescription['settings'][number];
export type AllowedHost = InstanceSettingsDescription['allowedHosts'][number];
export type TaskKind = Answer<'/api/workspaces/{workspaceId}/task-kinds', 'get'>['kinds'][number];
export type TaskPage = Answer<'/api/workspaces/{workspaceId}/tasks', 'get'>;
export type Task = TaskPage['tasks'][number];
export type TaskState = Task['state'];
export type TaskQuery = NonNullable<paths['/api/workspaces/{workspaceId}/tasks']['get']['parameters']['query']>;
export type CreateTaskRequest = Input<'/api/workspaces/{workspaceId}/tasks', 'post'>;
export type TaskDetail = Answer<'/api/workspaces/{workspaceId}/tasks/{taskId}', 'get'>;
export type TaskAttempt = TaskDetail['attempts'][number];
export type TaskLogLine = TaskDetail['logs'][number];
export type Schedule = Answer<'/api/workspaces/{workspaceId}/schedules', 'get'>['schedules'][number];
/** A saved trigger (a cron trigger always has its time zone). */
export type ScheduleTrigger = Schedule['trigger'];
export type MissedPolicy = Schedule['missedPolicy'];
export type CreateScheduleRequest = Input<'/api/workspaces/{workspaceId}/schedules', 'post'>;
export type UpdateScheduleRequest = Input<'/api/workspaces/{workspaceId}/schedules/{scheduleId}', 'patch'>;
/** A trigger as sent (the time zone of a cron trigger may be left out: UTC). */
export type ScheduleTriggerRequest = CreateScheduleRequest['trigger'];
export type ScheduleFirePage = Answer<'/api/workspaces/{workspaceId}/schedules/{scheduleId}/fires', 'get'>;
export type ScheduleFire = ScheduleFirePage['fires'][number];
export type ScheduleFireQuery = NonNullable<paths['/api/workspaces/{workspaceId}/schedules/{scheduleId}/fires']['get']['parameters']['query']>;
export type SchedulePreviewQuery = paths['/api/workspaces/{workspaceId}/schedules/preview']['get']['parameters']['query'];
export type ModelProvider = Answer<'/api/workspaces/{workspaceId}/model-providers', 'get'>['providers'][number];
export type ProviderType = ModelProvider['type'];
export type ProviderTimeouts = NonNullable<ModelProvider['timeouts']>;
export type Locality = ModelProvider['locality'];
export type AddProviderRequest = Input<'/api/workspaces/{workspaceId}/model-providers', 'post'>;
export type AddProviderResult = Answer<'/api/workspaces/{workspaceId}/model-providers', 'post', 201>;
export type DeclaredModel = NonNullable<AddProviderRequest['models']>[number];
export type ProviderTestResult = Answer<'/api/workspaces/{workspaceId}/model-providers/{providerId}/test', 'post'>;
export type Model = Answer<'/api/workspaces/{workspaceId}/models', 'get'>['models'][number];
export type ModelCapability = Model['capabilities'][number];
export type BreakerState = Model['health']['breaker'];
export type ModelAlias = Answer<'/api/workspaces/{workspaceId}/model-aliases', 'get'>['aliases'][number];
export type RouteRule = Answer<'/api/workspaces/{workspaceId}/model-rules', 'get'>['rules'][number];
export type RouteRuleMatch = RouteRule['match'];
export type RouteRuleRequest = Input<'/api/workspaces/{workspaceId}/model-rules', 'put'>['rules'][number];
export type RouteTestQuery = NonNullable<paths['/api/workspaces/{workspaceId}/model-routes/test']['get']['parameters']['query']>;
export type RouteDecision = Answer<'/api/workspaces/{workspaceId}/model-routes/test', 'get'>;
export type DataClass = RouteDecision['dataClass'];
export type LatencyTier = NonNullable<RouteRuleMatch['latencyTier']>;
export type DataClassDefaults = Answer<'/api/workspaces/{workspaceId}/model-data-classes', 'get'>;
export type ModelBudget = Answer<'/api/workspaces/{workspaceId}/model-budgets', 'get'>['budgets'][number];
export type SetBudgetRequest = Input<'/api/workspaces/{workspaceId}/model-budgets', 'put'>;
export type UsagePage = Answer<'/api/workspaces/{workspaceId}/model-usage', 'get'>;
export type UsageRecord = UsagePage['records'][number];

/** Options of `createApiClient`. */
export interface ApiClientOptions {
  /** Origin of the server. Default: '' (the page's own origin). */
  baseUrl?: string;
  /** Injected fetch, for tests. Default: the global `fetch` at the time of each call. */
  fetch?: typeof fetch;
}

/**
 * The package's `unwrap`, except that an error answer without Stead's envelope (a proxy's page, an empty body)
 * still throws a SteadApiError with a readable message.
 */
async function call<T>(request: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  const { data, error, response } = await request;
  if (!response.ok) throw apiErrorFromResponse(response.status, error);
  return data as T;
}

/** Health answers 503 with the same body when degraded, so the body is read whatever the status. */
async function readHealth(client: SteadClient): Promise<Health> {
  const { data, error, response } = await client.GET('/api/health');
  const body: unknown = response.ok ? data : error;
  if (typeof body === 'object' && body !== null && 'status' in body && 'components' in body) return body as Health;
  throw apiErrorFromResponse(response.status, error);
}

/** The instance administrators' calls on accounts, and the reset links they hand out. */
function accountAdministration(client: SteadClient) {
  const user = (userId: string) => ({ params: { path: { userId } } });
  return {
    listUsers: () => call(client.GET('/api/admin/users')),
    disableUser: (userId: string) => call(client.POST('/api/admin/users/{userId}/disable', user(userId))),
    enableUser: (userId: string) => call(client.POST('/api/admin/users/{userId}/enable', user(userId))),
    createUser: (body: Input<'/api/admin/users', 'post'>) => call(client.POST('/api/admin/users', { body })),
    createResetLink: (userId: string) => call(client.POST('/api/admin/users/{userId}/reset-link', user(userId))),
    promoteUser: (userId: string) => call(client.POST('/api/admin/users/{userId}/promote', user(userId))),
    demoteUser: (userId: string) => call(client.POST('/api/admin/users/{userId}/demote', user(userId))),
    previewResetLink: (token: string) => call(client.POST('/api/auth/password-reset/preview', { body: { token } })),
    resetPassword: (body: Input<'/api/auth/password-reset', 'post'>) => call(client.POST('/api/auth/password-reset', { body })),
  };
}

/** Instance settings: every setting with its source, and the allowed hosts administrators manage. */
function instanceSettings(client: SteadClient) {
  return {
    instanceSettings: () => call(client.GET('/api/admin/settings')),
    instanceSettingSources: () => call(client.GET('/api/admin/instance-settings')),
    addAllowedHost: (rule: string) => call(client.POST('/api/admin/allowed-hosts', { body: { rule } })),
    removeAllowedHost: (allowedHostId: string) => call(client.DELETE('/api/admin/allowed-hosts/{allowedHostId}', { params: { path: { allowedHostId } } })),
  };
}

export function createApiClient(options: ApiClientOptions = {}) {
  const doFetch = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(input, init));
  const client = createSteadClient({
    ...(options.baseUrl === undefined ? {} : { baseUrl: options.baseUrl }),
    // A request that gets no answer at all throws a SteadApiError too, so the UI handles a single error type.
    fetch: (input, init) =>
      doFetch(input, init).catch((cause: unknown) => {
        throw networkError(cause);
      }),
  });
  const workspace = (workspaceId: string) => ({ params: { path: { workspaceId } } });

  return {
    health: () => readHealth(client),

    setupStatus: () => call(client.GET('/api/setup')),
    setup: (body: Input<'/api/setup', 'post'>) => call(client.POST('/api/setup', { body })),

    login: (body: Input<'/api/auth/login', 'post'>) => call(client.POST('/api/auth/login', { body })),
    loginTwoFactor: (body: Input<'/api/auth/login/two-factor', 'post'>) => call(client.POST('/api/auth/login/two-factor', { body })),
    logout: () => call(client.POST('/api/auth/logout')),
    session: () => call(client.GET('/api/auth/session')),
    signUp: (body: Input<'/api/auth/sign-up', 'post'>) => call(client.POST('/api/auth/sign-up', { body })),

    changePassword: (body: Input<'/api/account/password', 'put'>) => call(client.PUT('/api/account/password', { body })),
    listSessions: () => call(client.GET('/api/account/sessions')),
    revokeSession: (sessionId: string) =>
      call(client.DELETE('/api/account/sessions/{sessionId}', { params: { path: { sessionId } } })),
    enableTwoFactor: (body: Input<'/api/account/two-factor/enable', 'post'>) =>
      call(client.POST('/api/account/two-factor/enable', { body })),
    verifyTwoFactor: (body: Input<'/api/account/two-factor/verify', 'post'>) =>
      call(client.POST('/api/account/two-factor/verify', { body })),
    disableTwoFactor: (body: Input<'/api/account/two-factor/disable', 'post'>) =>
      call(client.POST('/api/account/two-factor/disable', { body })),

    listWorkspaces: () => call(client.GET('/api/workspaces')),
    createWorkspace: (body: Input<'/api/workspaces', 'post'>) => call(client.POST('/api/workspaces', { body })),
    renameWorkspace: (workspaceId: string, body: Input<'/api/workspaces/{workspaceId}', 'patch'>) =>
      call(client.PATCH('/api/workspaces/{workspaceId}', { ...workspace(workspaceId), body })),
    deleteWorkspace: (workspaceId: string) => call(client.DELETE('/api/workspaces/{workspaceId}', workspace(workspaceId))),
    workspaceSettings: (workspaceId: string) => call(client.GET('/api/workspaces/{workspaceId}/settings', workspace(workspaceId))),
    updateWorkspaceSettings: (workspaceId: string, body: Input<'/api/workspaces/{workspaceId}/settings', 'patch'>) =>
      call(client.PATCH('/api/workspaces/{workspaceId}/settings', { ...workspace(workspaceId), body })),

    listMembers: (workspaceId: string) => call(client.GET('/api/workspaces/{workspaceId}/members', workspace(workspaceId))),
    changeMemberRole: (workspaceId: string, userId: string, body: Input<'/api/workspaces/{workspaceId}/members/{userId}', 'patch'>) =>
      call(client.PATCH('/api/workspaces/{workspaceId}/members/{userId}', { params: { path: { workspaceId, userId } }, body })),
    removeMember: (workspaceId: string, userId: string) =>
      call(client.DELETE('/api/workspaces/{workspaceId}/members/{userId}', { params: { path: { workspaceId, userId } } })),

    listInvitations: (workspaceId: string) =>
      call(client.GET('/api/workspaces/{workspaceId}/invitations', workspace(workspaceId))),
    createInvitation: (workspaceId: string, body: Input<'/api/workspaces/{workspaceId}/invitations', 'post'>) =>
      call(client.POST('/api/workspaces/{workspaceId}/invitations', { ...workspace(workspaceId), body })),
    revokeInvitation: (workspaceId: string, invitationId: string) =>
      call(client.DELETE('/api/workspaces/{workspaceId}/invitations/{invitationId}', { params: { path: { workspaceId, invitationId } } })),
    previewInvitation: (token: string) => call(client.GET('/api/invitations/{token}', { params: { path: { token } } })),
    acceptInvitation: (token: string) => call(client.POST('/api/invitations/{token}/accept', { params: { path: { token } } })),

    listKeys: (workspaceId: string) => call(client.GET('/api/workspaces/{workspaceId}/keys', workspace(workspaceId))),
    createKey: (workspaceId: string, body: Input<'/api/workspaces/{workspaceId}/keys', 'post'>) =>
      call(client.POST('/api/workspaces/{workspaceId}/keys', { ...workspace(workspaceId), body })),
    deleteKey: (workspaceId: string, keyId: string) =>
      call(client.DELETE('/api/workspaces/{workspaceId}/keys/{keyId}', { params: { path: { workspaceId, keyId } } })),

    listSecrets: (workspaceId: string) => call(client.GET('/api/workspaces/{workspaceId}/secrets', workspace(workspaceId))),
    createSecret: (workspaceId: string, body: CreateSecretRequest) =>
      call(client.POST('/api/workspaces/{workspaceId}/secrets', { ...workspace(workspaceId), body })),
    updateSecret: (workspaceId: string, name: string, body: UpdateSecretRequest) =>
      call(client.PATCH('/api/workspaces/{workspaceId}/secrets/{name}', { params: { path: { workspaceId, name } }, body })),
    deleteSecret: (workspaceId: string, name: string) =>
      call(client.DELETE('/api/workspaces/{workspaceId}/secrets/{name}', { params: { path: { workspaceId, name } } })),

    workspaceAudit: (workspaceId: string, query: AuditQuery = {}) =>
      call(client.GET('/api/workspaces/{workspaceId}/audit', { params: { path: { workspaceId }, query } })),
    adminAudit: (query: AuditQuery = {}) => call(client.GET('/api/admin/audit', { params: { query } })),

    listTaskKinds: (workspaceId: string) => call(client.GET('/api/workspaces/{workspaceId}/task-kinds', workspace(workspaceId))),
    listTasks: (workspaceId: string, query: TaskQuery = {}) =>
      call(client.GET('/api/workspaces/{workspaceId}/tasks', { params: { path: { workspaceId }, query } })),
    createTask: (workspaceId: string, body: CreateTaskRequest) =>
      call(client.POST('/api/workspaces/{workspaceId}/tasks', { ...workspace(workspaceId), body })),
    task: (workspaceId: string, taskId: string) =>
      call(client.GET('/api/workspaces/{workspaceId}/tasks/{taskId}', { params: { path: { workspaceId, taskId } } })),
    taskLogs: (workspaceId: string, taskId: string, after?: string) =>
      call(client.GET('/api/workspaces/{workspaceId}/tasks/{taskId}/logs', { params: { path: { workspaceId, taskId }, query: after ? { after } : {} } })),
    cancelTask: (workspaceId: string, taskId: string) =>
      call(client.POST('/api/workspaces/{workspaceId}/tasks/{taskId}/cancel', { params: { path: { workspaceId, taskId } } })),
    retryTask: (workspaceId: string, taskId: string) =>
      call(client.POST('/api/workspaces/{workspaceId}/tasks/{taskId}/retry', { params: { path: { workspaceId, taskId } } })),

    listSchedules: (workspaceId: string) => call(client.GET('/api/workspaces/{workspaceId}/schedules', workspace(workspaceId))),
    createSchedule: (workspaceId: string, body: CreateScheduleRequest) =>
      call(client.POST('/api/workspaces/{workspaceId}/schedules', { ...workspace(workspaceId), body })),
    /** The next fire times of a trigger as if it were saved now; nothing is saved. */
    previewSchedule: (workspaceId: string, query: SchedulePreviewQuery) =>
      call(client.GET('/api/workspaces/{workspaceId}/schedules/preview', { params: { path: { workspaceId }, query } })),
    schedule: (workspaceId: string, scheduleId: string) =>
      call(client.GET('/api/workspaces/{workspaceId}/schedules/{scheduleId}', { params: { path: { workspaceId, scheduleId } } })),
    updateSchedule: (workspaceId: string, scheduleId: string, body: UpdateScheduleRequest) =>
      call(client.PATCH('/api/workspaces/{workspaceId}/schedules/{scheduleId}', { params: { path: { workspaceId, scheduleId } }, body })),
    deleteSchedule: (workspaceId: string, scheduleId: string) =>
      call(client.DELETE('/api/workspaces/{workspaceId}/schedules/{scheduleId}', { params: { path: { workspaceId, scheduleId } } })),
    enableSchedule: (workspaceId: string, scheduleId: string) =>
      call(client.POST('/api/workspaces/{workspaceId}/schedules/{scheduleId}/enable', { params: { path: { workspaceId, scheduleId } } })),
    disableSchedule: (workspaceId: string, scheduleId: string) =>
      call(client.POST('/api/workspaces/{workspaceId}/schedules/{scheduleId}/disable', { params: { path: { workspaceId, scheduleId } } })),
    scheduleFires: (workspaceId: string, scheduleId: string, query: ScheduleFireQuery = {}) =>
      call(client.GET('/api/workspaces/{workspaceId}/schedules/{scheduleId}/fires', { params: { path: { workspaceId, scheduleId }, query } })),

    listModelProviders: (workspaceId: string) => call(client.GET('/api/workspaces/{workspaceId}/model-providers', workspace(workspaceId))),
    /** Adds a provider and discovers its models; `discoveryError` says why discovery failed (the provider is kept). */
    addModelProvider: (workspaceId: string, body: AddProviderRequest) =>
      call(client.POST('/api/workspaces/{workspaceId}/model-providers', { ...workspace(workspaceId), body })),
    /** Reaches the provider and lists its models; a failure is an answer (`ok: false`), not an error. */
    testModelProvider: (workspaceId: string, providerId: string) =>
      call(client.POST('/api/workspaces/{workspaceId}/model-providers/{providerId}/test', { params: { path: { workspaceId, providerId } } })),
    /** Enables or disables a provider (a disabled one keeps its models and key but serves nothing). */
    setModelProviderEnabled: (workspaceId: string, providerId: string, enabled: boolean) =>
      call(client.PATCH('/api/workspaces/{workspaceId}/model-providers/{providerId}', { params: { path: { workspaceId, providerId } }, body: { enabled } })),
    removeModelProvider: (workspaceId: string, providerId: string) =>
      call(client.DELETE('/api/workspaces/{workspaceId}/model-providers/{providerId}', { params: { path: { workspaceId, providerId } } })),
    listModels: (workspaceId: string) => call(client.GET('/api/workspaces/{workspaceId}/models', workspace(workspaceId))),
    listModelAliases: (workspaceId: string) => call(client.GET('/api/workspaces/{workspaceId}/model-aliases', workspace(workspaceId))),
    setModelAlias: (workspaceId: string, name: string, targets: string[]) =>
      call(client.PUT('/api/workspaces/{workspaceId}/model-aliases/{name}', { params: { path: { workspaceId, name } }, body: { targets } })),
    removeModelAlias: (workspaceId: string, name: string) =>
      call(client.DELETE('/api/workspaces/{workspaceId}/model-aliases/{name}', { params: { path: { workspaceId, name } } })),
    listModelRules: (workspaceId: string) => call(client.GET('/api/workspaces/{workspaceId}/model-rules', workspace(workspaceId))),
    /** Replaces the whole ordered list. */
    replaceModelRules: (workspaceId: string, rules: RouteRuleRequest[]) =>
      call(client.PUT('/api/workspaces/{workspaceId}/model-rules', { ...workspace(workspaceId), body: { rules } })),
    /** Which targets would serve such a request, in order, and why; no model is called. */
    testModelRoute: (workspaceId: string, query: RouteTestQuery) =>
      call(client.GET('/api/workspaces/{workspaceId}/model-routes/test', { params: { path: { workspaceId }, query } })),
    dataClassDefaults: (workspaceId: string) => call(client.GET('/api/workspaces/{workspaceId}/model-data-classes', workspace(workspaceId))),
    setDataClassDefault: (workspaceId: string, body: Input<'/api/workspaces/{workspaceId}/model-data-classes', 'put'>) =>
      call(client.PUT('/api/workspaces/{workspaceId}/model-data-classes', { ...workspace(workspaceId), body })),
    modelBudgets: (workspaceId: string) => call(client.GET('/api/workspaces/{workspaceId}/model-budgets', workspace(workspaceId))),
    setModelBudget: (workspaceId: string, body: SetBudgetRequest) =>
      call(client.PUT('/api/workspaces/{workspaceId}/model-budgets', { ...workspace(workspaceId), body })),
    modelUsage: (workspaceId: string, query: { cursor?: string; limit?: number } = {}) =>
      call(client.GET('/api/workspaces/{workspaceId}/model-usage', { params: { path: { workspaceId }, query } })),

    ...accountAdministration(client),
    ...instanceSettings(client),
  };
}

export type ApiClient = ReturnType<typeof createApiClient>;

/** The app's client: same origin, cookies included. */
export const api: ApiClient = createApiClient();

/** The usage ledger as a CSV download (a plain link: the browser saves it with the server's file name). */
export function modelUsageCsvUrl(workspaceId: string): string {
  const path: keyof paths = '/api/workspaces/{workspaceId}/model-usage.csv';
  return path.replace('{workspaceId}', encodeURIComponent(workspaceId));
}

/** The gateway's chat endpoint for the session's workspace (streamed with fetch, outside the generated client). */
export function chatCompletionsUrl(workspaceId: string): string {
  const path: keyof paths = '/v1/chat/completions';
  return `${path}?${new URLSearchParams({ workspaceId })}`;
}

/** URL of the server-sent event stream for one workspace (an EventSource, outside the generated client). */
export function eventsUrl(workspaceId: string): string {
  const path: keyof paths = '/api/events';
  return `${path}?${new URLSearchParams({ workspaceId })}`;
}
