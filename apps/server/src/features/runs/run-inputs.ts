import { SteadError } from '../../platform/errors/stead-error.ts';
import { UnrecoverableJobError } from '../../platform/queue/queue.port.ts';
import type { RunKind } from './runs.kinds.ts';
import type { Run } from './runs.schema.ts';
import type { RunSecrets, RunSecretUser, RunVault } from './runs.service.ts';

/** The encrypted secret holding a run's sealed input values (named from tasks' time; no user-made name has a `:`). */
export const runInputSecretName = (runId: string): string => `task-input:${runId}`;

/** The kinds runs can be of, and what they say about an input: its shape, the secrets it uses, its credentials. */
export interface RunInputs {
  kinds(): RunKind[];
  /** Throws `task_kind_unknown`. */
  kind(name: string): RunKind;
  find(name: string): RunKind | undefined;
  /** The parsed input; throws `validation_failed` naming each issue. */
  validate(kind: RunKind, input: unknown): unknown;
  /** Throws `secret_unknown` / `secret_not_usable` when `user` may not use a secret the input names. */
  checkSecrets(workspaceId: string, kind: RunKind, input: unknown, user: RunSecretUser): Promise<void>;
  /** The input to store, its credentials moved into `sealed`. */
  seal(kind: RunKind, input: unknown, previous?: Record<string, string>): { input: unknown; sealed: Record<string, string> };
  /** A stored input as readers may see it. */
  redact(kindName: string, input: unknown): unknown;
  /** A stored input with its sealed values back. */
  unseal(kindName: string, input: unknown, sealed: Record<string, string>): unknown;
  /** A run's input as its kind runs it: sealed values read back from the vault; throws `UnrecoverableJobError` when one is missing. */
  unsealStored(kind: RunKind, run: Run): Promise<unknown>;
}

export interface RunInputsOptions {
  /** Every feature's run kinds; asked on first use, once every feature exists. */
  kinds: () => readonly RunKind[];
  secrets: RunSecrets;
  vault: RunVault;
}

export const createRunInputs = ({ kinds, secrets, vault }: RunInputsOptions): RunInputs => {
  let byName: Map<string, RunKind> | undefined;
  const known = (): Map<string, RunKind> => (byName ??= new Map(kinds().map((kind) => [kind.name, kind])));
  const find = (name: string): RunKind | undefined => known().get(name);
  return {
    kinds: () => [...known().values()],
    kind(name) {
      const kind = find(name);
      if (!kind) throw new SteadError('task_kind_unknown', `No task kind is called ${name}; known kinds: ${[...known().keys()].join(', ')}`);
      return kind;
    },
    find,
    validate(kind, input) {
      const parsed = kind.input.safeParse(input);
      if (!parsed.success) {
        const issues = parsed.error.issues.map((issue) => ({ path: ['input', ...issue.path].join('.'), message: issue.message }));
        throw new SteadError('validation_failed', `Invalid input for ${kind.name}: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`, { details: { issues } });
      }
      return parsed.data;
    },
    async checkSecrets(workspaceId, kind, input, user) {
      for (const name of kind.secretNames?.(input) ?? []) await secrets.check(workspaceId, name, user);
    },
    seal: (kind, input, previous) => kind.sealing?.seal(input, previous) ?? { input, sealed: {} },
    redact: (kindName, input) => find(kindName)?.sealing?.redact(input) ?? input,
    unseal(kindName, input, sealed) {
      const kind = find(kindName);
      return kind?.sealing ? kind.sealing.unseal(input, sealed) : input;
    },
    async unsealStored(kind, run) {
      if (!kind.sealing) return run.input;
      const stored = await vault.reveal(run.workspaceId, runInputSecretName(run.id));
      try {
        return kind.sealing.unseal(run.input, stored === undefined ? {} : (JSON.parse(stored) as Record<string, string>));
      } catch (error) {
        throw new UnrecoverableJobError(error instanceof Error ? error.message : String(error));
      }
    },
  };
};
