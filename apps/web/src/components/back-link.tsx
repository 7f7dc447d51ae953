import { createLink } from '@tanstack/react-router';
import { ArrowLeftIcon } from 'lucide-react';
import type { ComponentProps } from 'react';

function BackAnchor({ children, ...props }: ComponentProps<'a'>) {
  return (
    <a {...props} className="mb-4 inline-flex items-center gap-1 text-sm text-muted-foreground hover:text-foreground [&_svg]:size-4">
      <ArrowLeftIcon aria-hidden />
      {children}
    </a>
  );
}

/** "← Tasks" above a detail page: a typed router link back to the list it came from. */
export const BackLink = createLink(BackAnchor);
