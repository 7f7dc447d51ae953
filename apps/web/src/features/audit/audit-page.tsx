import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import { ChevronLeftIcon, ChevronRightIcon } from 'lucide-react';
import { Fragment, useState } from 'react';
import { LiveStatus } from '@/components/live-status.tsx';
import { FilterCard } from '@/components/filter-card.tsx';
import { PageHeader } from '@/components/page-header.tsx';
import { ActionsHead, QueryTableCard } from '@/components/query-table-card.tsx';
import { Badge } from '@/components/ui/badge.tsx';
import { Button } from '@/components/ui/button.tsx';
import { Field } from '@/components/ui/field.tsx';
import { Input } from '@/components/ui/input.tsx';
import { TableCell, TableHead, TableRow } from '@/components/ui/table.tsx';
import { api, eventsUrl, type AuditEvent, type AuditPage, type AuditQuery } from '@/lib/api.ts';
import { dateInputToIso, formatDateTime, formatRelative } from '@/lib/format.ts';
import { useCurrentWorkspace } from '@/lib/use-app.ts';
import { useEventStream } from '@/lib/use-event-stream.ts';
import { AuditTarget } from '@/features/audit/audit-target.tsx';
import { auditKeys } from '@/features/audit/audit.queries.ts';

const PAGE_SIZE = 50;

interface Filters {
  action: string;
  from: string;
  to: string;
}
const noFilters: Filters = { action: '', from: '', to: '' };

function actorText(event: AuditEvent): string {
  if (event.actor.label) return event.actor.label;
  if (event.actor.type === 'system') return 'System';
  if (event.actor.type === 'anonymous') return 'Anonymous';
  return event.actor.id ?? event.actor.type;
}

function AuditRow({ event }: { event: AuditEvent }) {
  const [open, setOpen] = useState(false);
  const detailsId = `audit-${event.id}`;
  return (
    <Fragment>
      <TableRow>
        <TableCell className="text-muted-foreground" title={formatDateTime(event.at)}>
          <span className="hidden sm:inline">{formatDateTime(event.at)}</span>
          <span className="sm:hidden">{formatRelative(event.at)}</span>
        </TableCell>
        <TableCell>
          <code className="text-xs whitespace-nowrap">{event.action}</code>
          <div className="text-xs text-muted-foreground md:hidden">{actorText(event)}</div>
          <div className="text-xs break-words text-muted-foreground lg:hidden">
            <AuditTarget event={event} />
          </div>
        </TableCell>
        <TableCell className="hidden md:table-cell">
          <span className="break-words">{actorText(event)}</span>
          <span className="ml-1 text-xs text-muted-foreground">({event.actor.type})</span>
        </TableCell>
        <TableCell className="hidden max-w-56 text-muted-foreground lg:table-cell">
          <AuditTarget event={event} />
        </TableCell>
        <TableCell>
          <Badge variant={event.outcome === 'success' ? 'success' : 'destructive'}>{event.outcome}</Badge>
        </TableCell>
        <TableCell className="text-right">
          <Button variant="ghost" size="sm" aria-expanded={open} aria-controls={detailsId} onClick={() => setOpen((value) => !value)}>
            {open ? 'Hide' : 'Details'}
          </Button>
        </TableCell>
      </TableRow>
      {open ? (
        <TableRow id={detailsId} className="bg-muted/30 hover:bg-muted/30">
          <TableCell colSpan={6}>
            <dl className="grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-xs">
              <dt className="text-muted-foreground">Time</dt>
              <dd>{event.at}</dd>
              <dt className="text-muted-foreground">Actor</dt>
              <dd className="break-all">
                {event.actor.type} {event.actor.id ?? ''} {event.actor.label ? `(${event.actor.label})` : ''}
              </dd>
              <dt className="text-muted-foreground">Target</dt>
              <dd className="break-all">
                {event.target.type ? `${event.target.type} ${event.target.id ?? ''}` : '—'}
                {event.target.name ? ` (${event.target.name}${event.target.deleted ? ', deleted' : ''})` : event.target.deleted ? ' (deleted)' : ''}
              </dd>
              <dt className="text-muted-foreground">Client</dt>
              <dd className="break-all">{event.clientAddress}</dd>
              <dt className="text-muted-foreground">Request id</dt>
              <dd className="break-all">
                <code>{event.requestId}</code>
              </dd>
            </dl>
            {event.metadata ? (
              <pre className="mt-2 max-h-64 overflow-auto rounded-md bg-muted p-2 text-xs">{JSON.stringify(event.metadata, null, 2)}</pre>
            ) : null}
          </TableCell>
        </TableRow>
      ) : null}
    </Fragment>
  );
}

function AuditLog({
  baseKey,
  fetchPage,
  streamUrl,
}: {
  /** Key prefix of every page of this log; invalidated when a live event arrives. */
  baseKey: readonly unknown[];
  fetchPage: (query: AuditQuery) => Promise<AuditPage>;
  streamUrl: string | null;
}) {
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<Filters>(noFilters);
  const [filters, setFilters] = useState<Filters>(noFilters);
  // Cursors of the pages visited so far; the last one is the current page (undefined = newest).
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const cursor = cursors.at(-1);

  const query: AuditQuery = {
    action: filters.action.trim() || undefined,
    from: dateInputToIso(filters.from, 'from'),
    to: dateInputToIso(filters.to, 'to'),
    limit: PAGE_SIZE,
    cursor,
  };
  const page = useQuery({ queryKey: [...baseKey, query], queryFn: () => fetchPage(query), placeholderData: keepPreviousData });

  const stream = useEventStream(streamUrl, ['audit-event'], () => {
    // New events only appear on the first page; later pages stay put while someone reads them.
    void queryClient.invalidateQueries({ queryKey: baseKey, refetchType: 'active' });
  });

  const apply = () => {
    setFilters(draft);
    setCursors([undefined]);
  };

  return (
    <>
      <FilterCard
        className="grid gap-3 sm:grid-cols-[minmax(0,2fr)_minmax(0,1fr)_minmax(0,1fr)_auto_auto] sm:items-end"
        onApply={apply}
        onClear={() => {
          setDraft(noFilters);
          setFilters(noFilters);
          setCursors([undefined]);
        }}
      >
        <Field id="audit-action" label="Action">
          <Input
            id="audit-action"
            placeholder="e.g. member.role-change"
            value={draft.action}
            onChange={(event) => setDraft({ ...draft, action: event.target.value })}
          />
        </Field>
        <Field id="audit-from" label="From">
          <Input id="audit-from" type="date" value={draft.from} onChange={(event) => setDraft({ ...draft, from: event.target.value })} />
        </Field>
        <Field id="audit-to" label="To">
          <Input id="audit-to" type="date" value={draft.to} onChange={(event) => setDraft({ ...draft, to: event.target.value })} />
        </Field>
      </FilterCard>
      <QueryTableCard
        query={page}
        rows={(data) => data.events}
        toolbar={
          <div className="mb-3 flex items-center justify-between gap-2 text-xs text-muted-foreground">
            <span>{cursors.length > 1 ? `Page ${cursors.length}` : 'Newest events'}</span>
            {streamUrl ? <LiveStatus state={stream} /> : null}
          </div>
        }
        empty="No events match."
        columns={
          <>
            <TableHead>Time</TableHead>
            <TableHead>Action</TableHead>
            <TableHead className="hidden md:table-cell">Actor</TableHead>
            <TableHead className="hidden lg:table-cell">Target</TableHead>
            <TableHead>Outcome</TableHead>
            <ActionsHead label="Details" />
          </>
        }
        row={(event) => <AuditRow key={event.id} event={event} />}
        footer={
          <div className="mt-4 flex justify-between gap-2">
            <Button variant="outline" size="sm" disabled={cursors.length <= 1} onClick={() => setCursors((list) => list.slice(0, -1))}>
              <ChevronLeftIcon aria-hidden />
              Newer
            </Button>
            <Button
              variant="outline"
              size="sm"
              disabled={!page.data?.nextCursor || page.isPlaceholderData}
              onClick={() => {
                const next = page.data?.nextCursor;
                if (next) setCursors((list) => [...list, next]);
              }}
            >
              Older
              <ChevronRightIcon aria-hidden />
            </Button>
          </div>
        }
      />
    </>
  );
}

export function WorkspaceAuditPage() {
  const workspace = useCurrentWorkspace();
  return (
    <>
      <PageHeader title="Audit log" description={`Who did what in ${workspace.name}. New events appear as they happen.`} />
      <AuditLog
        key={workspace.id}
        baseKey={auditKeys.audit(workspace.id)}
        fetchPage={(query) => api.workspaceAudit(workspace.id, query)}
        streamUrl={eventsUrl(workspace.id)}
      />
    </>
  );
}

export function AdminAuditPage() {
  return (
    <>
      <PageHeader title="Instance audit" description="Events from every workspace, plus sign-ins and administration." />
      <AuditLog baseKey={auditKeys.adminAudit} fetchPage={(query) => api.adminAudit(query)} streamUrl={null} />
    </>
  );
}
