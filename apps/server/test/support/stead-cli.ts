import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

/**
 * The real `stead` program, spawned the way a script or an operator runs it, for CLI tests. Each spawn pays
 * for start-up (one to four seconds under load), so suites share one data directory per database.
 */
export const steadBin = fileURLToPath(new URL('../../bin/stead.mjs', import.meta.url));

export type Env = Record<string, string | undefined>;

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The developer's own STEAD_* settings must not leak into the program; the test-suite variables may. */
export const inheritedEnv = (): Env =>
  Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('STEAD_') || name.startsWith('STEAD_TEST_')));

export const runStead = (args: string[], options: { env: Env; cwd: string; stdin?: string }): Promise<RunResult> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [steadBin, ...args], { cwd: options.cwd, env: options.env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    // Always close stdin, so a command that reads it (--password-stdin) never waits for a terminal.
    child.stdin.end(options.stdin ?? '');
  });

/** Parses stdout as one JSON document, as a script would; fails with the whole output when it is not. */
export const jsonOf = <T>(result: RunResult): T => {
  expect(result, result.stderr).toMatchObject({ code: 0 });
  return JSON.parse(result.stdout) as T;
};
