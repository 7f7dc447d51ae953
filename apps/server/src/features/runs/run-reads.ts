import { SteadError } from '../../platform/errors/stead-error.ts';
import type { RunInputs } from './run-inputs.ts';
import type { RunsRepository } from './runs.repository.ts';
import type { Run, RunDetail, RunListQuery, RunLogLine } from './runs.schema.ts';

const logPageSize = 1_000;

/** Reads of runs, inputs shown as readers may see them (credentials redacted). */
export interface RunReads {
  /** Throws `task_not_found`; the stored run, input unredacted. */
  findOrThrow(workspaceId: string, id: string): Promise<Run>;
  /** A run as readers see it. */
  shown(run: Run): Run;
  get(workspaceId: string, id: string): Promise<Run>;
  list(workspaceId: string, query: RunListQuery): Promise<{ runs: Run[]; nextCursor: string | null }>;
  detail(workspaceId: string, id: string): Promise<RunDetail>;
  logs(workspaceId: string, id: string, after?: string): Promise<RunLogLine[]>;
  children(runId: string): Promise<Run[]>;
}

export const createRunReads = ({ repository, inputs }: { repository: RunsRepository; inputs: RunInputs }): RunReads => {
  const findOrThrow = async (workspaceId: string, id: string): Promise<Run> => {
    const run = await repository.find(workspaceId, id);
    if (!run) throw new SteadError('task_not_found', `Task ${id} does not exist in this workspace`);
    return run;
  };
  const shown = (run: Run): Run => ({ ...run, input: inputs.redact(run.kind, run.input) });
  return {
    findOrThrow,
    shown,
    get: async (workspaceId, id) => shown(await findOrThrow(workspaceId, id)),
    async list(workspaceId, query) {
      const runs = await repository.list(workspaceId, query);
      const page = runs.slice(0, query.limit);
      return { runs: page.map(shown), nextCursor: runs.length > query.limit ? page.at(-1)!.id : null };
    },
    async detail(workspaceId, id) {
      const run = await findOrThrow(workspaceId, id);
      const [attempts, logs] = await Promise.all([repository.attempts(id), repository.logs(id, undefined, logPageSize)]);
      return { run: shown(run), attempts, logs };
    },
    async logs(workspaceId, id, after) {
      await findOrThrow(workspaceId, id);
      return repository.logs(id, after, logPageSize);
    },
    children: async (runId) => (await repository.children(runId)).map(shown),
  };
};
