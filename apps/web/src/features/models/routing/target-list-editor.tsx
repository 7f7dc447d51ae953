import { ArrowDownIcon, ArrowUpIcon, PlusIcon, XIcon } from 'lucide-react';
import { useId, useState } from 'react';
import { Button } from '@/components/ui/button.tsx';
import { Input } from '@/components/ui/input.tsx';
import { moveItem, parseNameList, removeAt } from '@/features/models/models.ts';
import { cn } from '@/lib/utils.ts';

/**
 * An ordered list of targets (`provider/model`, a bare model name or an alias): the first that can serve is
 * tried first. Names are typed with suggestions from the workspace's models and aliases.
 */
export function TargetListEditor({
  id,
  label,
  targets,
  onChange,
  suggestions,
  error,
}: {
  id: string;
  label: string;
  targets: readonly string[];
  onChange: (targets: string[]) => void;
  suggestions: readonly string[];
  error?: string;
}) {
  const [draft, setDraft] = useState('');
  const listId = useId();
  const add = () => {
    const names = parseNameList(draft).filter((name) => !targets.includes(name));
    if (names.length > 0) onChange([...targets, ...names]);
    setDraft('');
  };
  return (
    <div className="grid min-w-0 content-start gap-2">
      <label htmlFor={id} className="text-sm font-medium">
        {label}
      </label>
      {targets.length > 0 ? (
        <ol className="grid gap-1" aria-label="Current targets">
          {targets.map((target, index) => (
            <li key={target} className="flex min-w-0 items-center gap-1 rounded-md border bg-muted/40 py-0.5 pr-0.5 pl-2">
              <span className="w-5 shrink-0 text-xs text-muted-foreground tabular-nums">{index + 1}.</span>
              <span className="min-w-0 flex-1 truncate font-mono text-xs" title={target}>
                {target}
              </span>
              <Button variant="ghost" size="icon" className="size-7" disabled={index === 0} aria-label={`Move ${target} up`} onClick={() => onChange(moveItem(targets, index, -1))}>
                <ArrowUpIcon aria-hidden />
              </Button>
              <Button
                variant="ghost"
                size="icon"
                className="size-7"
                disabled={index === targets.length - 1}
                aria-label={`Move ${target} down`}
                onClick={() => onChange(moveItem(targets, index, 1))}
              >
                <ArrowDownIcon aria-hidden />
              </Button>
              <Button variant="ghost" size="icon" className="size-7" aria-label={`Remove ${target}`} onClick={() => onChange(removeAt(targets, index))}>
                <XIcon aria-hidden />
              </Button>
            </li>
          ))}
        </ol>
      ) : null}
      <div className="flex gap-2">
        <Input
          id={id}
          list={listId}
          autoComplete="off"
          spellCheck={false}
          placeholder="provider/model or alias"
          className={cn('font-mono text-sm', error && 'border-destructive')}
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-error` : undefined}
          value={draft}
          onChange={(event) => setDraft(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === 'Enter') {
              // Enter adds the target instead of submitting the surrounding form.
              event.preventDefault();
              add();
            }
          }}
        />
        <Button variant="outline" disabled={!draft.trim()} onClick={add} aria-label={`Add to ${label}`}>
          <PlusIcon aria-hidden />
          Add
        </Button>
      </div>
      <datalist id={listId}>
        {suggestions
          .filter((name) => !targets.includes(name))
          .map((name) => (
            <option key={name} value={name} />
          ))}
      </datalist>
      {error ? (
        <p id={`${id}-error`} className="text-sm text-destructive">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** A saved target list, read-only: "1 a → 2 b". */
export function TargetChain({ targets }: { targets: readonly string[] }) {
  return (
    <ol className="flex flex-wrap items-center gap-1" aria-label="Targets in order">
      {targets.map((target, index) => (
        <li key={`${target}-${index}`} className="flex min-w-0 items-center gap-1">
          {index > 0 ? <span aria-hidden className="text-muted-foreground">→</span> : null}
          <code className="truncate rounded bg-muted px-1.5 py-0.5 text-xs" title={target}>
            {target}
          </code>
        </li>
      ))}
    </ol>
  );
}
