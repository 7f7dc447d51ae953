import { useCallback, useState } from 'react';
import { errorMessage } from './api-error.ts';

/**
 * The error a form shows when the server refuses a submission. `guard(action)` wraps a submit handler: it
 * clears the previous error, runs the action, and turns anything thrown into a message for the person.
 */
export function useServerError() {
  const [serverError, setServerError] = useState<string | null>(null);
  const guard = useCallback(
    <T,>(action: (values: T) => Promise<void>) =>
      async (values: T) => {
        setServerError(null);
        try {
          await action(values);
        } catch (error) {
          setServerError(errorMessage(error));
        }
      },
    [],
  );
  return { serverError, setServerError, guard };
}
