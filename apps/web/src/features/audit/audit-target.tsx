import { Link } from '@tanstack/react-router';
import { auditTargetView, type AuditTargetPage } from '@/features/audit/audit.ts';
import type { AuditEvent } from '@/lib/api.ts';
import { useWorkspaces } from '@/lib/use-app.ts';

// Underlined at rest: in a muted table cell a link must not pass for plain text.
const linkClass = 'break-words underline decoration-muted-foreground/50 underline-offset-4 hover:decoration-current';

function TargetLink({ target, workspaceId, label, title }: { target: AuditTargetPage; workspaceId: string; label: string; title: string }) {
  const params = { workspaceId };
  switch (target.page) {
    case 'schedule':
      return <Link to="/w/$workspaceId/schedules/$scheduleId" params={{ ...params, scheduleId: target.scheduleId }} className={linkClass} title={title}>{label}</Link>;
    case 'task':
      return <Link to="/w/$workspaceId/tasks/$taskId" params={{ ...params, taskId: target.taskId }} className={linkClass} title={title}>{label}</Link>;
    case 'keys':
      return <Link to="/w/$workspaceId/keys" params={params} className={linkClass} title={title}>{label}</Link>;
    case 'models':
      return <Link to="/w/$workspaceId/models" params={params} className={linkClass} title={title}>{label}</Link>;
    case 'members':
      return <Link to="/w/$workspaceId/members" params={params} className={linkClass} title={title}>{label}</Link>;
    case 'secrets':
      return <Link to="/w/$workspaceId/secrets" params={params} className={linkClass} title={title}>{label}</Link>;
    case 'settings':
      return <Link to="/w/$workspaceId/settings" params={params} className={linkClass} title={title}>{label}</Link>;
  }
}

/** An audit event's target by name, linked to where it lives; a deleted one greyed and marked. */
export function AuditTarget({ event }: { event: AuditEvent }) {
  const workspaces = useWorkspaces();
  const view = auditTargetView(event, (workspaceId) => workspaces.some((workspace) => workspace.id === workspaceId));
  if (!view) return <>—</>;
  if (view.deleted) {
    return (
      <span className="break-words text-muted-foreground/70" title={view.title}>
        {view.label} <span className="text-xs">(deleted)</span>
      </span>
    );
  }
  if (view.link && event.workspaceId) return <TargetLink target={view.link} workspaceId={event.workspaceId} label={view.label} title={view.title} />;
  return (
    <span className="break-words" title={view.title}>
      {view.label}
    </span>
  );
}
