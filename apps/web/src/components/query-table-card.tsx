/**
 * The one scaffold for a query shown in a card: loading rows while it is pending, the error when it failed, an
 * empty state when it has no rows, else a table of them. Pages give the columns and one row; nothing else.
 */
import type { ReactNode } from 'react';
import { SectionCard } from '@/components/detail-blocks.tsx';
import { ForbiddenNotice, isForbidden } from '@/components/forbidden-page.tsx';
import { EmptyState, LoadingRows } from '@/components/page-header.tsx';
import { Button } from '@/components/ui/button.tsx';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card.tsx';
import { FormError } from '@/components/ui/field.tsx';
import { Table, TableBody, TableHead, TableHeader, TableRow } from '@/components/ui/table.tsx';
import { errorMessage } from '@/lib/api-error.ts';

/** What the scaffold reads of a TanStack query (a `useQuery` or `useInfiniteQuery` result). */
export interface QueryLike<Data = unknown> {
  isPending: boolean;
  isError: boolean;
  error: unknown;
  data?: Data | undefined;
}

/**
 * Loading rows, the error, or `children` with the data. `isEmpty` with `empty` shows the empty state instead.
 * `staleOnError` keeps showing data fetched before a failed refresh (the caller says that it failed).
 */
export function QueryStates<Data>({
  query,
  children,
  empty,
  isEmpty,
  staleOnError = false,
}: {
  query: QueryLike<Data>;
  children: (data: Data) => ReactNode;
  empty?: ReactNode;
  isEmpty?: (data: Data) => boolean;
  staleOnError?: boolean;
}) {
  if (query.isPending) return <LoadingRows />;
  const data = query.data;
  if (query.isError && (!staleOnError || data === undefined || isEmpty?.(data))) {
    // A role that does not reach this list gets an explanation of whom to ask, not the server's refusal.
    return isForbidden(query.error) ? <ForbiddenNotice /> : <FormError message={errorMessage(query.error)} />;
  }
  if (data === undefined) return null;
  if (empty !== undefined && isEmpty?.(data)) return <EmptyState>{empty}</EmptyState>;
  return <>{children(data)}</>;
}

/** The last, unlabelled column of a table whose rows end with buttons. */
/** A column heading: a plain label, or [label, width] for a column shown only from that width up. */
export type ColumnHead = string | readonly [label: string, from: 'sm' | 'md' | 'lg'];

// Whole class names, so that Tailwind finds them.
const shownFrom = { sm: 'hidden sm:table-cell', md: 'hidden md:table-cell', lg: 'hidden lg:table-cell' } as const;

/** A table's column headings in order, then the actions column when asked for. */
export function ColumnHeads({ heads, actions = false }: { heads: readonly ColumnHead[]; actions?: boolean }) {
  return (
    <>
      {heads.map((head) =>
        typeof head === 'string' ? (
          <TableHead key={head}>{head}</TableHead>
        ) : (
          <TableHead key={head[0]} className={shownFrom[head[1]]}>
            {head[0]}
          </TableHead>
        ),
      )}
      {actions ? <ActionsHead /> : null}
    </>
  );
}

export function ActionsHead({ label = 'Actions' }: { label?: string }) {
  return (
    <TableHead className="text-right">
      <span className="sr-only">{label}</span>
    </TableHead>
  );
}

/** "Load more" under an infinite list, while it has a next page. */
export function LoadMore({ query }: { query: { hasNextPage: boolean; isFetchingNextPage: boolean; fetchNextPage: () => Promise<unknown> } }) {
  if (!query.hasNextPage) return null;
  return (
    <div className="mt-4 flex justify-center">
      <Button variant="outline" size="sm" disabled={query.isFetchingNextPage} onClick={() => void query.fetchNextPage()}>
        {query.isFetchingNextPage ? 'Loading…' : 'Load more'}
      </Button>
    </div>
  );
}

interface QueryTableCardBase<Data, Row> {
  query: QueryLike<Data>;
  /** The header cells (`TableHead`s). */
  columns: ReactNode;
  /** One `TableRow` (with its `key`) for a row. */
  row: (row: Row) => ReactNode;
  /** What an empty list says; without it an empty list is an empty table. */
  empty?: ReactNode;
  /** The table's accessible name. */
  label?: string;
  title?: string;
  description?: ReactNode;
  actions?: ReactNode;
  /** `section`: the compact heading of a section of a page; `card`: the heading of a card standing alone. */
  heading?: 'section' | 'card';
  /** Above the states (a status line), and below them (paging). */
  toolbar?: ReactNode;
  footer?: ReactNode;
  staleOnError?: boolean;
  className?: string;
}

/** The table's rows out of the query's data; a query whose data is the list needs none. */
type RowsOption<Data, Row> = Data extends readonly Row[] ? { rows?: (data: Data) => readonly Row[] } : { rows: (data: Data) => readonly Row[] };

export type QueryTableCardProps<Data, Row> = QueryTableCardBase<Data, Row> & RowsOption<Data, Row>;

export function QueryTableCard<Data, Row = Data extends readonly (infer Item)[] ? Item : never>(props: QueryTableCardProps<Data, Row>) {
  const rows = props.rows ?? ((data: Data) => data as readonly Row[]);
  const { query, columns, row, empty, label, title, description, actions, heading = 'section', toolbar, footer, staleOnError, className } = props;
  const content = (
    <>
      {toolbar}
      <QueryStates query={query} empty={empty} isEmpty={(data) => rows(data).length === 0} staleOnError={staleOnError}>
        {(data) => (
          <Table aria-label={label}>
            <TableHeader>
              <TableRow>{columns}</TableRow>
            </TableHeader>
            <TableBody>{rows(data).map(row)}</TableBody>
          </Table>
        )}
      </QueryStates>
      {footer}
    </>
  );
  if (!title) {
    return (
      <Card className={className}>
        <CardContent className="pt-4 sm:pt-6">{content}</CardContent>
      </Card>
    );
  }
  if (heading === 'section') {
    return (
      <SectionCard title={title} description={description} actions={actions}>
        {content}
      </SectionCard>
    );
  }
  return (
    <Card className={className}>
      <CardHeader>
        <CardTitle>{title}</CardTitle>
        {description ? <CardDescription>{description}</CardDescription> : null}
      </CardHeader>
      <CardContent>{content}</CardContent>
    </Card>
  );
}
