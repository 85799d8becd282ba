/**
 * The clone section: the first run on a fresh clone next to the warm run after it. Each round
 * makes a new tree of HEAD (`git archive`: no .local-data, no reports, no generated static files)
 * with this tree's node_modules linked in (what `npm ci` would install), runs FT + smoke there
 * twice, 2 workers, and compares the first run with the second. Target: at most 5 s more.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../../../helpers/config/paths.ts';
import { baseEnv } from '../exec.ts';
import { say, slim, table } from '../output.ts';
import { expectGreen, playwright, progress, type PwRun } from '../playwright.ts';
import { state, targets } from '../state.ts';
import { med, median, seconds } from '../stats.ts';

/** The target: a first run costs at most this much more than a warm one. */
const CLONE_TARGET_MS = 5_000;
const ARGS = ['--grep-invert', '@deploy'];

/** The first and the warm runs, one pair a round. */
export interface CloneFigures {
  first: PwRun[];
  warm: PwRun[];
}

/** A tree of `rev` in `dir` (git archive), with this tree's node_modules linked in. */
export function treeOf(rev: string, dir: string): void {
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o755); // user postgres must enter it (the built-in site's data folder)
  const archive = execFileSync('git', ['archive', '--format=tar', rev], {
    cwd: ROOT,
    maxBuffer: 1 << 30,
  });
  execFileSync('tar', ['-x', '-C', dir], { input: archive });
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
}

/** Runs `runs` pairs (first run on a new tree of HEAD, then a warm run there). */
export async function benchClone(runs: number): Promise<CloneFigures> {
  say(
    'Fresh clone (git archive HEAD, node_modules linked): first run, then warm (FT + smoke, 2 workers)',
  );
  const figures: CloneFigures = { first: [], warm: [] };
  for (let r = 1; r <= runs && !state.interrupted; r++) {
    const dir = path.join(state.workDir, `clone-${r}`);
    treeOf('HEAD', dir);
    // Not `measured`: a first run measured again would not be a first run.
    for (const kind of ['first', 'warm'] as const) {
      const run = await playwright(
        `clone-${kind}-${r}`,
        ARGS,
        { ...baseEnv(), WORKERS: '2' },
        {
          cwd: dir,
        },
      );
      progress(run);
      expectGreen(run);
      figures[kind].push(run);
    }
  }
  return figures;
}

/** Prints the clone table and adds its target; returns its medians. */
export function printClone(figures: CloneFigures) {
  say('Fresh clone: the first run next to the warm one (FT + smoke, 2 workers)');
  table([
    ['', 'wall', 'playwright'],
    [
      'first run on a fresh clone',
      med(figures.first.map((r) => r.wallMs)),
      med(figures.first.map((r) => r.pwMs)),
    ],
    [
      'the warm run after it',
      med(figures.warm.map((r) => r.wallMs)),
      med(figures.warm.map((r) => r.pwMs)),
    ],
  ]);
  say();
  const extra = median(figures.first.map((r, i) => r.wallMs - (figures.warm[i]?.wallMs ?? NaN)));
  targets.push({
    what: 'first run on a fresh clone - warm run',
    figure: Number.isFinite(extra) ? `${seconds(extra)} s more` : 'not measured',
    limit: `<= ${seconds(CLONE_TARGET_MS)} s`,
    met: Number.isFinite(extra) ? extra <= CLONE_TARGET_MS : undefined,
  });
  return {
    firstMs: median(figures.first.map((r) => r.wallMs)),
    warmMs: median(figures.warm.map((r) => r.wallMs)),
    extraMs: extra,
  };
}

/** The clone runs for reports/bench.json. */
export function rawClone(figures: CloneFigures) {
  return { first: figures.first.map(slim), warm: figures.warm.map(slim) };
}
