import type { InfiniteData, QueryClient } from '@tanstack/react-query';
import type { Task, TaskDetail, TaskPage } from '@/lib/api.ts';
import { applyTaskProgress, upsertTaskInPages, withProgress, type TaskFilters, type TaskProgressEvent } from '@/features/tasks/tasks.ts';
import { taskKeys } from '@/features/tasks/tasks.queries.ts';

/** Query key of one filtered task list; the filters are its last element. */
export function taskListKey(workspaceId: string, filters: TaskFilters) {
  return [...taskKeys.tasks(workspaceId), filters] as const;
}

type TaskListData = InfiniteData<TaskPage, string | undefined>;

function updateLists(queryClient: QueryClient, workspaceId: string, update: (pages: readonly TaskPage[], filters: TaskFilters) => readonly TaskPage[]) {
  for (const [key, data] of queryClient.getQueriesData<TaskListData>({ queryKey: taskKeys.tasks(workspaceId) })) {
    if (!data) continue;
    const filters = (key[3] ?? {}) as TaskFilters;
    const pages = update(data.pages, filters);
    if (pages !== data.pages) queryClient.setQueryData<TaskListData>(key, { ...data, pages: [...pages] });
  }
}

/** Puts a changed task into every cached list it belongs to and into its cached detail. */
export function cacheTaskUpdate(queryClient: QueryClient, workspaceId: string, task: Task): void {
  updateLists(queryClient, workspaceId, (pages, filters) => upsertTaskInPages(pages, task, filters));
  queryClient.setQueryData<TaskDetail>(taskKeys.task(workspaceId, task.id), (detail) => (detail ? { ...detail, task } : detail));
}

/**
 * Adds a task this page just created. Its live events can arrive before the create call answers (a quick task
 * may already have succeeded), so a row already cached is newer than the create answer and is kept.
 */
export function cacheCreatedTask(queryClient: QueryClient, workspaceId: string, task: Task): void {
  updateLists(queryClient, workspaceId, (pages, filters) => upsertTaskInPages(pages, task, filters, { keepCached: true }));
}

/** Moves the progress bar of a task wherever it is cached. */
export function cacheTaskProgress(queryClient: QueryClient, workspaceId: string, event: TaskProgressEvent): void {
  updateLists(queryClient, workspaceId, (pages) => applyTaskProgress(pages, event));
  queryClient.setQueryData<TaskDetail>(taskKeys.task(workspaceId, event.taskId), (detail) =>
    detail ? { ...detail, task: withProgress(detail.task, event) } : detail,
  );
}
