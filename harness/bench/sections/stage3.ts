/**
 * The stage-3 section: the stories tagged @accounts (login by email, My lists, sharing) against
 * the built-in site, 2 workers, warm; and how long the login story waited for its mail, read from
 * the `mail` annotation the mailbox fixture writes ("the login mail to ... arrived after N ms").
 */
import { baseEnv } from '../exec.ts';
import { resultsOf } from '../json-report.ts';
import { say, slim, table } from '../output.ts';
import {
  expectGreen,
  freshDataDir,
  measured,
  playwright,
  progress,
  type PwRun,
} from '../playwright.ts';
import { state, targets } from '../state.ts';
import { med, median, seconds } from '../stats.ts';

/** The stage-3 stories, without the project: `--project=local` here, staging in staging.ts. */
export const STAGE3_ARGS = ['--grep', '@accounts', '--grep-invert', '@smoke'];
const ARGS = ['--project=local', ...STAGE3_ARGS];

/** The mail waits (ms) a run's login stories recorded. */
export function mailWaits(run: PwRun): number[] {
  return resultsOf(run.report).flatMap((result) =>
    result.annotations
      .filter((a) => a.type === 'mail')
      .map((a) => Number(/arrived after (\d+) ms/.exec(a.description ?? '')?.[1]))
      .filter(Number.isFinite),
  );
}

/** Runs the stage-3 stories `runs` times against a warm built-in site. */
export async function benchStage3(runs: number): Promise<PwRun[]> {
  say(`Stage 3 stories (npx playwright test ${ARGS.join(' ')}, 2 workers, warm)`);
  const env = { ...baseEnv(), WORKERS: '2' };
  const dir = freshDataDir();
  const warmUp = await playwright('stage3-warm-up', ARGS, { ...env, SUPERLISTS_LOCAL_DATA: dir });
  progress(warmUp, ' (warm-up, not counted)');
  const result: PwRun[] = [];
  for (let r = 1; r <= runs && !state.interrupted; r++) {
    const run = await measured(`stage3-${r}`, ARGS, () => ({ ...env, SUPERLISTS_LOCAL_DATA: dir }));
    expectGreen(run);
    result.push(run);
  }
  return result;
}

/** Prints the stage-3 table; returns its medians for reports/bench.json. */
export function printStage3(runs: PwRun[]) {
  const waits = runs.flatMap(mailWaits);
  say(`Stage 3 stories against the built-in site (${runs[0]!.passed} tests, 2 workers, warm)`);
  table([
    ['', 'wall', 'playwright', 'login mail waited'],
    [
      'the stage-3 stories',
      med(runs.map((r) => r.wallMs)),
      med(runs.map((r) => r.pwMs)),
      waits.length ? `${seconds(median(waits), 2)} s median of ${waits.length}` : '-',
    ],
  ]);
  say();
  targets.push({
    what: 'stage-3 stories (@accounts), built-in site',
    figure: `${med(runs.map((r) => r.wallMs))} wall; login mail (file backend) ${waits.length ? `${seconds(median(waits), 2)} s (median of ${waits.length})` : '-'}`,
    limit: 'stated',
    met: 'stated',
  });
  return {
    wallMs: median(runs.map((r) => r.wallMs)),
    playwrightMs: median(runs.map((r) => r.pwMs)),
    mailWaitMs: waits.length ? median(waits) : undefined,
  };
}

/** The stage-3 runs for reports/bench.json. */
export function rawStage3(runs: PwRun[]) {
  return runs.map(slim);
}
