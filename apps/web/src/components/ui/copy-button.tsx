import { CheckIcon, CopyIcon } from 'lucide-react';
import { useState } from 'react';
import { toast } from '@/lib/toast.ts';
import { Button } from './button.tsx';

async function copyText(text: string): Promise<void> {
  if (navigator.clipboard && window.isSecureContext) {
    await navigator.clipboard.writeText(text);
    return;
  }
  // Plain-HTTP origins (a LAN address) have no clipboard API; fall back to a hidden textarea.
  const textarea = document.createElement('textarea');
  textarea.value = text;
  textarea.setAttribute('readonly', '');
  textarea.className = 'fixed -left-[9999px] opacity-0';
  document.body.append(textarea);
  textarea.select();
  const copied = document.execCommand('copy');
  textarea.remove();
  if (!copied) throw new Error('Copy failed');
}

export function CopyButton({ value, label = 'Copy' }: { value: string; label?: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <Button
      variant="outline"
      size="sm"
      onClick={() => {
        copyText(value).then(
          () => {
            setCopied(true);
            window.setTimeout(() => setCopied(false), 2_000);
          },
          () => toast.error('Could not copy', 'Select the text and copy it by hand.'),
        );
      }}
    >
      {copied ? <CheckIcon aria-hidden /> : <CopyIcon aria-hidden />}
      {copied ? 'Copied' : label}
    </Button>
  );
}

/** A read-only value shown once (secret, link) with a copy button beside it. */
export function SecretValue({ value, label, id }: { value: string; label: string; id: string }) {
  return (
    <div className="flex flex-col gap-2 sm:flex-row sm:items-center">
      <input
        id={id}
        aria-label={label}
        readOnly
        value={value}
        onFocus={(event) => event.currentTarget.select()}
        className="h-9 min-w-0 flex-1 rounded-md border border-input bg-muted px-3 font-mono text-xs"
      />
      <CopyButton value={value} />
    </div>
  );
}
