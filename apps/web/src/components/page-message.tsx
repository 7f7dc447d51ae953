import { Link } from '@tanstack/react-router';
import type { ReactNode } from 'react';
import { Button } from '@/components/ui/button.tsx';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card.tsx';
import { cn } from '@/lib/utils.ts';

/** A card alone in the middle of the page that says why there is nothing here; its action is the way back to the dashboard unless it brings its own. */
export function PageMessage({
  className,
  icon,
  title,
  description,
  extra,
  action,
}: {
  className?: string;
  icon?: ReactNode;
  title: ReactNode;
  description: ReactNode;
  extra?: ReactNode;
  action?: ReactNode;
}) {
  return (
    <div className={cn('flex min-h-[60vh] items-center justify-center p-4', className)}>
      <Card className="w-full max-w-md">
        <CardHeader>
          {icon}
          <CardTitle>{title}</CardTitle>
          <CardDescription>{description}</CardDescription>
          {extra}
        </CardHeader>
        <CardContent>
          {action ?? (
            <Button asChild variant="outline">
              <Link to="/">Go to the dashboard</Link>
            </Button>
          )}
        </CardContent>
      </Card>
    </div>
  );
}
