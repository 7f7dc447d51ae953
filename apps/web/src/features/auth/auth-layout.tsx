import type { ReactNode } from 'react';
import { ConnectionIndicator } from '@/components/connection-status.tsx';
import { LoadingRows } from '@/components/page-header.tsx';
import { ThemeToggle } from '@/components/theme-toggle.tsx';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card.tsx';

/** Centred card for the signed-out pages (setup, login, invitation). */
export function AuthLayout({ title, description, children }: { title: string; description?: ReactNode; children: ReactNode }) {
  return (
    <div className="flex min-h-dvh flex-col">
      <header className="flex h-14 items-center justify-between px-4">
        <span className="flex items-center gap-2 font-semibold tracking-tight">
          <img src="/favicon.svg" alt="" className="size-6" />
          Stead
        </span>
        <div className="flex items-center gap-2">
          <ConnectionIndicator />
          <ThemeToggle />
        </div>
      </header>
      <main className="flex flex-1 items-start justify-center px-4 pt-6 pb-12 sm:items-center sm:pt-0">
        <Card className="w-full max-w-md">
          <CardHeader>
            <CardTitle>{title}</CardTitle>
            {description ? <CardDescription>{description}</CardDescription> : null}
          </CardHeader>
          <CardContent>{children}</CardContent>
        </Card>
      </main>
    </div>
  );
}

/** An auth page while what its link leads to is still loading. */
export function AuthLoading({ title }: { title: string }) {
  return (
    <AuthLayout title={title}>
      <LoadingRows />
    </AuthLayout>
  );
}
