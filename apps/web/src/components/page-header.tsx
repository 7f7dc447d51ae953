import type { ReactNode } from 'react';

export function PageHeader({ title, description, actions }: { title: string; description?: ReactNode; actions?: ReactNode }) {
  return (
    <div className="mb-6 flex flex-col gap-3 sm:flex-row sm:items-end sm:justify-between">
      <div className="min-w-0">
        <h1 className="text-2xl font-semibold tracking-tight">{title}</h1>
        {description ? <p className="mt-1 text-sm text-muted-foreground">{description}</p> : null}
      </div>
      {actions ? <div className="flex shrink-0 flex-wrap gap-2">{actions}</div> : null}
    </div>
  );
}

export function EmptyState({ children }: { children: ReactNode }) {
  return <p className="rounded-lg border border-dashed px-4 py-8 text-center text-sm text-muted-foreground">{children}</p>;
}

export function LoadingRows() {
  return (
    <div className="grid gap-2" aria-busy="true" aria-label="Loading">
      <div className="h-8 animate-pulse rounded-md bg-muted" />
      <div className="h-8 animate-pulse rounded-md bg-muted" />
      <div className="h-8 animate-pulse rounded-md bg-muted" />
    </div>
  );
}
