import { SteadApiError } from '@stead/api-client';
import { Link, useRouter, type ErrorComponentProps } from '@tanstack/react-router';
import { useEffect } from 'react';
import { useConnectionStatus } from '@/components/connection-status.tsx';
import { ForbiddenPage, isForbidden } from '@/components/forbidden-page.tsx';
import { Button } from '@/components/ui/button.tsx';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card.tsx';
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
    <div className="flex min-h-[60vh] items-center justify-center p-4">
      <Card className="w-full max-w-md">
        <CardHeader>
          <CardTitle>{offline ? 'Cannot reach the server' : 'Something went wrong'}</CardTitle>
          <CardDescription>{errorMessage(error)}</CardDescription>
          {error instanceof SteadApiError && error.requestId ? (
            <p className="text-xs text-muted-foreground">Request id: {error.requestId}</p>
          ) : null}
        </CardHeader>
        <CardContent>
          <Button
            onClick={() => {
              reset();
              void router.invalidate();
            }}
          >
            Try again
          </Button>
        </CardContent>
      </Card>
    </div>
  );
}

export function NotFound() {
  return (
    <div className="flex min-h-[60vh] items-center justify-center p-4">
      <Card className="w-full max-w-md">
        <CardHeader>
          <CardTitle>Page not found</CardTitle>
          <CardDescription>There is nothing at this address.</CardDescription>
        </CardHeader>
        <CardContent>
          <Button asChild variant="outline">
            <Link to="/">Go to the dashboard</Link>
          </Button>
        </CardContent>
      </Card>
    </div>
  );
}
