import type { AuditEvent } from '@/lib/api.ts';

/** The page an audit target is shown on, when it has one of its own (or a list it appears in). */
export type AuditTargetPage =
  | { page: 'schedule'; scheduleId: string }
  | { page: 'task'; taskId: string }
  | { page: 'keys' | 'models' | 'members' | 'secrets' | 'settings' };

export interface AuditTargetView {
  /** "Schedule nightly-report", "API key deploy-bot", "User mo@example.com"; the short id when the name is unknown. */
  label: string;
  /** The full type and id, for a tooltip. */
  title: string;
  deleted: boolean;
  /** Where the target is shown; null when deleted, nameless or not in a workspace the viewer can open. */
  link: AuditTargetPage | null;
}

const nouns: Record<string, string> = {
  schedule: 'Schedule',
  task: 'Task',
  key: 'API key',
  'model-provider': 'Provider',
  'model-alias': 'Model alias',
  'model-rules': 'Routing rules',
  user: 'User',
  secret: 'Secret',
  workspace: 'Workspace',
  invitation: 'Invitation',
  session: 'Session',
};

const listPages: Record<string, AuditTargetPage['page']> = {
  key: 'keys',
  'model-provider': 'models',
  'model-alias': 'models',
  'model-rules': 'models',
  user: 'members',
  invitation: 'members',
  secret: 'secrets',
  workspace: 'settings',
};

const shortId = (id: string): string => (id.length > 10 ? `${id.slice(0, 8)}…` : id);

function pageOf(type: string, id: string): AuditTargetPage | null {
  if (type === 'schedule') return { page: 'schedule', scheduleId: id };
  if (type === 'task') return { page: 'task', taskId: id };
  const page = listPages[type];
  return page ? ({ page } as AuditTargetPage) : null;
}

/**
 * How an event's target reads in the log: its kind and name rather than a raw id, whether it was deleted, and
 * where it can be opened. `canOpen` says whether the viewer can open pages of the event's workspace (instance
 * administrators read events of workspaces they are not members of).
 */
export function auditTargetView(event: Pick<AuditEvent, 'target' | 'workspaceId'>, canOpen: (workspaceId: string) => boolean): AuditTargetView | null {
  const { type, id, name, deleted } = event.target;
  if (!type) return null;
  const noun = nouns[type] ?? type;
  const label = name ? `${noun} ${name}` : id ? `${noun} ${shortId(id)}` : noun;
  const title = id ? `${type} ${id}${deleted ? ' (deleted)' : ''}` : type;
  const openable = !deleted && id !== null && event.workspaceId !== null && canOpen(event.workspaceId);
  return { label, title, deleted, link: openable ? pageOf(type, id) : null };
}
