import { useQuery } from '@tanstack/react-query';
import { DownloadIcon, RefreshCwIcon } from 'lucide-react';
import { lazy, Suspense, useMemo, useState } from 'react';
import { BudgetsPanel } from '@/features/models/usage/budgets-panel.tsx';
import { LoadingRows } from '@/components/page-header.tsx';
import { QueryStates, QueryTableCard } from '@/components/query-table-card.tsx';
import { Badge } from '@/components/ui/badge.tsx';
import { Button } from '@/components/ui/button.tsx';
import { TableCell, TableHead, TableRow } from '@/components/ui/table.tsx';
import { SectionCard } from '@/components/detail-blocks.tsx';
import { api, modelUsageCsvUrl, type UsageRecord } from '@/lib/api.ts';
import { formatDateTime } from '@/lib/format.ts';
import { apiKeysQuery } from '@/features/keys/keys.queries.ts';
import { formatCost, formatMs } from '@/features/models/models.ts';
import { NO_KEY, summarizeUsage } from '@/features/models/usage/usage.ts';
import { useCurrentWorkspace } from '@/lib/use-app.ts';
import { canManage } from '@/lib/workspace-store.ts';
import { modelKeys } from '@/features/models/models.queries.ts';

// Recharts is only downloaded when this tab shows charts.
const UsageCharts = lazy(async () => ({ default: (await import('@/features/models/usage/usage-charts.tsx')).UsageCharts }));

/** The charts are computed here from the newest ledger records, at most this many. */
const MAX_RECORDS = 2_000;
const PAGE_SIZE = 500;
const TABLE_STEP = 50;
// Calls seconds apart must not look simultaneous: the time shows seconds, the day sits under it.
const timeFormat = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });
const dayFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });

async function fetchRecentUsage(workspaceId: string): Promise<{ records: UsageRecord[]; truncated: boolean }> {
  const records: UsageRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = await api.modelUsage(workspaceId, { limit: PAGE_SIZE, ...(cursor ? { cursor } : {}) });
    records.push(...page.records);
    cursor = page.nextCursor ?? undefined;
  } while (cursor && records.length < MAX_RECORDS);
  return { records: records.slice(0, MAX_RECORDS), truncated: Boolean(cursor) };
}


function Stat({ label, value }: { label: string; value: string }) {
  return (
    <div className="rounded-lg border p-3">
      <p className="text-xs text-muted-foreground">{label}</p>
      <p className="text-xl font-semibold tabular-nums">{value}</p>
    </div>
  );
}

function CallRow({ record, keyName }: { record: UsageRecord; keyName: string }) {
  const tokens = record.inputTokens === null && record.outputTokens === null ? '—' : `${record.inputTokens ?? 0} / ${record.outputTokens ?? 0}`;
  return (
    <TableRow>
      <TableCell className="align-top whitespace-nowrap text-muted-foreground tabular-nums" title={formatDateTime(record.at)}>
        <time dateTime={record.at}>{timeFormat.format(new Date(record.at))}</time>
        <div className="text-xs">{dayFormat.format(new Date(record.at))}</div>
        <div className="max-w-24 truncate text-xs md:hidden" title={keyName}>
          {keyName}
        </div>
      </TableCell>
      <TableCell className="max-w-64 min-w-48 align-top sm:max-w-96">
        <div className="font-mono text-xs break-words">
          {record.requestedModel}
          {record.target && record.target !== record.requestedModel ? <span className="text-muted-foreground"> → {record.target}</span> : null}
        </div>
        <p className="mt-1 line-clamp-2 text-xs break-words text-muted-foreground" title={record.reason}>
          {record.reason}
        </p>
      </TableCell>
      <TableCell className="align-top">
        <Badge variant={record.status === 'ok' ? 'success' : 'destructive'}>{record.status === 'ok' ? 'ok' : (record.errorCode ?? 'error')}</Badge>
        <div className="mt-1 text-xs text-muted-foreground">{record.dataClass}</div>
      </TableCell>
      <TableCell className="hidden text-right align-top whitespace-nowrap tabular-nums sm:table-cell">
        {tokens}
        <div className="text-xs text-muted-foreground">{formatCost(record.cost)}</div>
      </TableCell>
      <TableCell className="hidden text-right align-top whitespace-nowrap tabular-nums lg:table-cell">
        {formatMs(record.firstTokenMs)}
        <div className="text-xs text-muted-foreground">{formatMs(record.totalMs)}</div>
      </TableCell>
      <TableCell className="hidden max-w-32 align-top break-words text-muted-foreground md:table-cell">{keyName}</TableCell>
    </TableRow>
  );
}

export function ModelUsagePage() {
  const workspace = useCurrentWorkspace();
  const manage = canManage(workspace.role);
  const [shown, setShown] = useState(TABLE_STEP);
  const usage = useQuery({ queryKey: modelKeys.modelUsage(workspace.id), queryFn: () => fetchRecentUsage(workspace.id), staleTime: 0 });
  // Key names need keys:read (admins and owners); others see key ids.
  const keys = useQuery(apiKeysQuery(workspace.id, manage));
  const keyNames = useMemo(() => new Map((keys.data ?? []).map((key) => [key.id, key.name])), [keys.data]);
  const records = usage.data?.records;
  const summary = useMemo(() => summarizeUsage(records ?? [], { keyNames }), [records, keyNames]);
  const nameOfKey = (keyId: string | null) => (keyId ? (keyNames.get(keyId) ?? keyId) : NO_KEY);

  return (
    <div className="grid grid-cols-1 gap-4">
      <div className="flex flex-col gap-3 sm:flex-row sm:items-end sm:justify-between">
        <p className="text-sm text-muted-foreground">
          Every gateway call with its routing decision, tokens, cost and timings.{' '}
          {usage.data?.truncated ? `Charts cover the newest ${MAX_RECORDS.toLocaleString('en')} calls; the CSV has them all.` : ''}
        </p>
        <div className="flex shrink-0 gap-2">
          <Button variant="outline" disabled={usage.isFetching} onClick={() => void usage.refetch()}>
            <RefreshCwIcon aria-hidden className={usage.isFetching ? 'animate-spin' : undefined} />
            Refresh
          </Button>
          <Button asChild variant="outline">
            <a href={modelUsageCsvUrl(workspace.id)} download>
              <DownloadIcon aria-hidden />
              Download CSV
            </a>
          </Button>
        </div>
      </div>

      <QueryStates query={usage}>
        {(data) => (
          <>
            <div className="grid grid-cols-2 gap-3 sm:grid-cols-4">
              <Stat label="Calls" value={summary.calls.toLocaleString('en')} />
              <Stat label="Failed" value={summary.calls === 0 ? '—' : `${summary.errors.toLocaleString('en')} (${Math.round((summary.errors / summary.calls) * 100)}%)`} />
              <Stat label="Tokens" value={summary.tokens.toLocaleString('en')} />
              <Stat label="Cost" value={formatCost(summary.cost)} />
            </div>
            <Suspense fallback={<LoadingRows />}>
              <UsageCharts summary={summary} />
            </Suspense>
            <QueryTableCard
              query={usage}
              rows={() => data.records.slice(0, shown)}
              label="Recent calls"
              title="Recent calls"
              description="Newest first, with the target that served and why it was chosen."
              empty="No calls yet. Calls through /v1/chat/completions, /v1/embeddings and the Playground appear here."
              columns={
                <>
                  <TableHead>Time</TableHead>
                  <TableHead>Model → target, reason</TableHead>
                  <TableHead>Status</TableHead>
                  <TableHead className="hidden text-right sm:table-cell">Tokens in / out, cost</TableHead>
                  <TableHead className="hidden text-right lg:table-cell">First token, total</TableHead>
                  <TableHead className="hidden md:table-cell">Key</TableHead>
                </>
              }
              row={(record) => <CallRow key={record.id} record={record} keyName={nameOfKey(record.keyId)} />}
              footer={
                data.records.length > shown ? (
                  <div className="mt-4 flex justify-center">
                    <Button variant="outline" size="sm" onClick={() => setShown(shown + TABLE_STEP)}>
                      Show more
                    </Button>
                  </div>
                ) : null
              }
            />
          </>
        )}
      </QueryStates>

      <SectionCard title="Budgets" description="Limits of the whole workspace and of single API keys, checked before every call with an estimate and settled after it.">
        <BudgetsPanel workspaceId={workspace.id} manage={manage} keys={keys.data ?? []} />
      </SectionCard>
    </div>
  );
}
