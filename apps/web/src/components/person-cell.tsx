import { TableCell } from '@/components/ui/table.tsx';

/** A person in a table: name, "(you)" for the signed-in one, and the email under it. */
export function PersonCell({ name, email, self }: { name: string; email: string; self: boolean }) {
  return (
    <TableCell>
      <div className="font-medium">
        {name}
        {self ? <span className="ml-1 text-xs text-muted-foreground">(you)</span> : null}
      </div>
      <div className="text-xs break-all text-muted-foreground">{email}</div>
    </TableCell>
  );
}
