import { useEffect, useRef, useState } from 'react';
import type { Task } from '@/lib/api.ts';
import { eventsUrl } from '@/lib/api.ts';
import { isTaskEvent, isTaskLogEvent, isTaskProgressEvent, type TaskLogEvent, type TaskProgressEvent } from '@/features/tasks/tasks.ts';
import { useEventStream, type StreamState } from '@/lib/use-event-stream.ts';

const taskEventNames = ['task-update', 'task-progress', 'task-log'] as const;

export interface TaskEventHandlers {
  /** `task-update`: the whole task after a change of state, attempt or output. */
  onUpdate?: (task: Task) => void;
  onProgress?: (event: TaskProgressEvent) => void;
  onLog?: (event: TaskLogEvent) => void;
  /**
   * The stream has opened: the first time, or again after a drop. Events published before that moment never
   * arrive (the server does not replay them), so what is on screen should be fetched again. This covers a
   * page whose first fetch raced a task that changed before the stream was connected.
   */
  onLive?: () => void;
}

/** Live task events of one workspace, checked and typed. */
export function useTaskEvents(workspaceId: string, handlers: TaskEventHandlers): StreamState {
  const current = useRef(handlers);
  current.current = handlers;
  const state = useEventStream(eventsUrl(workspaceId), taskEventNames, (name, data) => {
    if (name === 'task-update' && isTaskEvent(data)) current.current.onUpdate?.(data);
    else if (name === 'task-progress' && isTaskProgressEvent(data)) current.current.onProgress?.(data);
    else if (name === 'task-log' && isTaskLogEvent(data)) current.current.onLog?.(data);
  });

  useEffect(() => {
    if (state === 'live') current.current.onLive?.();
  }, [state]);

  return state;
}

/** The current time, refreshed every `intervalMs` while `active` (for durations that keep counting). */
export function useNow(active: boolean, intervalMs = 1_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    setNow(Date.now());
    const timer = window.setInterval(() => setNow(Date.now()), intervalMs);
    return () => window.clearInterval(timer);
  }, [active, intervalMs]);
  return now;
}
