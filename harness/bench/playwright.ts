/**
 * One `npx playwright test` run for the bench: the JSON report's figures, the site's side from the
 * timing reporter (bench/timing-reporter.ts), its progress line, and the repeat of a run during
 * which other jobs used the machine.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { exec, type Exec } from './exec.ts';
import { CLOCK_TICKS } from './machine.ts';
import { readJsonReport, resultsOf, type JSONReport } from './json-report.ts';
import { say } from './output.ts';
import { discarded, problems, state } from './state.ts';
import { seconds, unionMs } from './stats.ts';
import type { TimingFile } from './timing-reporter.ts';

/** The site's side of one run, from the timing reporter (bench/timing-reporter.ts). */
export interface SiteSide {
  /** From the command's start until the site printed "ready". */
  siteReadyMs?: number;
  /** The site's own lines (launcher progress), at ms since the command started. */
  lines: { ms: number; line: string }[];
  /** The launcher's own figure: from its start until ready. */
  launcherMs?: number;
  /** From the command's start until the first test started. */
  firstTestMs?: number;
  /** From the first test's start to the last one's end. */
  testsSpanMs?: number;
  /** From the last test's end until the command exited (teardown: browsers, site, reporters). */
  afterTestsMs?: number;
  requests: number;
  /** The time the site was answering at least one request (overlapping requests merged). */
  busyMs: number;
  /** The sum of every request's time. */
  sumMs: number;
  /** Per test (title): duration, and the site's time answering during it (1 worker: exact). */
  tests: { title: string; durationMs: number; siteMs: number; workerIndex: number }[];
}

/** One `npx playwright test` run. */
export interface PwRun extends Exec {
  /** Playwright's own duration (JSON report stats.duration). */
  pwMs: number;
  passed: number;
  failed: number;
  skipped: number;
  flaky: number;
  report?: JSONReport;
  site?: SiteSide;
  /** From spawn until Playwright began the run (stats.startTime): npx, runner, config. */
  beginMs: number;
  /** From spawn until the first test started: that, plus global setup, workers, browsers, fixtures. */
  firstTestMs: number;
}

function siteSide(timing: TimingFile, spawnedAt: number, exitedAt: number): SiteSide {
  const intervals = timing.requests.map((r): [number, number] => [r.at - r.ms, r.at]);
  const starts = timing.tests.map((t) => t.start);
  const ends = timing.tests.map((t) => t.start + t.durationMs);
  const first = starts.length ? Math.min(...starts) : undefined;
  const last = ends.length ? Math.max(...ends) : undefined;
  return {
    siteReadyMs: timing.siteReady ? timing.siteReady.at - spawnedAt : undefined,
    launcherMs: timing.siteReady ? timing.siteReady.launcherSeconds * 1000 : undefined,
    firstTestMs: first !== undefined ? first - spawnedAt : undefined,
    testsSpanMs: first !== undefined && last !== undefined ? last - first : undefined,
    afterTestsMs: last !== undefined ? exitedAt - last : undefined,
    lines: timing.lines.map(({ at, line }) => ({ ms: at - spawnedAt, line })),
    requests: timing.requests.length,
    busyMs: unionMs(intervals),
    sumMs: timing.requests.reduce((sum, r) => sum + r.ms, 0),
    tests: timing.tests.map((t) => ({
      title: t.title,
      durationMs: t.durationMs,
      workerIndex: t.workerIndex,
      siteMs: timing.requests
        .filter((r) => r.at >= t.start && r.at <= t.start + t.durationMs)
        .reduce((sum, r) => sum + r.ms, 0),
    })),
  };
}

let runCounter = 0;

/** Where and how a run is made. */
export interface RunOptions {
  /** Against the built-in site: the timing reporter too. */
  site?: boolean;
  /** Another tree of the suite (the `--compare` one) instead of this one. */
  cwd?: string;
}

/** `npx playwright test ARGS` with the JSON reporter (and, against the built-in site, the timing reporter). */
export async function playwright(
  label: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  options: RunOptions = {},
): Promise<PwRun> {
  const id = `${String(++runCounter).padStart(2, '0')}-${label}`;
  const jsonFile = path.join(state.workDir, 'json', `${id}.json`);
  const timingFile = path.join(state.workDir, 'timing', `${id}.json`);
  mkdirSync(path.dirname(jsonFile), { recursive: true });
  mkdirSync(path.dirname(timingFile), { recursive: true });
  const reporter = options.site ? './harness/bench/timing-reporter.ts,json' : 'json';
  const spawnedAt = Date.now();
  const run = await exec(
    id,
    [
      'npx',
      'playwright',
      'test',
      ...args,
      `--reporter=${reporter}`,
      // Not the shared test-results/: other jobs may run the suite in this tree meanwhile.
      `--output=${path.join(state.workDir, 'test-results', id)}`,
    ],
    {
      ...env,
      PLAYWRIGHT_JSON_OUTPUT_FILE: jsonFile,
      ...(options.site
        ? { BENCH_TIMING_FILE: timingFile, ACCESS_LOG: '1', DEBUG: 'pw:webserver' }
        : {}),
    },
    { memory: true, cwd: options.cwd },
  );
  const exitedAt = spawnedAt + run.wallMs;
  const report = readJsonReport(jsonFile);
  let site: SiteSide | undefined;
  if (options.site && existsSync(timingFile)) {
    site = siteSide(
      JSON.parse(readFileSync(timingFile, 'utf8')) as TimingFile,
      spawnedAt,
      exitedAt,
    );
  }
  return {
    ...run,
    label,
    pwMs: report?.stats.duration ?? NaN,
    passed: report?.stats.expected ?? 0,
    failed: report?.stats.unexpected ?? 0,
    skipped: report?.stats.skipped ?? 0,
    flaky: report?.stats.flaky ?? 0,
    report,
    site,
    ...phases(report, spawnedAt),
  };
}

/** When the run began and its first test started, from the JSON report, in ms since spawn. */
function phases(report: JSONReport | undefined, spawnedAt: number) {
  const began = report ? Date.parse(report.stats.startTime) - spawnedAt : NaN;
  const starts = resultsOf(report).map((r) => Date.parse(r.startTime));
  return {
    beginMs: began,
    firstTestMs: starts.length ? Math.min(...starts) - spawnedAt : NaN,
  };
}

/** Notes a run that should have passed but did not; its figures are not trustworthy. */
export function expectGreen(run: PwRun): void {
  if ((run.code === 0 && run.failed === 0) || state.interrupted) return;
  problems.push(`${run.label}: exit ${run.code}, ${run.failed} failed (log: ${run.logFile})`);
  say(
    `    !! ${run.label} did not pass; last output:\n${run.tail.split('\n').slice(-15).join('\n')}`,
  );
}

/** The CPU time of a run's process tree (runner, workers, browsers; the site when it is a child). */
export const cpuMs = (run: Exec) => (run.memory ? (1000 * run.memory.cpuTicks) / CLOCK_TICKS : NaN);

/** Prints a run's line: wall and Playwright time, counts, exit, peak memory, others' CPU. */
export function progress(run: PwRun, extra = '', note = ''): void {
  if (state.interrupted) return;
  const counts = `${run.passed} passed${run.failed ? `, ${run.failed} failed` : ''}${run.skipped ? `, ${run.skipped} skipped` : ''}`;
  say(
    `  ${run.label.padEnd(34)} ${seconds(run.wallMs).padStart(6)} s wall, ${seconds(run.pwMs).padStart(6)} s playwright, ${counts}, exit ${run.code}${run.memory ? `, peak ${run.memory.peakMb} MB, CPU ${seconds(cpuMs(run))} s` : ''}${extra}, others' CPU ${run.othersCpu.toFixed(0)} %${note}`,
  );
}

/** A run during which other jobs used more than this share of the CPU (%) is repeated. */
export const NOISY_PERCENT = 10;
const ATTEMPTS = 3;

/**
 * `playwright(...)`, repeated (at most ATTEMPTS times in all) while other jobs used more than
 * NOISY_PERCENT of the CPU during it. `env` is called before each attempt (a cold run needs a new
 * data folder each time). Prints one line per attempt.
 */
export async function measured(
  label: string,
  args: string[],
  env: () => NodeJS.ProcessEnv,
  options: RunOptions = {},
): Promise<PwRun> {
  for (let attempt = 1; ; attempt++) {
    const run = await playwright(label, args, env(), options);
    const ready =
      run.site?.siteReadyMs !== undefined
        ? `, site ready at ${seconds(run.site.siteReadyMs)} s`
        : '';
    const last = attempt >= ATTEMPTS || state.acceptNoise;
    if (run.othersCpu <= NOISY_PERCENT || last || state.interrupted) {
      progress(run, ready);
      return run;
    }
    discarded.set(run.logFile, { label, wallMs: run.wallMs, othersCpu: run.othersCpu });
    progress(run, ready, ': discarded, run again');
  }
}

/** A new data folder for the built-in site; user postgres must be able to enter it. */
export function freshDataDir(): string {
  const dir = mkdtempSync(path.join(state.workDir, 'data-'));
  chmodSync(dir, 0o755);
  return dir;
}

/** The longest single test of a run, from its JSON report. */
export function longestTestMs(run: PwRun): number {
  const durations = resultsOf(run.report).map((result) => result.duration);
  return durations.length ? Math.max(...durations) : NaN;
}
