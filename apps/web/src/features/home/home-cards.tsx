import { Link } from '@tanstack/react-router';
import type { ReactNode } from 'react';
import { Badge } from '@/components/ui/badge.tsx';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card.tsx';
import { useConnectionStatus } from '@/components/connection-status.tsx';
import { AuditTarget } from '@/features/audit/audit-target.tsx';
import { formatSpend, modelHealth, nextFires } from '@/features/home/home.ts';
import type { WorkspaceOverview } from '@/features/home/home.queries.ts';
import { TaskProgress, TaskStateBadge } from '@/features/tasks/task-state.tsx';
import { summarizeTaskInput } from '@/features/tasks/tasks.ts';
import type { AuditEvent, Model, Schedule, Task } from '@/lib/api.ts';
import { formatDateTime, formatDuration, formatRelative } from '@/lib/format.ts';

const linkClass = 'underline-offset-4 hover:underline';

/** A home card (a named region): title, an optional "see all" link, then its content. */
export function HomeCard({ title, description, more, children, label }: { title: string; description?: ReactNode; more?: ReactNode; children: ReactNode; label: string }) {
  return (
    <Card className="min-w-0" role="region" aria-label={label}>
      <CardHeader className="flex-row flex-wrap items-start justify-between gap-2 pb-2 sm:pb-3">
        <div className="grid min-w-0 flex-1 gap-1">
          <CardTitle className="text-base">{title}</CardTitle>
          {description ? <CardDescription>{description}</CardDescription> : null}
        </div>
        {more ? <div className="text-sm">{more}</div> : null}
      </CardHeader>
      <CardContent className="min-w-0">{children}</CardContent>
    </Card>
  );
}

function Muted({ children }: { children: ReactNode }) {
  return <p className="text-sm text-muted-foreground">{children}</p>;
}

/** The workspace's models with their health (this node's view of breakers, latency and errors). */
export function ModelsList({ models }: { models: Model[] }) {
  if (models.length === 0) return <Muted>No models yet.</Muted>;
  const shown = models.slice(0, 6);
  return (
    <ul className="grid gap-2">
      {shown.map((model) => {
        const health = modelHealth(model.health);
        return (
          <li key={model.id} className="flex min-w-0 items-start justify-between gap-2">
            <div className="grid min-w-0">
              <span className="truncate font-mono text-xs" title={model.qualifiedName}>
                {model.qualifiedName}
              </span>
              <span className="text-xs break-words text-muted-foreground">{health.detail || model.locality}</span>
            </div>
            <Badge variant={health.tone}>{health.label}</Badge>
          </li>
        );
      })}
      {models.length > shown.length ? <li className="text-xs text-muted-foreground">and {models.length - shown.length} more</li> : null}
    </ul>
  );
}

function Figure({ label, value }: { label: string; value: string }) {
  return (
    <div className="grid min-w-0 gap-0.5">
      <dt className="text-xs text-muted-foreground">{label}</dt>
      <dd className="truncate text-lg font-semibold tabular-nums">{value}</dd>
    </div>
  );
}

/** Today's calls through the gateway, their tokens and what they cost. */
export function UsageFigures({ usage }: { usage: WorkspaceOverview['usageToday'] }) {
  const tokens = usage.inputTokens + usage.outputTokens;
  return (
    <>
      <dl className="grid grid-cols-2 gap-3 sm:grid-cols-4">
        <Figure label="Calls" value={usage.requests.toLocaleString()} />
        <Figure label="Errors" value={usage.errors.toLocaleString()} />
        <Figure label="Tokens" value={tokens.toLocaleString()} />
        <Figure label="Spend" value={formatSpend(usage.spend)} />
      </dl>
      {usage.truncated ? <p className="mt-2 text-xs text-muted-foreground">More calls than the overview adds up; the usage page has them all.</p> : null}
    </>
  );
}

/** Tasks of one state, newest first, each linked to its page; running ones with their live progress. */
export function TaskList({ tasks, workspaceId, empty }: { tasks: Task[]; workspaceId: string; empty: string }) {
  if (tasks.length === 0) return <Muted>{empty}</Muted>;
  return (
    <ul className="grid gap-3">
      {tasks.map((task) => {
        const summary = summarizeTaskInput(task.input, 80);
        return (
          <li key={task.id} className="grid min-w-0 gap-1">
            <div className="flex min-w-0 items-center justify-between gap-2">
              <Link to="/w/$workspaceId/tasks/$taskId" params={{ workspaceId, taskId: task.id }} className={`min-w-0 truncate text-sm font-medium ${linkClass}`}>
                {task.kind}
              </Link>
              <TaskStateBadge state={task.state} />
            </div>
            {summary ? <span className="truncate font-mono text-xs text-muted-foreground" title={summary}>{summary}</span> : null}
            {task.state === 'failed' && task.error ? (
              <span className="line-clamp-2 text-xs break-words text-destructive" title={task.error}>
                {task.error}
              </span>
            ) : null}
            {task.state === 'running' ? <TaskProgress task={task} /> : null}
          </li>
        );
      })}
    </ul>
  );
}

/** The schedules that fire next, soonest first, linked. */
export function NextFiresList({ schedules, workspaceId, now }: { schedules: Schedule[]; workspaceId: string; now: number }) {
  const next = nextFires(schedules);
  if (next.length === 0) return <Muted>{schedules.length === 0 ? 'No schedules yet.' : 'No enabled schedule is due.'}</Muted>;
  return (
    <ul className="grid gap-2">
      {next.map((schedule) => (
        <li key={schedule.id} className="flex min-w-0 items-center justify-between gap-2">
          <Link to="/w/$workspaceId/schedules/$scheduleId" params={{ workspaceId, scheduleId: schedule.id }} className={`min-w-0 truncate text-sm ${linkClass}`}>
            {schedule.name}
          </Link>
          <span className="shrink-0 text-xs text-muted-foreground" title={formatDateTime(schedule.nextFireAt)}>
            {formatRelative(schedule.nextFireAt, now)}
          </span>
        </li>
      ))}
    </ul>
  );
}

/** The latest audit events, targets by name. */
export function RecentAudit({ events, now }: { events: AuditEvent[]; now: number }) {
  if (events.length === 0) return <Muted>Nothing recorded yet.</Muted>;
  return (
    <ul className="grid gap-2">
      {events.map((event) => (
        <li key={event.id} className="grid min-w-0 gap-0.5">
          <div className="flex min-w-0 items-center justify-between gap-2">
            <code className="truncate text-xs">{event.action}</code>
            <span className="shrink-0 text-xs text-muted-foreground" title={formatDateTime(event.at)}>
              {formatRelative(event.at, now)}
            </span>
          </div>
          <div className="flex min-w-0 flex-wrap items-center gap-x-1 text-xs text-muted-foreground">
            <span className="break-all">{event.actor.label ?? event.actor.type}</span>
            {event.target.type ? (
              <>
                <span aria-hidden>→</span>
                <AuditTarget event={event} />
              </>
            ) : null}
            {event.outcome === 'failure' ? <Badge variant="destructive">failure</Badge> : null}
          </div>
        </li>
      ))}
    </ul>
  );
}

/** The server's health as the header indicator sees it (the same /api/health poll). */
export function ServerStatus() {
  const status = useConnectionStatus();
  const tone = status.state === 'online' ? 'success' : status.state === 'checking' ? 'secondary' : 'destructive';
  return (
    <dl className="grid grid-cols-[auto_minmax(0,1fr)] gap-x-4 gap-y-1 text-sm">
      <dt className="text-muted-foreground">Status</dt>
      <dd>
        <Badge variant={tone}>{status.label}</Badge>
      </dd>
      <dt className="text-muted-foreground">Version</dt>
      <dd className="break-words">{status.version ?? '—'}</dd>
      <dt className="text-muted-foreground">Up for</dt>
      <dd>{status.uptime === null ? '—' : formatDuration(status.uptime)}</dd>
      {status.downComponents.length > 0 ? (
        <>
          <dt className="text-muted-foreground">Down</dt>
          <dd className="break-words text-destructive">{status.downComponents.join(', ')}</dd>
        </>
      ) : null}
    </dl>
  );
}
