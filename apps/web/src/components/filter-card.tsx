import type { FormEvent, ReactNode } from 'react';
import { Button } from '@/components/ui/button.tsx';
import { Card, CardContent } from '@/components/ui/card.tsx';

/** The filters above a list: its fields, then "Apply filters" and "Clear", in a grid laid out by `className`. */
export function FilterCard({ className, onApply, onClear, children }: { className: string; onApply: () => void; onClear: () => void; children: ReactNode }) {
  return (
    <Card className="mb-4">
      <CardContent className="pt-4 sm:pt-6">
        <form
          className={className}
          onSubmit={(event: FormEvent) => {
            event.preventDefault();
            onApply();
          }}
        >
          {children}
          <Button type="submit">Apply filters</Button>
          <Button variant="outline" onClick={onClear}>
            Clear
          </Button>
        </form>
      </CardContent>
    </Card>
  );
}
