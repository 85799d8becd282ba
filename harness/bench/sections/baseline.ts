/**
 * The baseline section (issue 15, item 1): the suite's eight story tests next to a plain
 * Playwright port of the same stories (harness/bench/plain-port/), alternating in one run, both
 * against one built-in site that this section starts once beforehand and stops after. Prints the
 * median wall time of each, the ratio suite / plain against the target (at most 0.8 x), and the
 * peak memory of each command's process tree (the site is not in either tree).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { ROOT } from '../../../helpers/config/paths.ts';
import { baseEnv } from '../exec.ts';
import { resultsOf } from '../json-report.ts';
import { say, slim, table } from '../output.ts';
import {
  cpuMs,
  expectGreen,
  freshDataDir,
  measured,
  playwright,
  progress,
  type PwRun,
} from '../playwright.ts';
import { problems, ratioTarget, state, targets } from '../state.ts';
import { count, med, median, seconds } from '../stats.ts';
import { freePort } from '../../reference-site/src/free-port.ts';

/** The target: the suite's stories take at most this share of the plain port's wall time. */
export const BASELINE_TARGET = 0.8;
/** The plain port's config, for `--config`. */
export const PLAIN_CONFIG = 'harness/bench/plain-port/playwright.config.ts';
/** The suite's stories that the plain port ports (stage 3 has no plain port), without the project. */
export const STORY_ARGS = ['--grep', '@story', '--grep-invert', '@accounts'];
/** The README's figure before issue 15: the stories' peak memory with 2 workers (quiet run). */
const STORIES_PEAK_BEFORE_MB = 1700;
/** Worker counts tried once each besides the default (2), against the built-in site. */
const WORKER_SWEEP = [1, 3, 4];
const READY = /superlists local target ready/;

/** The baseline's runs: the suite's stories and the plain port, alternating. */
export interface BaselineFigures {
  url: string;
  /** From spawning the site until it printed "ready" (once, a fresh data folder: initdb). */
  siteStartMs: number;
  suite: PwRun[];
  plain: PwRun[];
  /** The `--compare` tree's stories (before a change), alternating with the others. */
  before: PwRun[];
  /** The suite's stories with other worker counts, once each. */
  workers: { workers: number; run: PwRun }[];
}

/** A built-in site on a free port, started once for every run of this section. */
async function startSite(): Promise<{ url: string; ms: number; stop: () => Promise<void> }> {
  const port = await freePort();
  const started = performance.now();
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', 'harness/reference-site/src/local.ts'],
    {
      cwd: ROOT,
      env: { ...baseEnv(), PORT: String(port), SUPERLISTS_LOCAL_DATA: freshDataDir() },
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const killGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  };
  // Interrupted (run.ts exits): the site must not outlive the bench.
  const onExit = () => killGroup('SIGTERM');
  process.once('exit', onExit);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    process.removeListener('exit', onExit);
    if (child.exitCode !== null || child.signalCode !== null) return;
    killGroup('SIGTERM');
    const timer = setTimeout(() => killGroup('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  };
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('not ready within 60 s')), 60_000);
    const take = (chunk: Buffer) => {
      output = (output + chunk.toString()).slice(-4000);
      if (READY.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', take);
    child.stderr?.on('data', take);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited (${code}) before it was ready`));
    });
  }).catch(async (error: Error) => {
    await stop();
    throw new Error(`the built-in site ${error.message}; its last output:\n${output}`);
  });
  // Keep reading, so that a full pipe never blocks the site.
  child.stdout?.resume();
  child.stderr?.resume();
  return { url: `http://127.0.0.1:${port}`, ms: performance.now() - started, stop };
}

/**
 * Runs the suite's stories (`--project=staging --grep @story`) and the plain port `runs` times
 * each, alternating (the order flips every round), against one site started here.
 */
export async function benchBaseline(runs: number): Promise<BaselineFigures | undefined> {
  say(
    "Baseline: the suite's stories (--project=staging --grep @story --grep-invert @accounts) and a plain Playwright port, alternating, one running site",
  );
  let site: Awaited<ReturnType<typeof startSite>>;
  try {
    site = await startSite();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    problems.push(`baseline: ${message.split('\n')[0]}`);
    say(`  !! ${message}`);
    return undefined;
  }
  say(`  built-in site ready at ${site.url} in ${seconds(site.ms)} s`);
  const figures: BaselineFigures = {
    url: site.url,
    siteStartMs: site.ms,
    suite: [],
    plain: [],
    before: [],
    workers: [],
  };
  const compare = state.compare;
  const kinds = {
    suite: {
      args: ['--project=staging', ...STORY_ARGS],
      env: () => ({
        ...baseEnv(),
        STAGING_URL: site.url,
        STAGING_ALLOW_WRITES: 'true',
        WORKERS: '2',
      }),
    },
    plain: {
      args: ['--config', PLAIN_CONFIG],
      env: () => ({ ...baseEnv(), PLAIN_PORT_URL: site.url }),
    },
  } as const;
  try {
    // The site's first answers (PostgreSQL's caches, the app's first requests) are not counted.
    const warmUp = await playwright('baseline-warm-up', [...kinds.plain.args], kinds.plain.env());
    progress(warmUp, ' (warm-up, not counted)');
    for (let r = 1; r <= runs && !state.interrupted; r++) {
      const order: ('suite' | 'plain' | 'before')[] = ['suite', 'plain'];
      if (compare) order.push('before');
      if (r % 2 === 0) order.reverse();
      for (const kind of order) {
        const { args, env } = kinds[kind === 'before' ? 'suite' : kind];
        const run = await measured(`baseline-${kind}-${r}`, [...args], env, {
          cwd: kind === 'before' ? compare?.dir : undefined,
        });
        expectGreen(run);
        figures[kind].push(run);
      }
    }
    for (const workers of WORKER_SWEEP) {
      if (state.interrupted) break;
      const run = await measured(`baseline-workers-${workers}`, [...kinds.suite.args], () => ({
        ...kinds.suite.env(),
        WORKERS: String(workers),
      }));
      expectGreen(run);
      figures.workers.push({ workers, run });
    }
  } finally {
    await site.stop();
  }
  const tests = (r: PwRun[]) => r[0] && r[0].passed + r[0].failed + r[0].skipped;
  if (!state.interrupted && tests(figures.suite) !== tests(figures.plain)) {
    problems.push(
      `baseline: the suite ran ${tests(figures.suite)} story tests, the plain port ${tests(figures.plain)}`,
    );
  }
  return figures;
}

/** The summed duration of a run's tests (what the workers spent inside tests). */
export const testsMs = (run: PwRun) =>
  resultsOf(run.report).reduce((sum, r) => sum + r.duration, 0);

/** Prints the baseline's table and its ratio against the target; returns its medians. */
export function printBaseline(figures: BaselineFigures) {
  const n = figures.suite[0] ? figures.suite[0].passed + figures.suite[0].failed : '?';
  say(
    `Stories: the suite next to a plain Playwright port (${n} tests, 2 workers, one running site)`,
  );
  const row = (name: string, runs: PwRun[]) => [
    name,
    med(runs.map((r) => r.wallMs)),
    med(runs.map(cpuMs)),
    med(runs.map((r) => r.beginMs)),
    med(runs.map((r) => r.firstTestMs)),
    med(runs.map((r) => r.pwMs)),
    med(runs.map((r) => r.wallMs - r.pwMs)),
    med(runs.map(testsMs)),
    med(
      runs.map((r) => r.memory?.peakMb ?? NaN),
      'MB',
    ),
    count(runs.map((r) => r.memory?.browsersLaunched ?? NaN)),
  ];
  table([
    [
      '',
      'wall',
      'CPU',
      'run begun',
      'first test',
      'playwright',
      'outside it',
      "tests' sum",
      'peak RSS',
      'browsers',
    ],
    row('the suite (--project=staging --grep @story --grep-invert @accounts)', figures.suite),
    row('the plain port (harness/bench/plain-port)', figures.plain),
    ...(figures.before.length
      ? [
          row(
            `the suite's stories at ${state.compare?.rev ?? 'the --compare commit'}`,
            figures.before,
          ),
        ]
      : []),
    ...figures.workers.map((w) => row(`the suite's stories, WORKERS=${w.workers}`, [w.run])),
  ]);
  const suiteMs = median(figures.suite.map((r) => r.wallMs));
  const plainMs = median(figures.plain.map((r) => r.wallMs));
  const ratio = suiteMs / plainMs;
  const meets = ratio <= BASELINE_TARGET;
  const shown = Number.isFinite(ratio) ? `${ratio.toFixed(2)} x` : '-';
  say(
    `  ratio suite / plain port (wall): ${shown}; target at most ${BASELINE_TARGET} x: ${Number.isFinite(ratio) ? (meets ? 'meets' : 'misses') : 'not measured'}`,
  );
  ratioTarget('stories / plain port, built-in site (running)', suiteMs, plainMs, BASELINE_TARGET);
  if (figures.before.length) {
    ratioTarget(
      `  the same stories at ${state.compare?.rev ?? '?'} (before) / plain port`,
      median(figures.before.map((r) => r.wallMs)),
      plainMs,
      BASELINE_TARGET,
    );
  }
  for (const [name, runs] of [
    ['the suite', figures.suite],
    ['the plain port', figures.plain],
  ] as const) {
    const peakRun = [...runs].sort((a, b) => (a.memory?.peakMb ?? 0) - (b.memory?.peakMb ?? 0))[
      Math.floor(runs.length / 2)
    ];
    if (peakRun?.memory) {
      const m = peakRun.memory.atPeakMb;
      say(
        `  peak memory, ${name} (median run): ${peakRun.memory.peakMb} MB summed RSS = runner ${m.runner} + workers ${m.worker} + browsers ${m.browser} MB`,
      );
      if (name === 'the suite') {
        targets.push({
          what: 'peak memory, the stories with 2 workers (no site)',
          figure: `${peakRun.memory.peakMb} MB (runner ${m.runner}, workers ${m.worker}, browsers ${m.browser})`,
          limit: `<= ${STORIES_PEAK_BEFORE_MB} MB (README before)`,
          met: peakRun.memory.peakMb <= STORIES_PEAK_BEFORE_MB,
        });
      }
    }
  }
  say();
  const of = (runs: PwRun[]) => ({
    wallMs: median(runs.map((r) => r.wallMs)),
    cpuMs: median(runs.map(cpuMs)),
    playwrightMs: median(runs.map((r) => r.pwMs)),
    testsSumMs: median(runs.map(testsMs)),
    peakRssMb: median(runs.map((r) => r.memory?.peakMb ?? NaN)),
    browsersLaunched: median(runs.map((r) => r.memory?.browsersLaunched ?? NaN)),
    workersStarted: median(runs.map((r) => r.memory?.workersStarted ?? NaN)),
  });
  return {
    url: figures.url,
    siteStartMs: figures.siteStartMs,
    suite: of(figures.suite),
    plain: of(figures.plain),
    ratio,
    target: BASELINE_TARGET,
    meets,
  };
}

/** The baseline's runs for reports/bench.json. */
export function rawBaseline(figures: BaselineFigures) {
  return {
    suite: figures.suite.map(slim),
    plain: figures.plain.map(slim),
    before: figures.before.map(slim),
    workers: figures.workers.map((w) => ({ workers: w.workers, run: slim(w.run) })),
  };
}
