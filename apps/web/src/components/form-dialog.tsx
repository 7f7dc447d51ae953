import { Fragment, useState, type FormEventHandler, type ReactNode } from 'react';
import { Dialog } from '@/components/ui/dialog.tsx';
import { useServerError } from '@/lib/use-server-error.ts';

/** What a workspace's dialog is given by the page that opens it. */
export interface WorkspaceDialogProps {
  workspaceId: string;
  open: boolean;
  onOpenChange: (open: boolean) => void;
}

/** What a dialog's form gets told to do when done: Cancel closes the dialog; saving closes it, then hands over what was saved. */
export interface FormDialogActions<T> {
  onCancel: () => void;
  onSaved: (saved: T) => void;
}

export function closingFormActions<T>(close: () => void, onSaved: (saved: T) => void): FormDialogActions<T> {
  return {
    onCancel: close,
    onSaved: (saved) => {
      close();
      onSaved(saved);
    },
  };
}

/** A dialog open while there is an item to edit; its form starts afresh for each item (keyed by id); closing forgets the item. */
export function EditItemDialog<T extends { id: string }>({
  item,
  title,
  className,
  onClose,
  children,
}: {
  item: T | null;
  title: string;
  className?: string;
  onClose: () => void;
  children: (item: T) => ReactNode;
}) {
  return (
    <Dialog open={item !== null} onOpenChange={(open) => !open && onClose()} title={title} className={className}>
      {item ? <Fragment key={item.id}>{children(item)}</Fragment> : null}
    </Dialog>
  );
}

/** A dialog whose form ends in a one-time result shown in its place (a link, a summary). */
export interface ResultDialog<R> {
  result: R | null;
  setResult: (result: R | null) => void;
  /** The dialog's onOpenChange: closing forgets the result, and what `forget` clears, so it opens afresh. */
  close: (open: boolean) => void;
}

export function useResultDialog<R>(onOpenChange: (open: boolean) => void, forget?: () => void): ResultDialog<R> {
  const [result, setResult] = useState<R | null>(null);
  const close = (open: boolean) => {
    if (!open) {
      setResult(null);
      forget?.();
    }
    onOpenChange(open);
  };
  return { result, setResult, close };
}

/** A dialog's form: its schema checks the fields (no browser bubbles), and they stack with room between them. */
export function DialogForm({ className = 'grid gap-4', onSubmit, children }: { className?: string; onSubmit: FormEventHandler<HTMLFormElement>; children: ReactNode }) {
  return (
    <form noValidate className={className} onSubmit={onSubmit}>
      {children}
    </form>
  );
}

/** A result dialog whose form the server may refuse: closing also clears the refusal and what was typed. */
export interface ResultFormDialog<R> extends ResultDialog<R> {
  serverError: string | null;
  guard: <T>(action: (values: T) => Promise<void>) => (values: T) => Promise<void>;
}

export function useResultFormDialog<R>(form: { reset: () => void }, onOpenChange: (open: boolean) => void): ResultFormDialog<R> {
  const { serverError, setServerError, guard } = useServerError();
  const dialog = useResultDialog<R>(onOpenChange, () => {
    setServerError(null);
    form.reset();
  });
  return { ...dialog, serverError, guard };
}
