import { CircleAlertIcon, CircleCheckIcon, InfoIcon, XIcon } from 'lucide-react';
import { useSyncExternalStore } from 'react';
import { dismissToast, getToasts, subscribeToasts } from '@/lib/toast.ts';
import { cn } from '@/lib/utils.ts';

const icons = { success: CircleCheckIcon, error: CircleAlertIcon, info: InfoIcon };

export function Toaster() {
  const toasts = useSyncExternalStore(subscribeToasts, getToasts, getToasts);
  return (
    <section
      aria-label="Notifications"
      aria-live="polite"
      className="pointer-events-none fixed inset-x-0 bottom-0 z-[60] flex flex-col items-center gap-2 p-4 sm:right-0 sm:left-auto sm:items-end"
    >
      {toasts.map((toast) => {
        const Icon = icons[toast.kind];
        return (
          <div
            key={toast.id}
            role={toast.kind === 'error' ? 'alert' : 'status'}
            className={cn(
              'pointer-events-auto flex w-full max-w-sm items-start gap-3 rounded-lg border bg-popover p-3 text-sm text-popover-foreground shadow-lg',
              toast.kind === 'error' && 'border-destructive/40',
            )}
          >
            <Icon
              aria-hidden
              className={cn(
                'mt-0.5 size-4 shrink-0',
                toast.kind === 'success' && 'text-success',
                toast.kind === 'error' && 'text-destructive',
              )}
            />
            <div className="min-w-0 flex-1">
              <p className="font-medium">{toast.title}</p>
              {toast.description ? <p className="mt-0.5 break-words text-muted-foreground">{toast.description}</p> : null}
            </div>
            <button
              type="button"
              onClick={() => dismissToast(toast.id)}
              className="cursor-pointer rounded-sm opacity-60 hover:opacity-100"
            >
              <XIcon className="size-4" aria-hidden />
              <span className="sr-only">Dismiss</span>
            </button>
          </div>
        );
      })}
    </section>
  );
}
