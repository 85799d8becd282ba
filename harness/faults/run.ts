/**
 * `npm run faults`: proof that every check can fail.
 *
 * Runs the suite once against the healthy built-in site, then once per fault in the catalogue
 * with the site started with that fault, and prints a matrix of test x fault. Exits non-zero when
 * the healthy run fails anything, when a fault is caught by no test, or when a test is killed by no
 * fault. Usage: `npm run faults [-- --only name,name] [--jobs N]`. The built-in site's faults and
 * baselines run N at a time (each run has its own site, folders and database; default 2): the
 * faults of one request in a few batches (batch.ts: one run, one site, each fault on a port of its
 * own beside a healthy control port), the others one run each. Beside them the real server's:
 * its second-edition sites' faults one at a time (they share nginx and the sites), and beside
 * those its container's, one at a time; each restored after by undoing what it changed
 * (harness/faults/server.sh, container.sh).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CATALOGUE, type Fault } from './catalogue.ts';
import { CONTROL, batchable, escapeRegExp, faultPorts } from './batch.ts';
import { ROOT } from '../../helpers/config/paths.ts';

const OUT = path.join(ROOT, 'reports', 'faults');
const BATCH_CONFIG = path.join(ROOT, 'harness', 'faults', 'batch.config.ts');
/**
 * How many batches of the built-in site's faults each slot runs: one Playwright start, site and
 * healthy control each, so one (of about sixteen faults) a slot costs least.
 */
const BATCHES_PER_SLOT = 1;
/** The first of the ports a batch's faults are served on: 100 a slot, from here. */
const BATCH_PORTS = 21000;
/**
 * `npx playwright test` without npx: Playwright's own entry, as npx would find it. npx's lookup
 * costs about a second of CPU a run, and the catalogue makes about ninety runs.
 */
const PLAYWRIGHT_TEST = [
  process.execPath,
  path.join(ROOT, 'node_modules', '@playwright', 'test', 'cli.js'),
  'test',
];
/** The matrix row of the checks preflight makes before any test (global setup). */
export const PREFLIGHT = 'preflight (global setup)';

interface Outcome {
  /** `file › title` of each test, with its status: passed, failed, skipped. */
  tests: Map<string, 'passed' | 'failed' | 'skipped'>;
  /** The first line of the first failure's message. */
  firstError?: string;
  seconds: number;
  exitCode: number;
}

interface JsonSpec {
  title: string;
  file: string;
  tests: {
    projectName: string;
    results: {
      status: 'passed' | 'failed' | 'timedOut' | 'skipped' | 'interrupted';
      error?: { message?: string };
    }[];
  }[];
}
interface JsonSuite {
  title: string;
  specs?: JsonSpec[];
  suites?: JsonSuite[];
}

/** The first line of the first failure in `suite` (of `project`'s tests, when given). */
function firstError(suite: JsonSuite, project?: string): string | undefined {
  for (const spec of suite.specs ?? []) {
    for (const test of spec.tests) {
      if (project !== undefined && test.projectName !== project) continue;
      const message = test.results.find((r) => r.error?.message)?.error?.message;
      // eslint-disable-next-line no-control-regex
      if (message) return message.replace(/\x1b\[[0-9;]*m/g, '').split('\n')[0];
    }
  }
  for (const child of suite.suites ?? []) {
    const found = firstError(child, project);
    if (found) return found;
  }
  return undefined;
}

/** Each test's status in `suite` (of `project`'s tests, when given) into `into`. */
function collect(
  suite: JsonSuite,
  into: Outcome['tests'],
  project?: string,
  prefix: string[] = [],
): void {
  const titles = suite.title && !suite.title.endsWith('.ts') ? [...prefix, suite.title] : prefix;
  for (const spec of suite.specs ?? []) {
    const key = `${spec.file} › ${[...titles, spec.title].join(' › ')}`;
    for (const test of spec.tests) {
      if (project !== undefined && test.projectName !== project) continue;
      // What happened, not whether it was expected: a batch's fault run expects both (faultRun).
      const result = test.results.at(-1)?.status ?? 'skipped';
      const status = result === 'skipped' || result === 'passed' ? result : 'failed';
      if (into.get(key) !== 'failed') into.set(key, status);
    }
  }
  for (const child of suite.suites ?? []) collect(child, into, project, titles);
}

/** What one run is: a fault, or the healthy baseline of a target and set of arguments. */
type Run = Pick<Fault, 'name' | 'target' | 'args' | 'env' | 'caughtBy' | 'expectedLine'>;

/**
 * A fault with `checks` first runs only those spec files, with the same project and filters; one
 * with `checkTitles`, only the tests of those titles.
 */
export function narrowed(fault: Fault): Run {
  let args = fault.args;
  if (fault.checkTitles) {
    // The titles, as one --grep in place of the one args has (Playwright keeps only the last).
    const grep = fault.checkTitles.map(escapeRegExp).join('|');
    const at = args.indexOf('--grep');
    args = at >= 0 ? args.with(at + 1, grep) : [...args, '--grep', grep];
  }
  return { ...fault, args: [...args, ...(fault.checks ?? [])] };
}

/** Whether a fault names the checks that must catch it (its first run is {@link narrowed}). */
const hasChecks = (fault: Fault) => Boolean(fault.checks || fault.checkTitles);
/** A fault's declared checks, for a message. */
const checksOf = (fault: Fault) =>
  [...(fault.checks ?? []).map(short), ...(fault.checkTitles ?? []).map((t) => `'${t}'`)].join(
    ', ',
  );

/**
 * Whether a run that stopped before any test was preflight catching `fault`: exit 2 and, among
 * its stderr, preflight's one line matching the fault's expected line. Returns that line.
 */
export function caughtByPreflight(
  fault: Pick<Fault, 'caughtBy' | 'expectedLine'>,
  exitCode: number,
  stderr: string,
): string | undefined {
  if (fault.caughtBy !== 'preflight' || exitCode !== 2) return undefined;
  const lines = stderr.split('\n').filter((line) => line.startsWith('superlists-live-tests: '));
  const line = lines.find((l) => !fault.expectedLine || fault.expectedLine.test(l));
  return lines.length === 1 ? line : undefined;
}

function run(command: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  return runCapturing(command, env).then(({ code }) => code);
}

function runCapturing(
  command: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(command[0]!, command.slice(1), {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
      env,
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => {
      if (code !== 0 && code !== 1) process.stderr.write(stderr);
      resolve({ code: code ?? 1, stderr });
    });
  });
}

/**
 * The built-in site's data folder for the runs of one slot: kept from run to run (and from one
 * `npm run faults` to the next), so a run starts a warm PostgreSQL instead of a fresh initdb, and
 * never shared by two runs at once. The tests' data is unique to each run, as on a shared staging.
 */
function slotData(slot: number): string {
  return path.join(ROOT, '.local-data', 'faults', `slot-${slot + 1}`);
}

/** The settings every run of the catalogue has, beside its own. */
function runEnv(report: string): NodeJS.ProcessEnv {
  return {
    PLAYWRIGHT_JSON_OUTPUT_FILE: report,
    // The catalogue proves detection, not patience: the targets here answer in milliseconds,
    // so a short wait fails fast on the fault without flaking the healthy run.
    RETRIES: '0',
    EXPECT_TIMEOUT_MS: process.env.EXPECT_TIMEOUT_MS ?? '2000',
  };
}

/** The JSON report a run wrote, or one line saying it wrote none. */
function readReport(report: string, name: string, exitCode: number): JsonSuite[] {
  try {
    return (JSON.parse(readFileSync(report, 'utf8')) as { suites: JsonSuite[] }).suites;
  } catch {
    throw new Error(
      `${name}: the suite produced no report (exit ${exitCode}); see the output above`,
    );
  }
}

/** The outcome of `project`'s tests (all tests, when undefined) in a report. */
function outcomeOf(
  suites: JsonSuite[],
  name: string,
  exitCode: number,
  seconds: number,
  project?: string,
  narrowedRun = false,
): Outcome {
  const tests: Outcome['tests'] = new Map();
  for (const suite of suites) collect(suite, tests, project);
  // A narrowed run that matched no test: its checks are wrong, and the whole run decides.
  if (tests.size === 0 && !narrowedRun) {
    // A run that ran nothing proves nothing (the target did not start, say): stop here.
    throw new Error(`${name}: the suite ran no test (exit ${exitCode}); see the output above`);
  }
  const firstMessage = suites.map((suite) => firstError(suite, project)).find(Boolean);
  return { tests, seconds, exitCode, firstError: firstMessage };
}

async function runSuite(target: Run, slot: number, narrowedRun = false): Promise<Outcome> {
  const report = path.join(OUT, `${target.name}.json`);
  const started = Date.now();
  const { code: exitCode, stderr } = await runCapturing(
    [...PLAYWRIGHT_TEST, ...target.args, '--reporter=json'],
    {
      ...process.env,
      ...(target.target === 'local'
        ? { SUPERLISTS_LOCAL_DATA: slotData(slot) }
        : { ENV_FILE: ENV_FILES[target.target] }),
      ...target.env,
      ...runEnv(report),
    },
  );
  const seconds = (Date.now() - started) / 1000;
  const caught = caughtByPreflight(target, exitCode, stderr);
  if (caught)
    return { tests: new Map([[PREFLIGHT, 'failed']]), seconds, exitCode, firstError: caught };
  const suites = readReport(report, target.name, exitCode);
  return outcomeOf(suites, target.name, exitCode, seconds, undefined, narrowedRun);
}

/**
 * Runs a batch of the built-in site's faults in one Playwright run (batch.config.ts): one site,
 * each fault on a port of its own, and a port with none for the healthy control. Returns the
 * outcome of each fault's project and of the control ({@link CONTROL}).
 */
async function runBatch(faults: readonly Fault[], slot: number): Promise<Map<string, Outcome>> {
  const name = `batch-${slot + 1}-${faults[0]!.name}`;
  const report = path.join(OUT, `${name}.json`);
  // Ports of their own per slot, below the range the system hands out (the site's own port).
  const ports = [...faults, CONTROL].map((_, i) => BATCH_PORTS + slot * 100 + i);
  const started = Date.now();
  const { code: exitCode } = await runCapturing(
    [...PLAYWRIGHT_TEST, '--config', BATCH_CONFIG, '--reporter=json'],
    {
      ...process.env,
      SUPERLISTS_LOCAL_DATA: slotData(slot),
      SUPERLISTS_FAULT_PORTS: faultPorts(faults, ports),
      ...runEnv(report),
    },
  );
  const seconds = (Date.now() - started) / 1000;
  const suites = readReport(report, name, exitCode);
  return new Map(
    [...faults.map((f) => f.name), CONTROL].map((project) => [
      project,
      outcomeOf(suites, `${name} ${project}`, exitCode, seconds, project),
    ]),
  );
}

/** The env file of each target of the real local server (server/up.ts writes both). */
const ENV_FILES = { server: '.env.server', container: '.env.container' } as const;
/** How each target of the real local server is put back after a fault (the fault's name follows). */
const RESTORE = {
  server: ['bash', 'harness/faults/server.sh', 'restore'],
  container: ['bash', 'harness/faults/container.sh', 'restore'],
} as const;

/**
 * Runs harness/server/`script`.ts; on failure shows its lines (runCapturing shows those of a
 * crash, not of exit 1, a fault run's usual code) and returns false.
 */
async function serverScript(script: 'up' | 'down'): Promise<boolean> {
  const { code, stderr } = await runCapturing([
    'node',
    '--import',
    'tsx',
    `harness/server/${script}.ts`,
  ]);
  if (code === 1) process.stderr.write(stderr);
  return code === 0;
}

/** Brings the real local server up for the server faults, and always down again. */
async function withServer<T>(needed: boolean, body: () => Promise<T>): Promise<T> {
  if (!needed) return body();
  console.log('faults: bringing the real local server up ...');
  if (!(await serverScript('up'))) {
    await serverScript('down');
    throw new Error('the real local server did not come up (its lines above say where)');
  }
  // A server left running is a failure the run must show (CI would fail on it later, with no why).
  const notStopped = 'the real local server did not stop (its lines above say where)';
  let result: T;
  try {
    result = await body();
  } catch (error) {
    if (!(await serverScript('down'))) console.error(`faults: ${notStopped}`);
    throw error;
  }
  if (!(await serverScript('down'))) throw new Error(notStopped);
  return result;
}

/**
 * Runs `work` on every item, at most `jobs` at a time, in the items' order, telling it which of the
 * `jobs` slots it runs in; waits for all before it rethrows the first error (no run is left behind).
 */
async function inPool<T>(
  items: readonly T[],
  jobs: number,
  work: (item: T, slot: number) => Promise<void>,
) {
  let next = 0;
  const worker = async (_: unknown, slot: number) => {
    while (next < items.length) await work(items[next++]!, slot);
  };
  const settled = await Promise.allSettled(
    Array.from({ length: Math.max(1, Math.min(jobs, items.length)) }, worker),
  );
  const failed = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failed) throw failed.reason;
}

function short(test: string): string {
  return test.replace(/\.spec\.ts/, '').replace(/^tests\//, '');
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const onlyIndex = argv.indexOf('--only');
  const only = onlyIndex >= 0 ? (argv[onlyIndex + 1] ?? '').split(',') : undefined;
  const faults = only ? CATALOGUE.filter((f) => only.includes(f.name)) : CATALOGUE;
  const jobsIndex = argv.indexOf('--jobs');
  const jobs = jobsIndex >= 0 ? Number(argv[jobsIndex + 1]) : Math.min(2, availableParallelism());
  if (!Number.isInteger(jobs) || jobs < 1) {
    console.error(`faults: --jobs takes a whole number of runs at once (1, 2, ...)`);
    process.exit(2);
  }
  if (only && faults.length !== only.length) {
    const known = new Set(CATALOGUE.map((f) => f.name));
    console.error(`faults: unknown fault(s) ${only.filter((n) => !known.has(n)).join(', ')}`);
    process.exit(2);
  }
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(OUT, { recursive: true });
  const started = Date.now();

  // One healthy baseline per target and set of arguments the chosen faults use.
  const baselines = new Map<string, Run>();
  for (const fault of faults) {
    const key = `${fault.target} ${fault.args.join(' ')} ${JSON.stringify(fault.baselineEnv ?? {})}`;
    if (!baselines.has(key)) {
      baselines.set(key, {
        name: `healthy-${baselines.size + 1}`,
        target: fault.target,
        args: fault.args,
        env: fault.baselineEnv,
      });
    }
  }
  const healthy: Outcome = { tests: new Map(), seconds: 0, exitCode: 0 };
  const healthyFailures: string[] = [];
  const killed = new Map<string, string[]>(); // test -> faults that killed it
  const caughtBy = new Map<string, string[]>(); // fault -> tests that failed
  const firstErrors = new Map<string, string>(); // fault -> the first failure's first line
  const wrongChecks: string[] = []; // faults whose declared checks missed them

  const runAll = async (target: Fault['target']) => {
    // The built-in site's runs are independent; the real server's share one server.
    const width = target === 'local' ? jobs : 1;
    const ownBaselines = [...baselines.values()].filter((b) => b.target === target);
    const ownFaults = [...faults.entries()].filter(([, fault]) => fault.target === target);
    const recordHealthy = (outcome: Outcome, label: string) => {
      // It ran tests, so preflight let the healthy site through: a check, when a fault needs it.
      if (faults.some((f) => f.caughtBy === 'preflight')) outcome.tests.set(PREFLIGHT, 'passed');
      for (const [test, status] of outcome.tests) {
        if (status === 'failed') healthyFailures.push(test);
        if (healthy.tests.get(test) !== 'passed') healthy.tests.set(test, status);
      }
      const failed = [...outcome.tests].filter(([, s]) => s === 'failed').length;
      console.log(
        `faults: healthy ${target} (${label}): ${outcome.tests.size} tests, ${failed} failed (${outcome.seconds.toFixed(1)} s)`,
      );
    };
    /** Records what `outcome` (of the fault's checks, when it has them) caught of `fault`. */
    const recordFault = async (index: number, fault: Fault, first: Outcome, slot: number) => {
      let outcome = first;
      let failed = [...outcome.tests].filter(([, s]) => s === 'failed').map(([t]) => t);
      if (hasChecks(fault) && failed.length === 0) {
        // The declared checks missed it: the whole suite decides, and the entry is called wrong.
        const missed = first.tests.size ? 'all passed' : 'matched no test';
        outcome = await runSuite(fault, slot);
        outcome.seconds += first.seconds;
        failed = [...outcome.tests].filter(([, s]) => s === 'failed').map(([t]) => t);
        wrongChecks.push(
          `${fault.name}: its checks (${checksOf(fault)}) ${missed}; ${failed.length ? `the whole suite caught it (${failed.map(short).join('; ')})` : 'so did the whole suite'}: fix its entry in harness/faults/catalogue.ts`,
        );
      }
      caughtBy.set(fault.name, failed);
      if (outcome.firstError) firstErrors.set(fault.name, outcome.firstError);
      for (const test of failed) killed.set(test, [...(killed.get(test) ?? []), fault.name]);
      console.log(
        `faults: ${String(index + 1).padStart(2)}/${faults.length} ${fault.name.padEnd(26)} ${String(failed.length).padStart(2)} test(s) failed (${outcome.seconds.toFixed(1)} s${outcome === first && batched.some(([, f]) => f === fault) ? ', its batch' : ''})`,
      );
    };
    // A real server's healthy baselines leave it as they found it (as runs on a shared staging
    // must), all but the deploy spec's, whose redeploy reloads a site under any other run: the
    // others two at a time, then those alone. The built-in site's each have a site of their own.
    const deploys = (run: Run) => run.args.some((a) => a.startsWith('tests/deploy/'));
    const baselineGroups =
      target === 'local'
        ? [{ runs: ownBaselines, width }]
        : [
            { runs: ownBaselines.filter((b) => !deploys(b)), width: 2 },
            { runs: ownBaselines.filter(deploys), width: 1 },
          ];
    for (const group of baselineGroups) {
      await inPool(group.runs, group.width, async (baseline, slot) => {
        const label = [
          ...Object.entries(baseline.env ?? {}).map(([k, v]) => `${k}=${v}`),
          ...baseline.args,
        ].join(' ');
        recordHealthy(await runSuite(baseline, slot), label);
      });
    }
    // The built-in site's faults that can share a run do (batch.ts): a few batches a slot, first,
    // as they take longest; then every other fault in a run of its own.
    const batched = target === 'local' ? ownFaults.filter(([, f]) => batchable(f)) : [];
    const size = Math.max(1, Math.ceil(batched.length / (width * BATCHES_PER_SLOT)));
    const work = [
      ...Array.from({ length: Math.ceil(batched.length / size) }, (_, i) =>
        batched.slice(i * size, (i + 1) * size),
      ),
      ...ownFaults.filter((entry) => !batched.includes(entry)).map((entry) => [entry]),
    ];
    await inPool(work, width, async (entries, slot) => {
      if (entries.length > 1 || batched.includes(entries[0]!)) {
        const outcomes = await runBatch(
          entries.map(([, fault]) => fault),
          slot,
        );
        recordHealthy(
          outcomes.get(CONTROL)!,
          `the control of a batch of ${entries.length}, on a port with no fault`,
        );
        for (const [index, fault] of entries)
          await recordFault(index, fault, outcomes.get(fault.name)!, slot);
        return;
      }
      const [index, fault] = entries[0]!;
      if (fault.apply && (await run(fault.apply)) !== 0) {
        throw new Error(`${fault.name}: could not apply the fault (${fault.apply.join(' ')})`);
      }
      try {
        await recordFault(
          index,
          fault,
          await runSuite(narrowed(fault), slot, hasChecks(fault)),
          slot,
        );
      } finally {
        if (target !== 'local' && (await run([...RESTORE[target], fault.name])) !== 0) {
          console.error(`faults: could not restore the server after ${fault.name}`);
        }
      }
    });
  };
  // The built-in site's runs go on beside the real server's (which mostly wait on deploys), once
  // the server is up: it comes up on an idle machine in a third of the time, and its serial lane
  // is the catalogue's tail.
  let serverAttempted!: () => void;
  const serverUp = new Promise<void>((resolve) => (serverAttempted = resolve));
  const settled = await Promise.allSettled([
    serverUp.then(() => runAll('local')),
    withServer(
      faults.some((f) => f.target !== 'local'),
      // The container's faults beside the second-edition sites' (server.sh restore leaves the
      // container alone): the two share sshd and nothing else a fault touches.
      async () => {
        serverAttempted();
        const lanes = await Promise.allSettled([runAll('server'), runAll('container')]);
        const failed = lanes.find((l): l is PromiseRejectedResult => l.status === 'rejected');
        if (failed) throw failed.reason;
      },
    ).finally(serverAttempted),
  ]);
  const stopped = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (stopped) throw stopped.reason;

  // The matrix: one row per test, one column per fault (numbered; legend below).
  const tests = [...healthy.tests.keys()].sort();
  const width = Math.max(...tests.map((t) => short(t).length), 10);
  const header = faults.map((_, i) => String(i + 1).padStart(3)).join('');
  console.log(`\n${'test'.padEnd(width)} ${header}   killed by`);
  for (const test of tests) {
    const status = healthy.tests.get(test);
    const cells = faults
      .map((f) => (caughtBy.get(f.name)?.includes(test) ? '  X' : '  .'))
      .join('');
    const note =
      status === 'skipped'
        ? 'not run here (skipped on this target)'
        : String(killed.get(test)?.length ?? 0);
    console.log(`${short(test).padEnd(width)} ${cells}   ${note}`);
  }
  console.log('\nfaults:');
  for (const [i, fault] of faults.entries()) {
    console.log(`${String(i + 1).padStart(3)} ${fault.name.padEnd(26)} ${fault.description}`);
    const said = firstErrors.get(fault.name);
    if (said) console.log(`${' '.repeat(31)}-> ${said.slice(0, 160)}`);
  }

  const uncaught = faults
    .filter((f) => (caughtBy.get(f.name)?.length ?? 0) === 0)
    .map((f) => f.name);
  const ran = tests.filter((t) => healthy.tests.get(t) === 'passed');
  const survivors = only ? [] : ran.filter((t) => !killed.has(t));
  const notRun = tests.filter((t) => healthy.tests.get(t) === 'skipped');
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  console.log(
    `\nfaults: ${faults.length} faults, ${faults.length - uncaught.length} caught; ${ran.length} checks run, ${ran.length - survivors.length} killed; healthy run ${healthyFailures.length ? 'RED' : 'green'}; ${seconds} s`,
  );
  if (notRun.length) console.log(`faults: not run on this target: ${notRun.map(short).join('; ')}`);
  for (const line of wrongChecks) console.log(`faults: warning: ${line}`);
  const errors = [
    ...healthyFailures.map((t) => `the healthy site failed ${short(t)}`),
    ...uncaught.map((f) => `fault ${f} was caught by no test`),
    ...survivors.map((t) => `${short(t)} was killed by no fault: it cannot fail`),
  ];
  for (const error of errors) console.error(`faults: ${error}`);
  process.exit(errors.length ? 1 : 0);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error: unknown) => {
    console.error(`faults: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  });
}
