/**
 * The bench's parts that need the real local server: each runs in a child process (`run.ts
 * --<part> OUT ...`) that holds `flock /tmp/superlists-server.lock` for its whole life, and writes
 * its figures and problems to OUT.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { baseEnv, exec } from './exec.ts';
import { problems, state } from './state.ts';

/** The lock every user of the real local server takes (harness/server/README.md). */
export const LOCK = '/tmp/superlists-server.lock';

/**
 * Runs the bench's `--<part>` in a child under the server lock (waiting at most 30 minutes for
 * it); returns its figures, or undefined with the reason in `problems`.
 */
export async function lockedPart<F>(
  section: string,
  part: string,
  extraArgs: string[] = [],
): Promise<F | undefined> {
  const out = path.join(state.workDir, `${part}.json`);
  const child = await exec(
    part,
    [
      'flock',
      '-w',
      '1800',
      '-E',
      '75',
      LOCK,
      process.execPath,
      '--import',
      'tsx',
      path.join('harness', 'bench', 'run.ts'),
      `--${part}`,
      out,
      '--work',
      state.workDir,
      ...extraArgs,
    ],
    baseEnv(),
    { echo: true },
  );
  if (child.code === 75) {
    problems.push(`${section}: ${LOCK} stayed taken for 30 minutes; the part did not run`);
    return undefined;
  }
  if (!existsSync(out)) {
    problems.push(`${section}: the part ended (exit ${child.code}) without figures`);
    return undefined;
  }
  const { figures, problems: theirs } = JSON.parse(readFileSync(out, 'utf8')) as {
    figures: F;
    problems: string[];
  };
  problems.push(...theirs);
  return figures;
}
