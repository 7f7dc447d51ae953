import { Link } from '@tanstack/react-router';
import { describeOrigin } from '@/features/tasks/tasks.ts';
import type { Task } from '@/lib/api.ts';

/**
 * Where a task came from: the schedule that started it by name, linked to its page; a deleted schedule greyed
 * with its id (nothing to link to); otherwise "API" or "CLI".
 */
export function TaskOrigin({ origin, workspaceId }: { origin: Task['origin']; workspaceId: string }) {
  if (origin.type === 'schedule' && origin.id && origin.deleted) {
    return (
      <span className="text-muted-foreground/70" title={`Schedule ${origin.id}, since deleted`}>
        {describeOrigin(origin)}
      </span>
    );
  }
  if (origin.type === 'schedule' && origin.id) {
    return (
      <Link to="/w/$workspaceId/schedules/$scheduleId" params={{ workspaceId, scheduleId: origin.id }} className="break-words underline decoration-muted-foreground/50 underline-offset-4 hover:decoration-current">
        {describeOrigin(origin)}
      </Link>
    );
  }
  return <>{describeOrigin(origin)}</>;
}
