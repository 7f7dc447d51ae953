import { XIcon } from 'lucide-react';
import { useEffect, useId, useRef, type ComponentProps, type ReactNode } from 'react';
import { cn } from '@/lib/utils.ts';
import { Button } from './button.tsx';
import { FormError } from './field.tsx';

/**
 * Modal dialog on the native <dialog> element: the browser provides focus trapping, Escape, the inert
 * background and the top layer, and nothing injects <style> elements (strict CSP friendly).
 * Children render only while open, so forms inside start fresh each time.
 */
export function Dialog({
  open,
  onOpenChange,
  title,
  description,
  children,
  className,
  side,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: ReactNode;
  description?: ReactNode;
  children?: ReactNode;
  className?: string;
  /** 'left' renders a full-height drawer (the phone navigation). Default: centred. */
  side?: 'left';
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const descriptionId = useId();

  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    if (open && !element.open) element.showModal();
    else if (!open && element.open) element.close();
  }, [open]);

  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      aria-describedby={description ? descriptionId : undefined}
      onClose={() => onOpenChange(false)}
      onClick={(event) => {
        // A click on the element itself (not its content) is a click on the backdrop.
        if (event.target === event.currentTarget) onOpenChange(false);
      }}
      className={cn(
        'border bg-background p-0 text-foreground shadow-xl backdrop:backdrop-blur-[1px]',
        side === 'left'
          ? 'm-0 h-dvh max-h-none w-72 max-w-[85vw] rounded-none border-y-0 border-l-0'
          : 'm-auto w-[calc(100%-2rem)] max-w-lg rounded-xl',
        className,
      )}
    >
      {open ? (
        <div className={cn('relative flex flex-col gap-4', side === 'left' ? 'h-full p-3' : 'p-5 sm:p-6')}>
          <div className={cn('flex flex-col gap-1.5 pr-8', side === 'left' && 'sr-only')}>
            <h2 id={titleId} className="text-lg leading-tight font-semibold">
              {title}
            </h2>
            {description ? (
              <p id={descriptionId} className="text-sm text-muted-foreground">
                {description}
              </p>
            ) : null}
          </div>
          {children}
          <button
            type="button"
            onClick={() => onOpenChange(false)}
            className="absolute top-3 right-3 cursor-pointer rounded-sm p-1 opacity-70 transition-opacity hover:opacity-100 focus-visible:ring-2 focus-visible:ring-ring focus-visible:outline-none"
          >
            <XIcon className="size-4" aria-hidden />
            <span className="sr-only">Close</span>
          </button>
        </div>
      ) : null}
    </dialog>
  );
}

export function DialogFooter({ className, ...props }: ComponentProps<'div'>) {
  return <div className={cn('flex flex-col-reverse gap-2 sm:flex-row sm:justify-end', className)} {...props} />;
}

/** The end of a dialog's form: the server's error, Cancel (when it can be cancelled) and the submit button. */
export function FormDialogFooter({
  error,
  onCancel,
  submitDisabled,
  children,
}: {
  error: string | null | undefined;
  onCancel?: () => void;
  submitDisabled: boolean;
  children: ReactNode;
}) {
  return (
    <>
      <FormError message={error} />
      <DialogFooter>
        {onCancel ? (
          <Button variant="outline" onClick={onCancel}>
            Cancel
          </Button>
        ) : null}
        <Button type="submit" disabled={submitDisabled}>
          {children}
        </Button>
      </DialogFooter>
    </>
  );
}
