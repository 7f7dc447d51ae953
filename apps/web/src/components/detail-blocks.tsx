import type { ReactNode } from 'react';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card.tsx';
import { prettyJson } from '@/lib/format.ts';

/** Term/value pairs of a detail page: two columns on phones, four from `sm` up. */
export function Facts({ items }: { items: [string, ReactNode][] }) {
  return (
    <dl className="grid grid-cols-[auto_minmax(0,1fr)] gap-x-4 gap-y-2 text-sm sm:grid-cols-[auto_minmax(0,1fr)_auto_minmax(0,1fr)]">
      {items.map(([term, value]) => (
        <div key={term} className="contents">
          <dt className="text-muted-foreground">{term}</dt>
          <dd className="min-w-0 break-words">{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** A titled card of a page: title, optional description and actions beside them, then its content. */
export function SectionCard({ title, description, actions, children }: { title: string; description?: ReactNode; actions?: ReactNode; children: ReactNode }) {
  return (
    <Card className="min-w-0">
      <CardHeader className="flex-row flex-wrap items-start justify-between gap-3 pb-2 sm:pb-3">
        <div className="grid min-w-0 flex-1 basis-64 gap-1.5">
          <CardTitle className="text-base">{title}</CardTitle>
          {description ? <CardDescription>{description}</CardDescription> : null}
        </div>
        {actions}
      </CardHeader>
      <CardContent>{children}</CardContent>
    </Card>
  );
}

/** A card holding pretty-printed JSON that scrolls inside itself. */
export function JsonBlock({ label, value, empty }: { label: string; value: unknown; empty: string }) {
  return (
    <Card className="min-w-0">
      <CardHeader className="pb-2 sm:pb-3">
        <CardTitle className="text-base">{label}</CardTitle>
      </CardHeader>
      <CardContent>
        {value === null || value === undefined ? (
          <p className="text-sm text-muted-foreground">{empty}</p>
        ) : (
          <pre tabIndex={0} aria-label={label} className="max-h-96 overflow-auto rounded-md bg-muted p-3 font-mono text-xs whitespace-pre">
            {prettyJson(value)}
          </pre>
        )}
      </CardContent>
    </Card>
  );
}
