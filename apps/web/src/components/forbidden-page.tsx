/**
 * What a person sees where their role does not reach: an explanation of who can do it and whom to ask, never the
 * server's raw `forbidden` message. Pages that know their own story pass it (the API keys page says keys are
 * managed by admins); the shared scaffolds (QueryStates, RouteError) fall back to the general one.
 */
import { SteadApiError } from '@stead/api-client';
import { useParams } from '@tanstack/react-router';
import { LockKeyholeIcon } from 'lucide-react';
import type { ReactNode } from 'react';
import { PageMessage } from '@/components/page-message.tsx';

/** True for the server's answer "your role does not grant this" (403 `forbidden`). */
export function isForbidden(error: unknown): boolean {
  return error instanceof SteadApiError && error.status === 403 && error.code === 'forbidden';
}

export interface ForbiddenExplanation {
  /** Default: "Not available with your role". */
  title?: string;
  /** Who can do it and whom to ask; default: the workspace's admins and owners (or the instance's administrators). */
  children?: ReactNode;
}

function useDefaultExplanation(): ReactNode {
  const { workspaceId } = useParams({ strict: false });
  return workspaceId
    ? 'Your role in this workspace does not include this. Admins and owners of the workspace manage it: ask one of them if you need it, or to change your role.'
    : 'This is for administrators of this Stead instance. Ask an administrator if you need it.';
}

/** The explanation inside a card or section, in place of its table. */
export function ForbiddenNotice({ title = 'Not available with your role', children }: ForbiddenExplanation) {
  const fallback = useDefaultExplanation();
  return (
    <div role="status" className="flex gap-3 rounded-md border border-dashed p-4 text-sm">
      <LockKeyholeIcon aria-hidden className="mt-0.5 size-4 shrink-0 text-muted-foreground" />
      <div className="grid gap-1">
        <p className="font-medium">{title}</p>
        <div className="text-muted-foreground">{children ?? fallback}</div>
      </div>
    </div>
  );
}

/** The explanation as a whole page, for a page the role cannot use at all. */
export function ForbiddenPage({ title = 'Not available with your role', children }: ForbiddenExplanation) {
  const fallback = useDefaultExplanation();
  return (
    <PageMessage
      className="min-h-[50vh]"
      icon={
        <div className="mb-2 flex size-9 items-center justify-center rounded-full bg-muted">
          <LockKeyholeIcon aria-hidden className="size-4" />
        </div>
      }
      title={title}
      description={children ?? fallback}
    />
  );
}
