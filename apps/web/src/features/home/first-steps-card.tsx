import { Link } from '@tanstack/react-router';
import { CheckCircle2Icon, CircleDashedIcon, CircleHelpIcon } from 'lucide-react';
import { useState } from 'react';
import { Card, CardContent, CardDescription, CardHeader, CardTitle } from '@/components/ui/card.tsx';
import { CopyButton } from '@/components/ui/copy-button.tsx';
import { gatewaySnippets, type FirstStep, type GatewaySnippets } from '@/features/home/home.ts';
import { cn } from '@/lib/utils.ts';

function StepIcon({ done }: { done: boolean | null }) {
  if (done === true) return <CheckCircle2Icon aria-hidden className="size-5 shrink-0 text-success" />;
  if (done === null) return <CircleHelpIcon aria-hidden className="size-5 shrink-0 text-muted-foreground" />;
  return <CircleDashedIcon aria-hidden className="size-5 shrink-0 text-muted-foreground" />;
}

function StepAction({ step, workspaceId, mayManage }: { step: FirstStep; workspaceId: string; mayManage: boolean }) {
  if (step.done !== false || !mayManage) return null;
  const className = 'text-sm font-medium text-primary underline-offset-4 hover:underline';
  if (step.id === 'model') return <Link to="/w/$workspaceId/models/providers" params={{ workspaceId }} className={className}>Add a model</Link>;
  if (step.id === 'key') return <Link to="/w/$workspaceId/keys" params={{ workspaceId }} className={className}>Create a key</Link>;
  return null;
}

/** The checklist of a new workspace, from its real state (the page drops it once everything is done). */
export function FirstStepsCard({ steps, workspaceId, mayManage }: { steps: FirstStep[]; workspaceId: string; mayManage: boolean }) {
  return (
    <Card className="min-w-0" aria-labelledby="first-steps-title">
      <CardHeader className="pb-2 sm:pb-3">
        <CardTitle id="first-steps-title" className="text-base">
          First steps
        </CardTitle>
        <CardDescription>Three steps to your first call through the gateway.</CardDescription>
      </CardHeader>
      <CardContent>
        <ol className="grid gap-3" aria-label="First steps">
          {steps.map((step) => (
            <li key={step.id} className="flex items-start gap-3" data-step={step.id} data-done={String(step.done)}>
              <StepIcon done={step.done} />
              <div className="grid min-w-0 flex-1 gap-0.5">
                <span className={cn('text-sm font-medium', step.done === true && 'text-muted-foreground line-through')}>
                  {step.title}
                  <span className="sr-only">{step.done === true ? ' (done)' : step.done === null ? ' (unknown)' : ' (to do)'}</span>
                </span>
                <span className="text-xs break-words text-muted-foreground">{step.detail}</span>
              </div>
              <StepAction step={step} workspaceId={workspaceId} mayManage={mayManage} />
            </li>
          ))}
        </ol>
      </CardContent>
    </Card>
  );
}

const languages = [
  { id: 'curl', label: 'curl' },
  { id: 'python', label: 'Python' },
  { id: 'javascript', label: 'JavaScript' },
] as const satisfies readonly { id: keyof GatewaySnippets; label: string }[];

/** The gateway's base URL and copy-paste calls in curl, Python and JavaScript (the openai SDKs). */
export function ConnectCard({ baseUrl, model, className }: { baseUrl: string; model: string; className?: string | undefined }) {
  const [language, setLanguage] = useState<keyof GatewaySnippets>('curl');
  const snippets = gatewaySnippets(baseUrl, model);
  return (
    <Card className={cn('min-w-0', className)} aria-labelledby="connect-title">
      <CardHeader className="pb-2 sm:pb-3">
        <CardTitle id="connect-title" className="text-base">
          Call the gateway
        </CardTitle>
        <CardDescription>
          Any OpenAI client works: set its base URL and an API key (here read from <code className="text-xs">STEAD_API_KEY</code>).
        </CardDescription>
      </CardHeader>
      <CardContent className="grid gap-3">
        <div className="flex min-w-0 flex-wrap items-center gap-2">
          <span className="text-sm text-muted-foreground">Base URL</span>
          <code data-testid="gateway-base-url" className="min-w-0 rounded-md bg-muted px-2 py-1 font-mono text-xs break-all">
            {baseUrl}
          </code>
          <CopyButton value={baseUrl} label="Copy URL" />
        </div>
        <div role="tablist" aria-label="Language" className="flex flex-wrap gap-1">
          {languages.map((item) => (
            <button
              key={item.id}
              type="button"
              role="tab"
              id={`snippet-tab-${item.id}`}
              aria-selected={language === item.id}
              aria-controls="snippet-panel"
              onClick={() => setLanguage(item.id)}
              className={cn(
                'rounded-md px-3 py-1 text-sm transition-colors',
                language === item.id ? 'bg-secondary font-medium text-secondary-foreground' : 'text-muted-foreground hover:bg-accent',
              )}
            >
              {item.label}
            </button>
          ))}
        </div>
        <div id="snippet-panel" role="tabpanel" aria-labelledby={`snippet-tab-${language}`} className="grid min-w-0 gap-2">
          <pre tabIndex={0} data-testid="gateway-snippet" className="max-h-80 min-w-0 overflow-auto rounded-md bg-muted p-3 font-mono text-xs whitespace-pre">
            {snippets[language]}
          </pre>
          <div className="flex flex-wrap items-center justify-between gap-2">
            <span className="text-xs text-muted-foreground">
              {language === 'curl' ? 'Export STEAD_API_KEY first.' : language === 'python' ? 'pip install openai' : 'npm install openai'}
            </span>
            <CopyButton value={snippets[language]} label={`Copy ${languages.find((item) => item.id === language)!.label}`} />
          </div>
        </div>
      </CardContent>
    </Card>
  );
}
