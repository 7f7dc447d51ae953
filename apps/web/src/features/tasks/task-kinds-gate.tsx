import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { LoadingRows } from '@/components/page-header.tsx';
import { FormError } from '@/components/ui/field.tsx';
import { api, type TaskKind } from '@/lib/api.ts';
import { errorMessage } from '@/lib/api-error.ts';
import { taskKeys } from '@/features/tasks/tasks.queries.ts';

/** Loads the server's task kinds while a dialog is open, then renders its form for them. */
export function TaskKindsGate({ workspaceId, open, children }: { workspaceId: string; open: boolean; children: (kinds: TaskKind[]) => ReactNode }) {
  const kinds = useQuery({
    queryKey: taskKeys.taskKinds(workspaceId),
    queryFn: async () => (await api.listTaskKinds(workspaceId)).kinds,
    staleTime: 5 * 60_000,
    enabled: open,
  });
  if (kinds.isPending) return <LoadingRows />;
  if (kinds.isError) return <FormError message={errorMessage(kinds.error)} />;
  if (kinds.data.length === 0) return <p className="text-sm text-muted-foreground">This server has no task kinds.</p>;
  return children(kinds.data);
}
