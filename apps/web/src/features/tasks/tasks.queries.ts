/** Query keys of tasks. */
export const taskKeys = {
  tasks: (workspaceId: string) => ['workspaces', workspaceId, 'tasks'] as const,
  task: (workspaceId: string, taskId: string) => ['workspaces', workspaceId, 'task', taskId] as const,
  taskKinds: (workspaceId: string) => ['workspaces', workspaceId, 'task-kinds'] as const,
};
