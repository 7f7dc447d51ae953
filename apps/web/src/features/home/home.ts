/**
 * What the home page derives from the API's answers: the first-steps checklist, the copy-paste snippets for
 * the gateway, the next schedule fires and how a model's health reads. No React here, so it is unit tested.
 */
import type { Model, Schedule } from '@/lib/api.ts';
import type { WorkspaceOverview } from '@/features/home/home.queries.ts';

export type FirstStepId = 'model' | 'key' | 'call';

export interface FirstStep {
  id: FirstStepId;
  title: string;
  /** true done, false to do, null unknown to this viewer (a member cannot list keys). */
  done: boolean | null;
  detail: string;
}

/**
 * The first steps of a new instance, from its real state: a model to call, a key to call it with, a first call.
 * `mayManage` is whether the viewer can do the first two themselves (admins and owners).
 */
export function firstSteps(overview: Pick<WorkspaceOverview, 'setup' | 'usageToday'>, mayManage: boolean): FirstStep[] {
  const { setup, usageToday } = overview;
  const hasModel = setup.models > 0;
  const hasKey = setup.keys === null ? null : setup.keys > 0;
  const who = mayManage ? '' : ' An admin of this workspace does this.';
  return [
    {
      id: 'model',
      title: 'Add a model',
      done: hasModel,
      detail: hasModel
        ? `${setup.models} ${setup.models === 1 ? 'model' : 'models'} from ${setup.providers} ${setup.providers === 1 ? 'provider' : 'providers'}.`
        : `Connect a local server (Ollama, llama.cpp, LM Studio) or a hosted provider.${who}`,
    },
    {
      id: 'key',
      title: 'Create an API key',
      done: hasKey,
      detail:
        hasKey === null
          ? 'Ask an admin of this workspace for a key.'
          : hasKey
            ? `${setup.keys} active ${setup.keys === 1 ? 'key' : 'keys'}.`
            : `Apps and scripts call the gateway with a key.${who}`,
    },
    {
      id: 'call',
      title: 'Make a first call',
      done: usageToday.requests > 0,
      detail: usageToday.requests > 0 ? `${usageToday.requests} ${usageToday.requests === 1 ? 'call' : 'calls'} today.` : 'Point any OpenAI client at the base URL below.',
    },
  ];
}

/** Whether every step a viewer can see is done (the checklist then folds away). */
export function firstStepsDone(steps: readonly FirstStep[]): boolean {
  return steps.every((step) => step.done !== false);
}

export interface GatewaySnippets {
  curl: string;
  python: string;
  javascript: string;
}

/** The model name the snippets use: the first model there is, else a placeholder that says what goes there. */
export function snippetModel(models: readonly Pick<Model, 'qualifiedName'>[]): string {
  return models[0]?.qualifiedName ?? 'provider/model';
}

const shellSingleQuoted = (text: string): string => `'${text.replaceAll("'", `'\\''`)}'`;

/**
 * Copy-paste snippets that call the gateway's OpenAI-compatible endpoint at `baseUrl` (ending in `/v1`) with
 * `model`, the key read from the STEAD_API_KEY environment variable (never a real key in a snippet).
 */
export function gatewaySnippets(baseUrl: string, model: string): GatewaySnippets {
  const body = JSON.stringify({ model, messages: [{ role: 'user', content: 'Hello!' }] });
  // JSON string literals are valid Python and JavaScript string literals too.
  const url = JSON.stringify(baseUrl);
  const name = JSON.stringify(model);
  return {
    curl: [
      `curl ${shellSingleQuoted(`${baseUrl}/chat/completions`)} \\`,
      '  -H "Authorization: Bearer $STEAD_API_KEY" \\',
      '  -H "Content-Type: application/json" \\',
      `  -d ${shellSingleQuoted(body)}`,
    ].join('\n'),
    python: [
      'import os',
      'from openai import OpenAI',
      '',
      `client = OpenAI(base_url=${url}, api_key=os.environ["STEAD_API_KEY"])`,
      'response = client.chat.completions.create(',
      `    model=${name},`,
      '    messages=[{"role": "user", "content": "Hello!"}],',
      ')',
      'print(response.choices[0].message.content)',
    ].join('\n'),
    javascript: [
      "import OpenAI from 'openai';",
      '',
      `const client = new OpenAI({ baseURL: ${url}, apiKey: process.env.STEAD_API_KEY });`,
      'const response = await client.chat.completions.create({',
      `  model: ${name},`,
      "  messages: [{ role: 'user', content: 'Hello!' }],",
      '});',
      'console.log(response.choices[0].message.content);',
    ].join('\n'),
  };
}

/** The schedules that fire next, soonest first: enabled ones with a next fire time. */
export function nextFires(schedules: readonly Schedule[], limit = 5): Schedule[] {
  return schedules
    .filter((schedule) => schedule.enabled && schedule.nextFireAt !== null)
    .sort((a, b) => Date.parse(a.nextFireAt!) - Date.parse(b.nextFireAt!))
    .slice(0, limit);
}

export interface ModelHealthView {
  label: string;
  tone: 'success' | 'warning' | 'destructive' | 'secondary';
  detail: string;
}

/** How a model's health reads: its circuit breaker first, then its recent error rate and latency. */
export function modelHealth(health: Model['health']): ModelHealthView {
  const facts = [
    health.p50Ms === null ? null : `p50 ${Math.round(health.p50Ms)} ms`,
    health.errorRate === null ? null : `${Math.round(health.errorRate * 100)}% errors`,
    health.calls > 0 ? `${health.calls} ${health.calls === 1 ? 'call' : 'calls'}` : null,
  ].filter(Boolean);
  if (health.breaker === 'open') {
    return { label: 'down', tone: 'destructive', detail: `Circuit open after ${health.consecutiveFailures} failures in a row; calls go to other models until it is retried` };
  }
  if (health.breaker === 'half-open') return { label: 'recovering', tone: 'warning', detail: 'Trying a call to see whether it is back' };
  if (health.calls === 0) return { label: 'no calls yet', tone: 'secondary', detail: 'No calls through this node yet' };
  if (health.errorRate !== null && health.errorRate >= 0.2) return { label: 'errors', tone: 'warning', detail: facts.join(' · ') };
  return { label: 'healthy', tone: 'success', detail: facts.join(' · ') };
}

/** Today's spend as money-like text: more decimals for the fractions of a cent model calls cost. */
export function formatSpend(spend: number): string {
  if (spend === 0) return '0.00';
  return spend < 0.01 ? spend.toFixed(4) : spend.toFixed(2);
}
