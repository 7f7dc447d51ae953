import { SteadApiError } from '@stead/api-client';
import type { ReactNode } from 'react';
import { EmptyState, LoadingRows, PageHeader } from '@/components/page-header.tsx';
import { FormError } from '@/components/ui/field.tsx';
import { errorMessage } from '@/lib/api-error.ts';
import type { QueryLike } from './query-table-card.tsx';

export interface DetailPageProps<Item> {
  /** The `BackLink` to the list. */
  back: ReactNode;
  query: QueryLike;
  /** The thing shown, once the query has it. */
  item: Item | undefined;
  /** What it is, for the header of a failed page: "Task" → "Task not found". */
  noun: string;
  /** The API's error code for a missing item (a 404 counts too). */
  notFoundCode: string;
  /** What a missing item's page says. */
  notFound: ReactNode;
  header: (item: Item) => { title: string; description?: ReactNode; actions?: ReactNode };
  children: (item: Item) => ReactNode;
}

/** One item's page: back link, loading, not found or error, then its header and sections. */
export function DetailPage<Item>({ back, query, item, noun, notFoundCode, notFound, header, children }: DetailPageProps<Item>) {
  const missing = query.error instanceof SteadApiError && (query.error.code === notFoundCode || query.error.status === 404);
  return (
    <>
      {back}
      {query.isPending ? (
        <LoadingRows />
      ) : query.isError || item === undefined ? (
        <>
          <PageHeader title={missing ? `${noun} not found` : noun} />
          {missing ? <EmptyState>{notFound}</EmptyState> : <FormError message={errorMessage(query.error)} />}
        </>
      ) : (
        <>
          <PageHeader {...header(item)} />
          {/* grid-cols-1 is minmax(0, 1fr): wide tables and JSON scroll inside their cards instead of widening the page. */}
          <div className="grid grid-cols-1 gap-4">{children(item)}</div>
        </>
      )}
    </>
  );
}
