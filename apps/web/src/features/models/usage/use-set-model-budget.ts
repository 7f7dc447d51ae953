import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, type SetBudgetRequest } from '@/lib/api.ts';
import { modelKeys } from '@/features/models/models.queries.ts';

/** Saves the workspace's limits (or a key's, with `keyId`) and puts the server's answer in the budgets cache. */
export function useSetModelBudget(workspaceId: string) {
  const queryClient = useQueryClient();
  const [pending, setPending] = useState(false);
  const setBudget = async (request: SetBudgetRequest): Promise<void> => {
    setPending(true);
    try {
      const { budgets } = await api.setModelBudget(workspaceId, request);
      queryClient.setQueryData(modelKeys.modelBudgets(workspaceId), budgets);
    } finally {
      setPending(false);
    }
  };
  return { pending, setBudget };
}
