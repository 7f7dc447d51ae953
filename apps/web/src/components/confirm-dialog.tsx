import { useState, type ReactNode } from 'react';
import { Button } from '@/components/ui/button.tsx';
import { Dialog, DialogFooter } from '@/components/ui/dialog.tsx';
import { FormError } from '@/components/ui/field.tsx';
import { errorMessage } from '@/lib/api-error.ts';

export interface ConfirmDialogProps {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: string;
  description: ReactNode;
  confirmLabel: string;
  onConfirm: () => Promise<unknown>;
  children?: ReactNode;
  confirmDisabled?: boolean;
}

/** Asks before a destructive action; shows the server's message if it fails. */
export function ConfirmDialog({
  open,
  onOpenChange,
  title,
  description,
  confirmLabel,
  onConfirm,
  children,
  confirmDisabled,
}: ConfirmDialogProps) {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  return (
    <Dialog
      open={open}
      onOpenChange={(next) => {
        if (!next) setError(null);
        onOpenChange(next);
      }}
      title={title}
      description={description}
    >
      {children}
      <FormError message={error} />
      <DialogFooter>
        <Button variant="outline" onClick={() => onOpenChange(false)}>
          Cancel
        </Button>
        <Button
          variant="destructive"
          disabled={pending || confirmDisabled}
          onClick={() => {
            setPending(true);
            setError(null);
            onConfirm().then(
              () => {
                setPending(false);
                onOpenChange(false);
              },
              (caught: unknown) => {
                setPending(false);
                setError(errorMessage(caught));
              },
            );
          }}
        >
          {confirmLabel}
        </Button>
      </DialogFooter>
    </Dialog>
  );
}

/** ConfirmDialog about one item of a list, open while there is one: confirming acts on it, closing forgets it. */
export function ConfirmItemDialog<T>({
  item,
  onClose,
  onConfirm,
  ...props
}: Omit<ConfirmDialogProps, 'open' | 'onOpenChange' | 'onConfirm'> & { item: T | null; onClose: () => void; onConfirm: (item: T) => Promise<unknown> }) {
  return (
    <ConfirmDialog
      {...props}
      open={item !== null}
      onOpenChange={(open) => !open && onClose()}
      onConfirm={async () => {
        if (item) await onConfirm(item);
      }}
    />
  );
}
