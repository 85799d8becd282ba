/**
 * `npm run bench`: how fast the suite tells a good deploy from a bad one, measured in one run on
 * this machine. Prints a table and writes reports/bench.json. Every figure is the median of
 * several runs (default 3), with the range when there is more than one.
 *
 *   npm run bench [-- --runs N | --quick] [--only suite,stories,deploy,red,startup] [--keep]
 *
 * - suite:   `npx playwright test --grep-invert @deploy` (FT + smoke) against the built-in site,
 *            cold (a new SUPERLISTS_LOCAL_DATA: PostgreSQL runs initdb) and warm (the same folder
 *            again), WORKERS=1 and 2; wall time, Playwright's own duration (JSON report), peak
 *            memory of the whole process tree, and where the time goes (the suite's overhead next
 *            to the time the site spent answering: see bench/timing-reporter.ts). Two more warm
 *            2-worker rows, TRACE_DETAIL=full and `--trace off`, show what the traces cost a
 *            green run (the default records light traces, kept on failure).
 * - stories: tests/functional alone, 2 workers, warm.
 * - deploy:  against the real server (server/), under `flock /tmp/superlists-server.lock`: up, the
 *            deploy spec next to the deploy command it runs (its wall and the test's own
 *            duration), the same command run directly over ssh, the stories against staging (a
 *            running site, as in the post-deploy gate), down (always).
 * - red:     time to a red verdict when the target is down, with preflight, with PREFLIGHT=false,
 *            and with PREFLIGHT=false INFRA_RETRIES=0 (fixtures/resilience.ts's retries off).
 * - startup: `npx playwright --version` (the floor under every command above), and the same
 *            without npx.
 *
 * Take figures on a quiet machine: it prints the load average first and warns above 1, and for
 * each command the share of the CPU that other jobs used meanwhile (warning above 10 %).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  chmodSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import dotenv from 'dotenv';
import { sampleTree, type MemoryPeak } from './proctree.ts';
import type { TimingFile } from './timing-reporter.ts';
import { ROOT } from '../../helpers/config/paths.ts';

const LOCK = '/tmp/superlists-server.lock';
const SECTIONS = ['suite', 'stories', 'deploy', 'red', 'startup'] as const;
type Section = (typeof SECTIONS)[number];

// ------------------------------------------------------------------------------ small helpers

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (!sorted.length) return NaN;
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const seconds = (ms: number, digits = 1) =>
  Number.isFinite(ms) ? (ms / 1000).toFixed(digits) : '-';
/** "12.3 s (11.9-12.8)": the median and, for several runs, the range. */
function med(values: number[], unit: 's' | 'MB' = 's'): string {
  const present = values.filter((v) => Number.isFinite(v));
  if (!present.length) return '-';
  const show = (v: number) => (unit === 's' ? seconds(v) : String(Math.round(v)));
  const range =
    present.length > 1 ? ` (${show(Math.min(...present))}-${show(Math.max(...present))})` : '';
  return `${show(median(present))} ${unit}${range}`;
}
/** The median of counts, or '-' when there is none. */
const count = (values: number[]): string => {
  const m = median(values.filter((v) => Number.isFinite(v)));
  return Number.isFinite(m) ? String(m) : '-';
};
const say = (line = '') => process.stdout.write(`${line}\n`);
const loadAverage = () => Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);

/**
 * CPU time, in clock ticks: the machine's busy time (/proc/stat), this process's own, and that of
 * the children it has waited for (/proc/self/stat utime + stime, cutime + cstime). With the CPU
 * time of the command's process tree (bench/proctree.ts), the difference over a command is what
 * other jobs used meanwhile: the load average cannot tell, since the bench loads the machine itself.
 */
function cpuTicks(): { busy: number; self: number; children: number } {
  const cpu = readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]!
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  // user nice system idle iowait irq softirq steal
  const busy = [0, 1, 2, 5, 6, 7].reduce((sum, i) => sum + (cpu[i] ?? 0), 0);
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat
    .slice(stat.lastIndexOf(')') + 2)
    .split(' ')
    .map(Number);
  // After the comm: state is fields[0] (field 3), so utime..cstime (fields 14-17) are [11]..[14].
  return {
    busy,
    self: (fields[11] ?? 0) + (fields[12] ?? 0),
    children: (fields[13] ?? 0) + (fields[14] ?? 0),
  };
}
const CLOCK_TICKS = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;
const CORES = os.cpus().length;

// ------------------------------------------------------------------------------ running commands

interface Exec {
  label: string;
  command: string;
  wallMs: number;
  code: number;
  logFile: string;
  /** The last lines of stdout + stderr, for a failure message. */
  tail: string;
  stdout: string;
  memory?: MemoryPeak;
  /** The machine's 1-minute load average when the command ended (its own load included). */
  load: number;
  /** The share of the machine's CPU that other jobs used while the command ran, in %. */
  othersCpu: number;
}

let current: ChildProcess | undefined;
/** Every command run, for the check of what other jobs used meanwhile. */
const executed: Exec[] = [];
/** Set on SIGINT/SIGTERM: no new command starts. */
let interrupted = false;
let workDir = '';

/**
 * Runs `command` in its own process group from the repo root; wall time from spawn to exit.
 * Output goes to a log file (and, with `echo`, to this terminal too).
 */
function exec(
  label: string,
  command: string[],
  env: NodeJS.ProcessEnv,
  options: { memory?: boolean; echo?: boolean } = { memory: true },
): Promise<Exec> {
  if (interrupted) {
    return Promise.resolve({
      load: NaN,
      othersCpu: NaN,
      label,
      command: command.join(' '),
      wallMs: NaN,
      code: 130,
      logFile: '',
      tail: '',
      stdout: '',
    });
  }
  const logFile = path.join(workDir, 'logs', `${label}.log`);
  mkdirSync(path.dirname(logFile), { recursive: true });
  const log = createWriteStream(logFile);
  return new Promise((resolve) => {
    const started = performance.now();
    const cpuBefore = cpuTicks();
    const child = spawn(command[0]!, command.slice(1), {
      cwd: ROOT,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    current = child;
    const sampler = options.memory && child.pid ? sampleTree(child.pid) : undefined;
    let stdout = '';
    let tail = '';
    const take = (chunk: Buffer, isStdout: boolean) => {
      const text = chunk.toString();
      if (isStdout) stdout += text;
      tail = (tail + text).slice(-4000);
      log.write(text);
      if (options.echo) process.stdout.write(text);
    };
    child.stdout.on('data', (chunk: Buffer) => take(chunk, true));
    child.stderr.on('data', (chunk: Buffer) => take(chunk, false));
    let wallMs = 0;
    let memory: MemoryPeak | undefined;
    let settled = false;
    const finish = (code: number) => {
      if (settled) return;
      settled = true;
      current = undefined;
      log.end();
      const cpuAfter = cpuTicks();
      const elapsed = wallMs || performance.now() - started;
      // Ours: this process, and the command's tree as sampled (renderers included), or else the
      // children this process waited for.
      const tree = memory ? memory.cpuTicks : cpuAfter.children - cpuBefore.children;
      const others = cpuAfter.busy - cpuBefore.busy - (cpuAfter.self - cpuBefore.self) - tree;
      const result: Exec = {
        load: loadAverage(),
        othersCpu: Math.max(0, (100 * others) / CLOCK_TICKS / (elapsed / 1000) / CORES),
        label,
        command: command.join(' '),
        wallMs: wallMs || performance.now() - started,
        code,
        logFile,
        tail,
        stdout,
        memory,
      };
      executed.push(result);
      resolve(result);
    };
    child.on('exit', (code, signal) => {
      wallMs = performance.now() - started;
      memory = sampler?.stop();
      // A daemon the command started may keep its output open: do not wait for it for ever.
      setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        finish(code ?? (signal ? 128 : 1));
      }, 10_000).unref();
    });
    child.on('error', (error) => {
      take(Buffer.from(`${error.message}\n`), false);
      finish(127);
    });
    child.on('close', (code, signal) => finish(code ?? (signal ? 128 : 1)));
  });
}

/** The environment every run starts from: this one, without what would pin a target or a run. */
function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, FORCE_COLOR: '0', RETRIES: '0' };
  for (const name of [
    'ENV_FILE',
    'SUPERLISTS_TARGETS',
    'SUPERLISTS_RUN_ID',
    'SUPERLISTS_FAULT',
    'SUPERLISTS_LOCAL_DATA',
    'LOCAL_PORT',
    'PREFLIGHT',
    'WORKERS',
    'TRACE',
    'TRACE_DETAIL',
    'INFRA_RETRIES',
    'FULL_REPORTS',
    'CI',
    'DEBUG',
    'ACCESS_LOG',
  ]) {
    delete env[name];
  }
  return env;
}

// ------------------------------------------------------------------------------ Playwright runs

interface JsonStep {
  title: string;
  duration: number;
  steps?: JsonStep[];
}
interface JsonResult {
  status: string;
  duration: number;
  startTime: string;
  workerIndex: number;
  errors?: { message?: string }[];
  steps?: JsonStep[];
  attachments?: { name: string; contentType: string; body?: string; path?: string }[];
  annotations?: { type: string; description?: string }[];
}
interface JsonTest {
  annotations?: { type: string; description?: string }[];
  results: JsonResult[];
}
interface JsonSpec {
  title: string;
  file: string;
  tests: JsonTest[];
}
interface JsonSuite {
  title: string;
  specs?: JsonSpec[];
  suites?: JsonSuite[];
}
interface JsonReport {
  stats: {
    startTime: string;
    duration: number;
    expected: number;
    unexpected: number;
    skipped: number;
    flaky: number;
  };
  suites: JsonSuite[];
  errors?: { message?: string }[];
}

function* specsOf(suites: JsonSuite[]): Generator<JsonSpec> {
  for (const suite of suites) {
    yield* suite.specs ?? [];
    yield* specsOf(suite.suites ?? []);
  }
}

/** The site's side of one run, from the timing reporter (bench/timing-reporter.ts). */
interface SiteSide {
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

interface PwRun extends Exec {
  /** Playwright's own duration (JSON report stats.duration). */
  pwMs: number;
  passed: number;
  failed: number;
  skipped: number;
  flaky: number;
  report?: JsonReport;
  site?: SiteSide;
}

/** Merges [start, end] intervals and returns their total length. */
function unionMs(intervals: [number, number][]): number {
  const sorted = [...intervals].sort((a, b) => a[0] - b[0]);
  let total = 0;
  let [start, end] = [-Infinity, -Infinity];
  for (const [s, e] of sorted) {
    if (s > end) {
      if (end > start) total += end - start;
      [start, end] = [s, e];
    } else end = Math.max(end, e);
  }
  if (end > start && Number.isFinite(start)) total += end - start;
  return total;
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

/** `npx playwright test ARGS` with the JSON reporter (and, against the built-in site, the timing reporter). */
async function playwright(
  label: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  options: { site?: boolean } = {},
): Promise<PwRun> {
  const id = `${String(++runCounter).padStart(2, '0')}-${label}`;
  const jsonFile = path.join(workDir, 'json', `${id}.json`);
  const timingFile = path.join(workDir, 'timing', `${id}.json`);
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
      `--output=${path.join(workDir, 'test-results', id)}`,
    ],
    {
      ...env,
      PLAYWRIGHT_JSON_OUTPUT_FILE: jsonFile,
      ...(options.site
        ? { BENCH_TIMING_FILE: timingFile, ACCESS_LOG: '1', DEBUG: 'pw:webserver' }
        : {}),
    },
    { memory: true },
  );
  const exitedAt = spawnedAt + run.wallMs;
  let report: JsonReport | undefined;
  try {
    report = JSON.parse(readFileSync(jsonFile, 'utf8')) as JsonReport;
  } catch {
    report = undefined; // e.g. the preflight stopped the run before any reporter finished
  }
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
  };
}

const problems: string[] = [];

/** Notes a run that should have passed but did not; its figures are not trustworthy. */
function expectGreen(run: PwRun): void {
  if ((run.code === 0 && run.failed === 0) || interrupted) return;
  problems.push(`${run.label}: exit ${run.code}, ${run.failed} failed (log: ${run.logFile})`);
  say(
    `    !! ${run.label} did not pass; last output:\n${run.tail.split('\n').slice(-15).join('\n')}`,
  );
}

function progress(run: PwRun, extra = '', note = ''): void {
  if (interrupted) return;
  const counts = `${run.passed} passed${run.failed ? `, ${run.failed} failed` : ''}${run.skipped ? `, ${run.skipped} skipped` : ''}`;
  say(
    `  ${run.label.padEnd(34)} ${seconds(run.wallMs).padStart(6)} s wall, ${seconds(run.pwMs).padStart(6)} s playwright, ${counts}, exit ${run.code}${run.memory ? `, peak ${run.memory.peakMb} MB` : ''}${extra}, others' CPU ${run.othersCpu.toFixed(0)} %${note}`,
  );
}

/** A run during which other jobs used more than this share of the CPU (%) is repeated. */
const NOISY_PERCENT = 10;
const ATTEMPTS = 3;
/** Runs repeated because other jobs used the machine meanwhile (by log file: one per run). */
const discarded = new Map<string, { label: string; wallMs: number; othersCpu: number }>();

/**
 * `playwright(...)`, repeated (at most ATTEMPTS times in all) while other jobs used more than
 * NOISY_PERCENT of the CPU during it. `env` is called before each attempt (a cold run needs a new
 * data folder each time). Prints one line per attempt.
 */
async function measured(
  label: string,
  args: string[],
  env: () => NodeJS.ProcessEnv,
  options: { site?: boolean } = {},
): Promise<PwRun> {
  for (let attempt = 1; ; attempt++) {
    const run = await playwright(label, args, env(), options);
    const ready =
      run.site?.siteReadyMs !== undefined
        ? `, site ready at ${seconds(run.site.siteReadyMs)} s`
        : '';
    if (run.othersCpu <= NOISY_PERCENT || attempt >= ATTEMPTS || interrupted) {
      progress(run, ready);
      return run;
    }
    discarded.set(run.logFile, { label, wallMs: run.wallMs, othersCpu: run.othersCpu });
    progress(run, ready, ': discarded, run again');
  }
}

/** A new data folder for the built-in site; user postgres must be able to enter it. */
function freshDataDir(): string {
  const dir = mkdtempSync(path.join(workDir, 'data-'));
  chmodSync(dir, 0o755);
  return dir;
}

// ------------------------------------------------------------------------------ the sections

interface SuiteFigures {
  config: string;
  workers: number;
  warm: boolean;
  /** Extra arguments: `--trace off` checks what the config's trace: 'retain-on-failure' costs. */
  extra: string[];
  /** Extra environment: TRACE_DETAIL=full checks what DOM snapshots and the screencast cost. */
  env?: Record<string, string>;
  runs: PwRun[];
}

/** The configurations of the FT + smoke runs, in the order they run within one round. */
function suiteConfigs(): SuiteFigures[] {
  const configs: SuiteFigures[] = [];
  for (const workers of [1, 2]) {
    for (const warm of [false, true]) {
      const config = `${warm ? 'warm' : 'cold'}, ${workers} worker${workers > 1 ? 's' : ''}`;
      configs.push({ config, workers, warm, extra: [], runs: [] });
    }
  }
  configs.push(
    {
      config: 'warm, 2 workers, TRACE_DETAIL=full',
      workers: 2,
      warm: true,
      extra: [],
      env: { TRACE_DETAIL: 'full' },
      runs: [],
    },
    {
      config: 'warm, 2 workers, --trace off',
      workers: 2,
      warm: true,
      extra: ['--trace', 'off'],
      runs: [],
    },
  );
  return configs;
}

async function benchSuite(runs: number): Promise<{ configs: SuiteFigures[]; warmDir: string }> {
  say('FT + smoke against the built-in site (npx playwright test --grep-invert @deploy)');
  const configs = suiteConfigs();
  let warmDir = '';
  // Interleaved, so that a drift in the machine's load spreads over every configuration. Each
  // worker count gets a new data folder: its first run is cold (initdb), the next ones warm.
  for (let r = 1; r <= runs && !interrupted; r++) {
    for (const workers of [1, 2]) {
      let dir = '';
      for (const figures of configs.filter((c) => c.workers === workers)) {
        const name = figures.config.replace(/[^a-z0-9]+/g, '-').replace(/-$/, '');
        const run = await measured(
          `suite-${name}-${r}`,
          ['--grep-invert', '@deploy', ...figures.extra],
          () => {
            if (!figures.warm) dir = freshDataDir(); // cold: a new folder on every attempt
            return {
              ...baseEnv(),
              ...figures.env,
              WORKERS: String(workers),
              SUPERLISTS_LOCAL_DATA: dir,
            };
          },
          { site: true },
        );
        expectGreen(run);
        figures.runs.push(run);
      }
      warmDir = dir;
    }
  }
  return { configs, warmDir };
}

async function benchStories(runs: number, warmDir: string | undefined): Promise<PwRun[]> {
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
  for (let r = 1; r <= runs && !interrupted; r++) {
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

/** The ways the red-verdict runs are made: the default, and with the suite's safety nets off. */
const RED_VARIANTS = [
  { name: 'preflight', label: 'preflight on (default)', env: {} },
  { name: 'no-preflight', label: 'PREFLIGHT=false', env: { PREFLIGHT: 'false' } },
  {
    // fixtures/resilience.ts retries a refused connection (INFRA_RETRIES, default 2): this row
    // shows what those retries cost when the target is really down.
    name: 'no-preflight-no-retries',
    label: 'PREFLIGHT=false INFRA_RETRIES=0',
    env: { PREFLIGHT: 'false', INFRA_RETRIES: '0' },
  },
] as const;
type RedFigures = Record<(typeof RED_VARIANTS)[number]['name'], PwRun[]>;

/** The longest single test of a run, from its JSON report. */
function longestTestMs(run: PwRun): number {
  const durations = [...specsOf(run.report?.suites ?? [])].flatMap((spec) =>
    spec.tests.flatMap((test) => test.results.map((result) => result.duration)),
  );
  return durations.length ? Math.max(...durations) : NaN;
}

async function benchRed(runs: number): Promise<RedFigures> {
  say(
    'Red verdict, target down (STAGING_URL=http://127.0.0.1:9 npx playwright test --project=staging)',
  );
  const figures: RedFigures = {
    preflight: [],
    'no-preflight': [],
    'no-preflight-no-retries': [],
  };
  for (let r = 1; r <= runs && !interrupted; r++) {
    for (const variant of RED_VARIANTS) {
      const run = await measured(`red-${variant.name}-${r}`, ['--project=staging'], () => ({
        ...baseEnv(),
        STAGING_URL: 'http://127.0.0.1:9',
        ...variant.env,
      }));
      if (run.code === 0) problems.push(`${run.label}: exit 0 against a target that is down`);
      figures[variant.name].push(run);
    }
  }
  return figures;
}

interface StartupFigures {
  npx: Exec[];
  direct: Exec[];
}

/** The floor under every command: starting Playwright's CLI through npx, and directly. */
async function benchStartup(runs: number): Promise<StartupFigures> {
  say('Startup floor (npx playwright --version; node_modules/.bin/playwright --version)');
  const figures: StartupFigures = { npx: [], direct: [] };
  for (let r = 1; r <= runs && !interrupted; r++) {
    for (const [name, command] of [
      ['npx', ['npx', 'playwright', '--version']],
      ['direct', [path.join('node_modules', '.bin', 'playwright'), '--version']],
    ] as const) {
      const run = await exec(`startup-${name}-${r}`, [...command], baseEnv());
      say(
        `  ${run.label.padEnd(34)} ${seconds(run.wallMs, 2).padStart(6)} s wall, exit ${run.code}, others' CPU ${run.othersCpu.toFixed(0)} %`,
      );
      figures[name].push(run);
    }
  }
  return figures;
}

// ------------------------------------------------------------------------------ the server part

/** One deploy's own account of itself: its steps and total, from deploy.sh's output. */
interface DeployOutput {
  totalMs?: number;
  steps: { name: string; ms: number }[];
}

function parseDeployOutput(text: string): DeployOutput {
  const steps: DeployOutput['steps'] = [];
  let name: string | undefined;
  for (const line of text.split('\n')) {
    const announce = /^==> \[[^\]]+\] (.+)$/.exec(line);
    if (announce) name = announce[1];
    const ok = /^\s+ok \(([\d.]+)s\)/.exec(line);
    if (ok && name) {
      steps.push({ name, ms: Number(ok[1]) * 1000 });
      name = undefined;
    }
  }
  const total = /^deployed \S+ \S+ in ([\d.]+)s$/m.exec(text);
  return { totalMs: total ? Number(total[1]) * 1000 : undefined, steps };
}

interface SpecRun {
  label: string;
  wallMs: number;
  pwMs: number;
  code: number;
  passed: boolean;
  /** The deploy command's time, from the test's annotation `deploy: trigger`. */
  triggerMs?: number;
  /** The deploy test's own duration (fixtures and steps; no runner, worker or browser start). */
  testMs?: number;
  /** deploy.sh's own figures, from the attachment "deploy output". */
  deploy: DeployOutput;
  /** The spec's test.step()s, in order. */
  steps: { title: string; ms: number }[];
  availability?: string;
  logFile: string;
}

interface DirectRun {
  label: string;
  wallMs: number;
  code: number;
  deploy: DeployOutput;
  logFile: string;
}

interface ServerFigures {
  upMs: number;
  upCode: number;
  downMs: number;
  downCode: number;
  specs: SpecRun[];
  direct: DirectRun[];
  /** The stories against staging: a site already running, as in a post-deploy gate. */
  stories: { label: string; wallMs: number; pwMs: number; code: number }[];
  error?: string;
}

function specRun(run: PwRun): SpecRun {
  const specs = [...specsOf(run.report?.suites ?? [])];
  const test = specs.flatMap((spec) => spec.tests)[0];
  const result = test?.results.at(-1);
  const annotations = [...(test?.annotations ?? []), ...(result?.annotations ?? [])];
  const trigger = annotations.find((a) => a.type === 'deploy: trigger')?.description ?? '';
  const seconds = /exit \d+ in ([\d.]+) s$/.exec(trigger)?.[1];
  const attachment = result?.attachments?.find((a) => a.name === 'deploy output');
  const output = attachment?.body
    ? Buffer.from(attachment.body, 'base64').toString()
    : attachment?.path && existsSync(attachment.path)
      ? readFileSync(attachment.path, 'utf8')
      : '';
  return {
    label: run.label,
    wallMs: run.wallMs,
    pwMs: run.pwMs,
    code: run.code,
    passed: run.code === 0 && run.passed === 1,
    triggerMs: seconds ? Number(seconds) * 1000 : undefined,
    testMs: result?.duration,
    deploy: parseDeployOutput(output),
    steps: (result?.steps ?? []).map((step) => ({ title: step.title, ms: step.duration })),
    availability: annotations.find((a) => a.type === 'deploy: availability')?.description,
    logFile: run.logFile,
  };
}

/**
 * The part that needs the real server, run under `flock /tmp/superlists-server.lock` by the main
 * process: server:up, the deploy spec and the direct deploy, then server:down, always.
 */
async function serverPart(outFile: string, runs: number): Promise<void> {
  const figures: ServerFigures = {
    upMs: NaN,
    upCode: -1,
    downMs: NaN,
    downCode: -1,
    specs: [],
    direct: [],
    stories: [],
  };
  const npm = (label: string, script: string) =>
    exec(label, ['npm', 'run', '--silent', script], baseEnv());
  let downDone = false;
  const downNow = (signal: NodeJS.Signals) => {
    if (current?.pid) {
      try {
        process.kill(-current.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    if (!downDone) {
      say('  interrupted: npm run server:down');
      spawnSync('npm', ['run', '--silent', 'server:down'], {
        cwd: ROOT,
        stdio: 'inherit',
        env: baseEnv(),
      });
    }
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.on('SIGINT', () => downNow('SIGINT'));
  process.on('SIGTERM', () => downNow('SIGTERM'));
  try {
    say('  npm run server:up');
    const up = await npm('server-up', 'server:up');
    figures.upMs = up.wallMs;
    figures.upCode = up.code;
    say(`  ${'server-up'.padEnd(34)} ${seconds(up.wallMs).padStart(6)} s wall, exit ${up.code}`);
    if (up.code !== 0) throw new Error(`server:up failed (log: ${up.logFile}):\n${up.tail}`);

    // .env.server holds database passwords: read the four values needed here, print none of it.
    const server = dotenv.parse(readFileSync(path.join(ROOT, '.env.server')));
    const ssh = /^([^@]+)@([^:]+):(\d+)$/.exec(server.STAGING_SSH ?? '');
    const key = server.STAGING_SSH_KEY;
    const deploy = /^ssh:(.+)$/.exec(server.STAGING_DEPLOY ?? '')?.[1];
    if (!ssh || !key || !deploy)
      throw new Error('.env.server lacks STAGING_SSH, _SSH_KEY or an ssh: _DEPLOY');
    const [, user, host, port] = ssh as unknown as [string, string, string, string];
    const sshCommand = [
      'ssh',
      '-F',
      '/dev/null',
      '-i',
      key,
      '-p',
      port,
      '-o',
      `UserKnownHostsFile=${path.join(path.dirname(key), 'known_hosts')}`,
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      'BatchMode=yes',
      `${user}@${host}`,
      deploy,
    ];

    for (let r = 1; r <= runs && !interrupted; r++) {
      const run = await playwright(`deploy-spec-${r}`, ['--project=staging', 'tests/deploy'], {
        ...baseEnv(),
        ENV_FILE: '.env.server',
      });
      const spec = specRun(run);
      figures.specs.push(spec);
      say(
        `  ${spec.label.padEnd(34)} ${seconds(spec.wallMs).padStart(6)} s wall, ${seconds(spec.pwMs).padStart(6)} s playwright, deploy command ${seconds(spec.triggerMs ?? NaN)} s, ${spec.passed ? 'passed' : `FAILED (exit ${spec.code})`}`,
      );
      if (!spec.passed) {
        problems.push(`${spec.label}: exit ${spec.code} (log: ${spec.logFile})`);
        say(run.tail.split('\n').slice(-15).join('\n'));
      }

      const stories = await playwright(
        `stories-staging-${r}`,
        ['--project=staging', 'tests/functional'],
        { ...baseEnv(), ENV_FILE: '.env.server' },
      );
      figures.stories.push({
        label: stories.label,
        wallMs: stories.wallMs,
        pwMs: stories.pwMs,
        code: stories.code,
      });
      say(
        `  ${stories.label.padEnd(34)} ${seconds(stories.wallMs).padStart(6)} s wall, ${seconds(stories.pwMs).padStart(6)} s playwright, exit ${stories.code}`,
      );
      if (stories.code !== 0) problems.push(`${stories.label}: exit ${stories.code}`);

      const direct = await exec(`deploy-ssh-${r}`, sshCommand, baseEnv());
      figures.direct.push({
        label: direct.label,
        wallMs: direct.wallMs,
        code: direct.code,
        deploy: parseDeployOutput(direct.stdout),
        logFile: direct.logFile,
      });
      say(
        `  ${direct.label.padEnd(34)} ${seconds(direct.wallMs).padStart(6)} s wall, exit ${direct.code}`,
      );
      if (direct.code !== 0) {
        problems.push(`${direct.label}: exit ${direct.code} (log: ${direct.logFile})`);
        say(direct.tail.split('\n').slice(-15).join('\n'));
      }
    }
  } catch (error) {
    figures.error = error instanceof Error ? error.message : String(error);
    say(`  !! ${figures.error}`);
  } finally {
    say('  npm run server:down');
    const down = await npm('server-down', 'server:down');
    downDone = true;
    figures.downMs = down.wallMs;
    figures.downCode = down.code;
    say(
      `  ${'server-down'.padEnd(34)} ${seconds(down.wallMs).padStart(6)} s wall, exit ${down.code}`,
    );
    if (down.code !== 0) say(down.tail);
    writeFileSync(outFile, JSON.stringify({ figures, problems }));
  }
}

/** Runs the server part in a child process that holds the server lock for its whole life. */
async function benchDeploy(runs: number): Promise<ServerFigures | undefined> {
  say(`Deploy against the real server (server/), under flock ${LOCK}`);
  const out = path.join(workDir, 'server-part.json');
  const child = await exec(
    'server-part',
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
      '--server-part',
      out,
      '--runs',
      String(runs),
      '--work',
      workDir,
    ],
    baseEnv(),
    { echo: true },
  );
  if (child.code === 75) {
    problems.push(`deploy: ${LOCK} stayed taken for 30 minutes; the server part did not run`);
    return undefined;
  }
  if (!existsSync(out)) {
    problems.push(`deploy: the server part ended (exit ${child.code}) without figures`);
    return undefined;
  }
  const { figures, problems: theirs } = JSON.parse(readFileSync(out, 'utf8')) as {
    figures: ServerFigures;
    problems: string[];
  };
  problems.push(...theirs);
  if (figures.error) problems.push(`deploy: ${figures.error.split('\n')[0]}`);
  if (figures.downCode !== 0)
    problems.push(`deploy: server:down exit ${figures.downCode}: the server may be left up`);
  return figures;
}

// ------------------------------------------------------------------------------ the report

function machine() {
  const osName =
    /PRETTY_NAME="([^"]+)"/.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? os.platform();
  const version = (pkg: string) => {
    try {
      return (
        JSON.parse(readFileSync(path.join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as {
          version: string;
        }
      ).version;
    } catch {
      return '?';
    }
  };
  const dpkg = spawnSync('dpkg-query', ['-W', '-f=${Version}', 'chromium-headless-shell'], {
    encoding: 'utf8',
  });
  return {
    os: osName,
    cpu: os.cpus()[0]?.model ?? '?',
    cores: os.cpus().length,
    memoryGb: Math.round(os.totalmem() / 1024 ** 3),
    node: process.version,
    playwright: version('@playwright/test'),
    chromiumHeadlessShell:
      dpkg.status === 0 ? dpkg.stdout : "not installed (Playwright's own Chromium?)",
  };
}

function table(rows: string[][], indent = '  '): void {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
  for (const row of rows) {
    say(
      indent +
        row
          .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
          .join('   ')
          .trimEnd(),
    );
  }
}

/** A run's figures without the bulky parts (the JSON report, stdout), for reports/bench.json. */
function slim(run: PwRun | Exec) {
  const { stdout: _stdout, tail: _tail, ...rest } = run as PwRun;
  void _stdout;
  void _tail;
  if ('report' in rest) delete rest.report;
  return rest;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string' },
      quick: { type: 'boolean' },
      only: { type: 'string' },
      keep: { type: 'boolean' },
      'server-part': { type: 'string' },
      work: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    say(
      'usage: npm run bench [-- --runs N | --quick] [--only suite,stories,deploy,red,startup] [--keep]',
    );
    return;
  }
  const runs = values.quick ? 1 : Number(values.runs ?? 3);
  if (!Number.isInteger(runs) || runs < 1) {
    console.error(`bench: --runs ${values.runs} is not a whole number >= 1`);
    process.exit(2);
  }

  if (values['server-part']) {
    workDir = values.work ?? mkdtempSync(path.join(os.tmpdir(), 'superlists-bench-'));
    await serverPart(values['server-part'], runs);
    return;
  }

  const only = (values.only?.split(',').map((s) => s.trim()) ?? [...SECTIONS]) as Section[];
  const unknown = only.filter((s) => !SECTIONS.includes(s));
  if (unknown.length) {
    console.error(`bench: unknown section ${unknown.join(', ')} (known: ${SECTIONS.join(', ')})`);
    process.exit(2);
  }

  const info = machine();
  const loadStart = loadAverage();
  say(`superlists-live-tests bench: ${runs} run${runs > 1 ? 's' : ''} of each, medians (range)`);
  say(
    `machine: ${info.os}, ${info.cores} cores (${info.cpu}), ${info.memoryGb} GB, node ${info.node}, Playwright ${info.playwright}, chromium-headless-shell ${info.chromiumHeadlessShell}`,
  );
  say(`load average (1 min) at start: ${loadStart.toFixed(2)}`);
  if (loadStart > 1) {
    say(
      `WARNING: the load average is above 1: other work is running, the figures will be slower and noisier than this machine can do.`,
    );
  }
  say();

  workDir = mkdtempSync(path.join(os.tmpdir(), 'superlists-bench-'));
  chmodSync(workDir, 0o755);
  // Interrupted: stop the running command (SIGINT: Playwright stops its browsers and the site),
  // wait for it (at most 15 s), remove the work folder and exit.
  const interrupt = (code: number) => {
    interrupted = true;
    const child = current;
    if (child?.pid) {
      try {
        process.kill(-child.pid, 'SIGINT');
      } catch {
        // already gone
      }
    }
    const deadline = Date.now() + 15_000;
    const wait = setInterval(() => {
      if (current && Date.now() < deadline) return;
      clearInterval(wait);
      if (!values.keep) rmSync(workDir, { recursive: true, force: true });
      process.exit(code);
    }, 100);
  };
  process.once('SIGINT', () => interrupt(130));
  process.once('SIGTERM', () => interrupt(143));

  const started = performance.now();
  // After an interrupt the sections return at once; the handler exits once the command stopped.
  const wanted = (section: Section) => only.includes(section) && !interrupted;
  const startup = wanted('startup') ? await benchStartup(runs) : undefined;
  const suite = wanted('suite') ? await benchSuite(runs) : undefined;
  const stories = wanted('stories') ? await benchStories(runs, suite?.warmDir) : [];
  const red = wanted('red') ? await benchRed(runs) : undefined;
  const deploy = wanted('deploy') ? await benchDeploy(runs) : undefined;
  if (interrupted) return;
  const loadEnd = loadAverage();
  say();

  // ---------------------------------------------------------------- the table
  const allRows: Record<string, unknown> = {};
  if (startup) {
    say('Startup floor');
    table([
      ['', 'wall'],
      ['npx playwright --version', med(startup.npx.map((r) => r.wallMs))],
      ['node_modules/.bin/playwright --version', med(startup.direct.map((r) => r.wallMs))],
    ]);
    allRows.startup = {
      npxMs: median(startup.npx.map((r) => r.wallMs)),
      directMs: median(startup.direct.map((r) => r.wallMs)),
    };
    say();
  }
  if (suite) {
    const tests = suite.configs[0]?.runs[0];
    say(
      `FT + smoke against the built-in site (${tests ? tests.passed + tests.failed + tests.skipped : '?'} tests; --grep-invert @deploy)`,
    );
    table([
      ['', 'wall', 'playwright', 'site ready at', 'first test at', 'peak RSS', 'browsers'],
      ...suite.configs.map((c) => [
        c.config,
        med(c.runs.map((r) => r.wallMs)),
        med(c.runs.map((r) => r.pwMs)),
        med(c.runs.map((r) => r.site?.siteReadyMs ?? NaN)),
        med(c.runs.map((r) => r.site?.firstTestMs ?? NaN)),
        med(
          c.runs.map((r) => r.memory?.peakMb ?? NaN),
          'MB',
        ),
        count(c.runs.map((r) => r.memory?.browsersLaunched ?? NaN)),
      ]),
    ]);
    say();
    const warm2 = suite.configs.find((c) => c.config === 'warm, 2 workers')!;
    const warm1 = suite.configs.find((c) => c.config === 'warm, 1 worker')!;
    const peakRun = [...warm2.runs].sort(
      (a, b) => (a.memory?.peakMb ?? 0) - (b.memory?.peakMb ?? 0),
    )[Math.floor(warm2.runs.length / 2)];
    if (peakRun?.memory) {
      const m = peakRun.memory.atPeakMb;
      say(
        `Peak memory, warm, 2 workers (median run): ${peakRun.memory.peakMb} MB summed RSS = runner ${m.runner} + workers ${m.worker} + browsers ${m.browser} + site and PostgreSQL ${m.site} MB`,
      );
      say();
    }
    say('Where the time goes (suite overhead next to the time the site spent answering)');
    const overheadRow = (c: SuiteFigures) => {
      const busy = c.runs.map((r) => r.site?.busyMs ?? NaN);
      return [
        c.config,
        med(c.runs.map((r) => r.wallMs)),
        med(busy),
        med(c.runs.map((r) => r.site?.sumMs ?? NaN)),
        count(c.runs.map((r) => r.site?.requests ?? NaN)),
        med(c.runs.map((r) => r.wallMs - (r.site?.busyMs ?? NaN))),
        `${count(c.runs.map((r) => Math.round((100 * (r.wallMs - (r.site?.busyMs ?? NaN))) / r.wallMs)))} %`,
      ];
    };
    table([
      ['', 'wall', 'site busy', 'site sum', 'requests', 'overhead', 'share'],
      ...suite.configs.map(overheadRow),
    ]);
    const phases = (c: SuiteFigures) => [
      c.config,
      med(c.runs.map((r) => r.site?.siteReadyMs ?? NaN)),
      med(c.runs.map((r) => (r.site?.firstTestMs ?? NaN) - (r.site?.siteReadyMs ?? NaN))),
      med(c.runs.map((r) => r.site?.testsSpanMs ?? NaN)),
      med(c.runs.map((r) => r.site?.afterTestsMs ?? NaN)),
    ];
    say();
    table([
      [
        'phases of the wall time',
        'start -> site ready',
        '-> first test',
        'tests',
        'after last test',
      ],
      ...suite.configs.map(phases),
    ]);
    say();
    // Per test, 1 worker, warm: the requests during a test are that test's, so its site time is exact.
    const titles = [...new Set(warm1.runs.flatMap((r) => r.site?.tests.map((t) => t.title) ?? []))];
    const perTest = titles
      .map((title) => {
        const of = warm1.runs.flatMap((r) => r.site?.tests.filter((t) => t.title === title) ?? []);
        return {
          title,
          durationMs: median(of.map((t) => t.durationMs)),
          siteMs: median(of.map((t) => t.siteMs)),
        };
      })
      .sort((a, b) => b.durationMs - a.durationMs);
    say("Slowest tests (warm, 1 worker: the site time during a test is that test's own)");
    table([
      ['', 'test', 'site', 'waiting'],
      ...perTest
        .slice(0, 8)
        .map((t) => [
          t.title.length > 78 ? `${t.title.slice(0, 75)}...` : t.title,
          `${seconds(t.durationMs, 2)} s`,
          `${seconds(t.siteMs, 2)} s`,
          `${seconds(t.durationMs - t.siteMs, 2)} s`,
        ]),
    ]);
    say();
    allRows.suite = suite.configs.map((c) => ({
      config: c.config,
      wallMs: median(c.runs.map((r) => r.wallMs)),
      playwrightMs: median(c.runs.map((r) => r.pwMs)),
      siteReadyMs: median(c.runs.map((r) => r.site?.siteReadyMs ?? NaN)),
      firstTestMs: median(c.runs.map((r) => r.site?.firstTestMs ?? NaN)),
      testsSpanMs: median(c.runs.map((r) => r.site?.testsSpanMs ?? NaN)),
      afterTestsMs: median(c.runs.map((r) => r.site?.afterTestsMs ?? NaN)),
      siteBusyMs: median(c.runs.map((r) => r.site?.busyMs ?? NaN)),
      siteSumMs: median(c.runs.map((r) => r.site?.sumMs ?? NaN)),
      requests: median(c.runs.map((r) => r.site?.requests ?? NaN)),
      overheadMs: median(c.runs.map((r) => r.wallMs - (r.site?.busyMs ?? NaN))),
      peakRssMb: median(c.runs.map((r) => r.memory?.peakMb ?? NaN)),
      browsersLaunched: median(c.runs.map((r) => r.memory?.browsersLaunched ?? NaN)),
      workersStarted: median(c.runs.map((r) => r.memory?.workersStarted ?? NaN)),
    }));
    allRows.perTestWarm1Worker = perTest;
  }
  if (stories.length) {
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
    allRows.stories = {
      wallMs: median(stories.map((r) => r.wallMs)),
      playwrightMs: median(stories.map((r) => r.pwMs)),
      siteReadyMs: median(stories.map((r) => r.site?.siteReadyMs ?? NaN)),
      firstTestMs: median(stories.map((r) => r.site?.firstTestMs ?? NaN)),
    };
  }
  if (red) {
    say('Time to a red verdict, target down (STAGING_URL=http://127.0.0.1:9, --project=staging)');
    const redRow = (name: string, r: PwRun[]) => [
      name,
      med(r.map((x) => x.wallMs)),
      r.map((x) => String(x.code)).join(','),
      r[0]?.report ? `${r[0].failed} failed, ${r[0].skipped} skipped` : 'stopped before the tests',
      med(r.map(longestTestMs)),
      count(r.map((x) => x.memory?.workersStarted ?? NaN)),
      count(r.map((x) => x.memory?.browsersLaunched ?? NaN)),
    ];
    table([
      ['', 'wall', 'exit', 'tests', 'longest test', 'workers started', 'browsers launched'],
      ...RED_VARIANTS.map((variant) => redRow(variant.label, red[variant.name])),
    ]);
    say();
    allRows.red = Object.fromEntries(
      RED_VARIANTS.map((variant) => [
        variant.name,
        {
          wallMs: median(red[variant.name].map((r) => r.wallMs)),
          longestTestMs: median(red[variant.name].map(longestTestMs)),
        },
      ]),
    );
  }
  if (deploy) {
    say('Deploy spec against the real server (staging), next to the deploy command it runs');
    const specs = deploy.specs.filter((s) => s.passed);
    const ratio = specs.map((s) => s.wallMs / (s.triggerMs ?? NaN));
    const testRatio = specs.map((s) => (s.testMs ?? NaN) / (s.triggerMs ?? NaN));
    const directRatio =
      median(specs.map((s) => s.wallMs)) / median(deploy.direct.map((d) => d.wallMs));
    table([
      ['', 'wall'],
      [
        'deploy spec (npx playwright test --project=staging tests/deploy)',
        med(deploy.specs.map((s) => s.wallMs)),
      ],
      [
        '  its deploy command (annotation "deploy: trigger")',
        med(deploy.specs.map((s) => s.triggerMs ?? NaN)),
      ],
      [
        '  deploy.sh\'s own total ("deployed ... in")',
        med(deploy.specs.map((s) => s.deploy.totalMs ?? NaN)),
      ],
      [
        'the same deploy run directly (ssh ... bin/deploy staging HEAD)',
        med(deploy.direct.map((d) => d.wallMs)),
      ],
      ["  deploy.sh's own total", med(deploy.direct.map((d) => d.deploy.totalMs ?? NaN))],
      ['ratio: spec / its deploy command', ratio.length ? `${median(ratio).toFixed(2)} x` : '-'],
      [
        'the deploy test itself (its duration in the report)',
        med(specs.map((s) => s.testMs ?? NaN)),
      ],
      [
        'ratio: the test itself / its deploy command',
        testRatio.length ? `${median(testRatio).toFixed(2)} x` : '-',
      ],
      [
        'the eight stories against staging (a running site, as in the gate)',
        med(deploy.stories.map((s) => s.wallMs)),
      ],
      [
        'ratio: spec / direct deploy',
        Number.isFinite(directRatio) ? `${directRatio.toFixed(2)} x` : '-',
      ],
      ['npm run server:up (deploys staging and production)', med([deploy.upMs])],
      ['npm run server:down', med([deploy.downMs])],
    ]);
    say();
    const stepTitles = [...new Set(specs.flatMap((s) => s.steps.map((st) => st.title)))];
    if (stepTitles.length) {
      say(
        '  the deploy spec, step by step (test.step durations; the rest is fixtures, browser and teardown)',
      );
      table(
        stepTitles.map((title) => [
          title,
          med(specs.map((s) => s.steps.find((st) => st.title === title)?.ms ?? NaN)),
        ]),
        '    ',
      );
      say();
    }
    const deploySteps = [
      ...new Set(deploy.direct.flatMap((d) => d.deploy.steps.map((st) => st.name))),
    ];
    if (deploySteps.length) {
      say('  deploy.sh, step by step (direct runs)');
      table(
        deploySteps.map((name) => [
          name,
          med(deploy.direct.map((d) => d.deploy.steps.find((st) => st.name === name)?.ms ?? NaN)),
        ]),
        '    ',
      );
      say();
    }
    allRows.deploy = {
      specWallMs: median(deploy.specs.map((s) => s.wallMs)),
      triggerMs: median(deploy.specs.map((s) => s.triggerMs ?? NaN)),
      directMs: median(deploy.direct.map((d) => d.wallMs)),
      ratioToTrigger: median(ratio),
      testMs: median(specs.map((s) => s.testMs ?? NaN)),
      testRatioToTrigger: median(testRatio),
      storiesStagingMs: median(deploy.stories.map((s) => s.wallMs)),
      ratioToDirect: directRatio,
      upMs: deploy.upMs,
      downMs: deploy.downMs,
    };
  }

  // Not the server part: the server's daemons (sshd, nginx, PostgreSQL, the sites, the deploy
  // they run) are not this process's children, so their work there counts as "other jobs".
  const kept = executed.filter(
    (e) => e.label !== 'server-part' && !discarded.has(e.logFile) && Number.isFinite(e.othersCpu),
  );
  const busiest = [...kept].sort((a, b) => b.othersCpu - a.othersCpu)[0];
  if (busiest) {
    say(
      `other jobs' share of the CPU during the runs kept: median ${count(kept.map((e) => Math.round(e.othersCpu)))} %, at most ${busiest.othersCpu.toFixed(0)} % (${busiest.label}); ${discarded.size} run(s) discarded and run again`,
    );
    if (busiest.othersCpu > NOISY_PERCENT) {
      say(
        `WARNING: other jobs used more than ${NOISY_PERCENT} % of the CPU during some runs kept: those figures are slower than this machine can do.`,
      );
    }
  }
  say(
    `load average (1 min) at the end: ${loadEnd.toFixed(2)}; bench took ${seconds(performance.now() - started, 0)} s`,
  );
  const reportFile = path.join(ROOT, 'reports', 'bench.json');
  mkdirSync(path.dirname(reportFile), { recursive: true });
  writeFileSync(
    reportFile,
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        machine: info,
        runs,
        sections: only,
        loadAverage: { start: loadStart, end: loadEnd },
        medians: allRows,
        raw: {
          startup: startup && { npx: startup.npx.map(slim), direct: startup.direct.map(slim) },
          suite: suite?.configs.map((c) => ({ config: c.config, runs: c.runs.map(slim) })),
          stories: stories.map(slim),
          red:
            red && Object.fromEntries(Object.entries(red).map(([name, r]) => [name, r.map(slim)])),
          deploy,
        },
        discarded: [...discarded.values()],
        problems,
      },
      null,
      2,
    )}\n`,
  );
  say(`wrote ${path.relative(ROOT, reportFile)}`);
  if (values.keep) say(`kept the logs, JSON reports and data folders in ${workDir}`);
  else rmSync(workDir, { recursive: true, force: true });
  if (problems.length) {
    say(`\n${problems.length} problem(s): these figures are not trustworthy`);
    for (const problem of problems) say(`  ${problem}`);
    process.exitCode = 1;
  }
}

await main();
