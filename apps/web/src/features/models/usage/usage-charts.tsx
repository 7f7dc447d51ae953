/**
 * The usage charts. Recharts is large, so this file is only ever imported lazily (the Usage tab's own chunk
 * does not contain it). Colours are SVG attributes and text uses currentColor: nothing needs inline CSS.
 */
import type { ReactNode } from 'react';
import { Bar, BarChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis, type TooltipContentProps, type TooltipValueType } from 'recharts';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card.tsx';
import { formatCost } from '@/features/models/models.ts';
import { topGroups, type DayTotals, type GroupTotals, type UsageSummary } from '@/features/models/usage/usage.ts';

const OK_COLOR = '#14b8a6';
const ERROR_COLOR = '#ef4444';
const COST_COLOR = '#8b5cf6';
const GROUP_LIMIT = 8;

const shortDay = (day: string) => {
  const [, month, date] = day.split('-');
  return `${Number(month)}/${Number(date)}`;
};
const shortName = (name: string) => (name.length > 22 ? `${name.slice(0, 21)}…` : name);

function ChartCard({ title, children, empty }: { title: string; children: ReactNode; empty: boolean }) {
  return (
    <Card className="min-w-0">
      <CardHeader className="pb-2 sm:pb-3">
        <CardTitle className="text-base">{title}</CardTitle>
      </CardHeader>
      <CardContent>
        {empty ? <p className="py-10 text-center text-sm text-muted-foreground">No calls in this period.</p> : <div className="h-56 text-muted-foreground">{children}</div>}
      </CardContent>
    </Card>
  );
}

/** Tooltip with the app's own surface colours (Recharts' default box is always white). */
function ChartTooltip({ active, payload, label }: Partial<TooltipContentProps<TooltipValueType, string | number>>) {
  if (!active || !payload?.length) return null;
  return (
    <div className="rounded-md border bg-popover px-3 py-2 text-xs text-popover-foreground shadow-md">
      <p className="mb-1 font-medium break-all">{String(label)}</p>
      {payload.map((entry) => (
        <p key={String(entry.dataKey)} className="flex items-center gap-2 tabular-nums">
          <svg aria-hidden viewBox="0 0 8 8" className="size-2">
            <rect width="8" height="8" rx="2" fill={entry.color} />
          </svg>
          {entry.name}: {entry.dataKey === 'cost' ? formatCost(Number(entry.value)) : Number(entry.value).toLocaleString('en')}
        </p>
      ))}
    </div>
  );
}

const axisProps = { stroke: 'currentColor', tick: { fill: 'currentColor', fontSize: 11 }, tickLine: false } as const;

function CallsByDay({ days }: { days: DayTotals[] }) {
  const data = days.map((day) => ({ day: day.day, ok: day.calls - day.errors, errors: day.errors }));
  return (
    <ResponsiveContainer width="100%" height="100%">
      <BarChart data={data} margin={{ top: 4, right: 4, bottom: 0, left: -16 }}>
        <CartesianGrid vertical={false} stroke="currentColor" strokeOpacity={0.15} />
        <XAxis dataKey="day" tickFormatter={shortDay} {...axisProps} minTickGap={12} />
        <YAxis allowDecimals={false} {...axisProps} />
        <Tooltip content={ChartTooltip} cursor={{ fill: 'currentColor', fillOpacity: 0.08 }} />
        <Bar dataKey="ok" name="succeeded" stackId="calls" fill={OK_COLOR} isAnimationActive={false} maxBarSize={48} />
        <Bar dataKey="errors" name="failed" stackId="calls" fill={ERROR_COLOR} radius={[3, 3, 0, 0]} isAnimationActive={false} maxBarSize={48} />
      </BarChart>
    </ResponsiveContainer>
  );
}

function CostByDay({ days }: { days: DayTotals[] }) {
  return (
    <ResponsiveContainer width="100%" height="100%">
      <BarChart data={days} margin={{ top: 4, right: 4, bottom: 0, left: -4 }}>
        <CartesianGrid vertical={false} stroke="currentColor" strokeOpacity={0.15} />
        <XAxis dataKey="day" tickFormatter={shortDay} {...axisProps} minTickGap={12} />
        <YAxis tickFormatter={(value: number) => formatCost(value)} {...axisProps} />
        <Tooltip content={ChartTooltip} cursor={{ fill: 'currentColor', fillOpacity: 0.08 }} />
        <Bar dataKey="cost" name="cost" fill={COST_COLOR} radius={[3, 3, 0, 0]} isAnimationActive={false} maxBarSize={48} />
      </BarChart>
    </ResponsiveContainer>
  );
}

function ByGroup({ groups }: { groups: GroupTotals[] }) {
  const data = topGroups(groups, GROUP_LIMIT).map((group) => ({ name: group.name, ok: group.calls - group.errors, errors: group.errors, cost: group.cost }));
  return (
    <ResponsiveContainer width="100%" height="100%">
      <BarChart data={data} layout="vertical" margin={{ top: 4, right: 8, bottom: 0, left: 0 }}>
        <CartesianGrid horizontal={false} stroke="currentColor" strokeOpacity={0.15} />
        <XAxis type="number" allowDecimals={false} {...axisProps} />
        <YAxis type="category" dataKey="name" width={130} tickFormatter={shortName} {...axisProps} interval={0} />
        <Tooltip content={ChartTooltip} cursor={{ fill: 'currentColor', fillOpacity: 0.08 }} />
        <Bar dataKey="ok" name="succeeded" stackId="calls" fill={OK_COLOR} isAnimationActive={false} maxBarSize={48} />
        <Bar dataKey="errors" name="failed" stackId="calls" fill={ERROR_COLOR} radius={[0, 3, 3, 0]} isAnimationActive={false} maxBarSize={48} />
      </BarChart>
    </ResponsiveContainer>
  );
}

/** Calls and cost per day, and calls per target and per API key. */
export function UsageCharts({ summary }: { summary: UsageSummary }) {
  const empty = summary.calls === 0;
  return (
    <div className="grid grid-cols-1 gap-4 lg:grid-cols-2">
      <ChartCard title="Calls per day" empty={empty}>
        <CallsByDay days={summary.byDay} />
      </ChartCard>
      <ChartCard title="Cost per day" empty={empty}>
        <CostByDay days={summary.byDay} />
      </ChartCard>
      <ChartCard title="Calls by model (target that served)" empty={empty}>
        <ByGroup groups={summary.byTarget} />
      </ChartCard>
      <ChartCard title="Calls by API key" empty={empty}>
        <ByGroup groups={summary.byKey} />
      </ChartCard>
    </div>
  );
}
