import { SteadError } from '../../platform/errors/stead-error.ts';
import type { RunKind } from './runs.kinds.ts';
import type { RunSecrets, RunSecretUser } from './runs.service.ts';

/** The run kinds features declared, and what creating a run of one asks of its input. */
export interface RunKindRegistry {
  all(): RunKind[];
  get(name: string): RunKind | undefined;
  /** Throws `task_kind_unknown`. */
  require(name: string): RunKind;
  /** The kind and the input parsed by its schema; throws `task_kind_unknown` / `validation_failed`. */
  validate(kindName: string, input: unknown): { kind: RunKind; input: unknown };
  /** Checks the secrets a valid input names against `user` and moves its credentials into `sealed`. */
  seal(workspaceId: string, kind: RunKind, input: unknown, user: RunSecretUser, previous?: Record<string, string>): Promise<{ input: unknown; sealed: Record<string, string> }>;
  /**
   * Checks an input as `user` would create a run with it (`task_kind_unknown`, `validation_failed`,
   * `secret_unknown`, `secret_not_usable`) and returns it to store, credentials moved into `sealed`.
   */
  prepare(workspaceId: string, kindName: string, input: unknown, user: RunSecretUser, previous?: Record<string, string>): Promise<{ kind: RunKind; input: unknown; sealed: Record<string, string> }>;
  /** A stored input as readers may see it. */
  redact(kindName: string, input: unknown): unknown;
  /** A stored input with its sealed values back. */
  unseal(kindName: string, input: unknown, sealed: Record<string, string>): unknown;
}

export const createRunKindRegistry = (kinds: RunKind[], secrets: RunSecrets): RunKindRegistry => {
  const byName = new Map(kinds.map((kind) => [kind.name, kind]));
  const require = (name: string): RunKind => {
    const kind = byName.get(name);
    if (!kind) throw new SteadError('task_kind_unknown', `No task kind is called ${name}; known kinds: ${[...byName.keys()].join(', ')}`);
    return kind;
  };
  const validate = (kindName: string, input: unknown): { kind: RunKind; input: unknown } => {
    const kind = require(kindName);
    const parsed = kind.input.safeParse(input);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((issue) => ({ path: ['input', ...issue.path].join('.'), message: issue.message }));
      throw new SteadError('validation_failed', `Invalid input for ${kind.name}: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`, { details: { issues } });
    }
    return { kind, input: parsed.data };
  };
  const seal: RunKindRegistry['seal'] = async (workspaceId, kind, input, user, previous) => {
    // Only names are checked here; values are revealed when the run executes, checked again then.
    for (const name of kind.secretNames?.(input) ?? []) await secrets.check(workspaceId, name, user);
    return kind.sealing?.seal(input, previous) ?? { input, sealed: {} };
  };
  return {
    all: () => [...byName.values()],
    get: (name) => byName.get(name),
    require,
    validate,
    seal,
    async prepare(workspaceId, kindName, input, user, previous) {
      const valid = validate(kindName, input);
      return { kind: valid.kind, ...(await seal(workspaceId, valid.kind, valid.input, user, previous)) };
    },
    redact: (kindName, input) => byName.get(kindName)?.sealing?.redact(input) ?? input,
    unseal(kindName, input, sealed) {
      const kind = byName.get(kindName);
      return kind?.sealing ? kind.sealing.unseal(input, sealed) : input;
    },
  };
};
