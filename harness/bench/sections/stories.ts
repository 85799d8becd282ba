/** The stories section: tests/functional alone against the built-in site, 2 workers, warm. */
import { baseEnv } from '../exec.ts';
import { say, slim, table } from '../output.ts';
import {
  expectGreen,
  freshDataDir,
  measured,
  playwright,
  progress,
  type PwRun,
} from '../playwright.ts';
import { state } from '../state.ts';
import { med, median } from '../stats.ts';

/** Runs the stories `runs` times from `warmDir` (or from a new folder, after a warm-up run). */
export async function benchStories(runs: number, warmDir: string | undefined): Promise<PwRun[]> {
  say('Book stories alone (npx playwright test tests/functional, 2 workers, warm)');
  const env = { ...baseEnv(), WORKERS: '2' };
  let dir = warmDir;
  if (!dir) {
    dir = freshDataDir();
    const warmUp = await playwright(
      'stories-warm-up',
      ['tests/functional'],
      {
        ...env,
        SUPERLISTS_LOCAL_DATA: dir,
      },
      { site: true },
    );
    progress(warmUp, ' (warm-up, not counted)');
  }
  const result: PwRun[] = [];
  for (let r = 1; r <= runs && !state.interrupted; r++) {
    const run = await measured(
      `stories-${r}`,
      ['tests/functional'],
      () => ({ ...env, SUPERLISTS_LOCAL_DATA: dir }),
      { site: true },
    );
    expectGreen(run);
    result.push(run);
  }
  return result;
}

/** Prints the stories' table; returns its medians for reports/bench.json. */
export function printStories(stories: PwRun[]) {
  say(
    `Book stories alone (tests/functional: ${stories[0]!.passed + stories[0]!.failed + stories[0]!.skipped} tests, 2 workers, warm)`,
  );
  table([
    ['', 'wall', 'playwright'],
    ['this suite', med(stories.map((r) => r.wallMs)), med(stories.map((r) => r.pwMs))],
    ["the book's Selenium FTs, this machine", '~14 s', ''],
    ['a tuned Playwright run, this machine', '~5 s', ''],
  ]);
  say();
  return {
    wallMs: median(stories.map((r) => r.wallMs)),
    playwrightMs: median(stories.map((r) => r.pwMs)),
    siteReadyMs: median(stories.map((r) => r.site?.siteReadyMs ?? NaN)),
    firstTestMs: median(stories.map((r) => r.site?.firstTestMs ?? NaN)),
  };
}

/** The stories' runs for reports/bench.json. */
export function rawStories(stories: PwRun[]) {
  return stories.map(slim);
}
