import { SteadApiError } from '@stead/api-client';
import { useRouter, type ErrorComponentProps } from '@tanstack/react-router';
import { useEffect } from 'react';
import { useConnectionStatus } from '@/components/connection-status.tsx';
import { ForbiddenPage, isForbidden } from '@/components/forbidden-page.tsx';
import { Button } from '@/components/ui/button.tsx';
import { PageMessage } from '@/components/page-message.tsx';
import { errorMessage, isNetworkError } from '@/lib/api-error.ts';

export function RoutePending() {
  return (
    <div className="flex min-h-40 items-center justify-center" aria-busy="true">
      <span className="size-5 animate-spin rounded-full border-2 border-muted-foreground border-t-transparent" />
      <span className="sr-only">Loading</span>
    </div>
  );
}

export function RouteError({ error, reset }: ErrorComponentProps) {
  const router = useRouter();
  const offline = error instanceof SteadApiError && (isNetworkError(error) || error.status === 502 || error.status === 504);
  const connection = useConnectionStatus();

  // The page failed because the server was down: load it again as soon as the health check succeeds.
  useEffect(() => {
    if (offline && connection.state === 'online') {
      reset();
      void router.invalidate();
    }
  }, [offline, connection.state, reset, router]);
  if (isForbidden(error)) return <ForbiddenPage />;
  return (
    <PageMessage
      title={offline ? 'Cannot reach the server' : 'Something went wrong'}
      description={errorMessage(error)}
      extra={error instanceof SteadApiError && error.requestId ? <p className="text-xs text-muted-foreground">Request id: {error.requestId}</p> : null}
      action={
        <Button
          onClick={() => {
            reset();
            void router.invalidate();
          }}
        >
          Try again
        </Button>
      }
    />
  );
}

export function NotFound() {
  return (
    <PageMessage title="Page not found" description="There is nothing at this address." />
  );
}
