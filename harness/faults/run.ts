/**
 * `npm run faults`: proof that every check can fail.
 *
 * Runs the suite once against the healthy built-in site, then once per fault in the catalogue
 * with the site started with that fault, and prints a matrix of test x fault. Exits non-zero when
 * the healthy run fails anything, when a fault is caught by no test, or when a test is killed by no
 * fault. Usage: `npm run faults [-- --only name,name] [--jobs N]`. The built-in site's faults and
 * baselines run N at a time (each run has its own site, folders and database; default 2), beside
 * the real server's: its second-edition sites' faults one at a time (they share nginx and the
 * sites), and beside those its container's, one at a time; each restored after by undoing what it
 * changed (harness/faults/server.sh, container.sh).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CATALOGUE, type Fault } from './catalogue.ts';
import { ROOT } from '../../helpers/config/paths.ts';

const OUT = path.join(ROOT, 'reports', 'faults');
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
    status: 'expected' | 'unexpected' | 'flaky' | 'skipped';
    results: { error?: { message?: string } }[];
  }[];
}
interface JsonSuite {
  title: string;
  specs?: JsonSpec[];
  suites?: JsonSuite[];
}

function firstError(suite: JsonSuite): string | undefined {
  for (const spec of suite.specs ?? []) {
    for (const test of spec.tests) {
      const message = test.results.find((r) => r.error?.message)?.error?.message;
      // eslint-disable-next-line no-control-regex
      if (message) return message.replace(/\x1b\[[0-9;]*m/g, '').split('\n')[0];
    }
  }
  for (const child of suite.suites ?? []) {
    const found = firstError(child);
    if (found) return found;
  }
  return undefined;
}

function collect(suite: JsonSuite, into: Outcome['tests'], prefix: string[] = []): void {
  const titles = suite.title && !suite.title.endsWith('.ts') ? [...prefix, suite.title] : prefix;
  for (const spec of suite.specs ?? []) {
    const key = `${spec.file} › ${[...titles, spec.title].join(' › ')}`;
    for (const test of spec.tests) {
      const status =
        test.status === 'skipped' ? 'skipped' : test.status === 'expected' ? 'passed' : 'failed';
      if (into.get(key) !== 'failed') into.set(key, status);
    }
  }
  for (const child of suite.suites ?? []) collect(child, into, titles);
}

/** What one run is: a fault, or the healthy baseline of a target and set of arguments. */
type Run = Pick<Fault, 'name' | 'target' | 'args' | 'env' | 'caughtBy' | 'expectedLine'>;

/** A fault with `checks` first runs only those spec files, with the same project and filters. */
function narrowed(fault: Fault): Run {
  return fault.checks ? { ...fault, args: [...fault.args, ...fault.checks] } : fault;
}

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

async function runSuite(target: Run, slot: number): Promise<Outcome> {
  const report = path.join(OUT, `${target.name}.json`);
  const started = Date.now();
  const { code: exitCode, stderr } = await runCapturing(
    ['npx', 'playwright', 'test', ...target.args, '--reporter=json'],
    {
      ...process.env,
      ...(target.target === 'local'
        ? { SUPERLISTS_LOCAL_DATA: slotData(slot) }
        : { ENV_FILE: ENV_FILES[target.target] }),
      ...target.env,
      PLAYWRIGHT_JSON_OUTPUT_FILE: report,
      // The catalogue proves detection, not patience: the targets here answer in milliseconds,
      // so a short wait fails fast on the fault without flaking the healthy run.
      RETRIES: '0',
      EXPECT_TIMEOUT_MS: process.env.EXPECT_TIMEOUT_MS ?? '2000',
    },
  );
  const caught = caughtByPreflight(target, exitCode, stderr);
  if (caught) {
    const seconds = (Date.now() - started) / 1000;
    return { tests: new Map([[PREFLIGHT, 'failed']]), seconds, exitCode, firstError: caught };
  }
  const tests: Outcome['tests'] = new Map();
  let firstMessage: string | undefined;
  try {
    const json = JSON.parse(readFileSync(report, 'utf8')) as { suites: JsonSuite[] };
    for (const suite of json.suites) collect(suite, tests);
    firstMessage = json.suites.map(firstError).find(Boolean);
  } catch {
    throw new Error(
      `${target.name}: the suite produced no report (exit ${exitCode}); see the output above`,
    );
  }
  if (tests.size === 0) {
    // A run that ran nothing proves nothing (the target did not start, say): stop here.
    throw new Error(
      `${target.name}: the suite ran no test (exit ${exitCode}); see the output above`,
    );
  }
  return { tests, seconds: (Date.now() - started) / 1000, exitCode, firstError: firstMessage };
}

/** The env file of each target of the real local server (server/up.ts writes both). */
const ENV_FILES = { server: '.env.server', container: '.env.container' } as const;
/** How each target of the real local server is put back after a fault (the fault's name follows). */
const RESTORE = {
  server: ['bash', 'harness/faults/server.sh', 'restore'],
  container: ['bash', 'harness/faults/container.sh', 'restore'],
} as const;

/** Brings the real local server up for the server faults, and always down again. */
async function withServer<T>(needed: boolean, body: () => Promise<T>): Promise<T> {
  if (!needed) return body();
  console.log('faults: bringing the real local server up ...');
  if ((await run(['node', '--import', 'tsx', 'harness/server/up.ts'])) !== 0) {
    await run(['node', '--import', 'tsx', 'harness/server/down.ts']);
    throw new Error('the real local server did not come up (npm run server:up says why)');
  }
  try {
    return await body();
  } finally {
    await run(['node', '--import', 'tsx', 'harness/server/down.ts']);
  }
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
    await inPool(ownBaselines, width, async (baseline, slot) => {
      const outcome = await runSuite(baseline, slot);
      // It ran tests, so preflight let the healthy site through: a check, when a fault needs it.
      if (faults.some((f) => f.caughtBy === 'preflight')) outcome.tests.set(PREFLIGHT, 'passed');
      for (const [test, status] of outcome.tests) {
        if (status === 'failed') healthyFailures.push(test);
        if (healthy.tests.get(test) !== 'passed') healthy.tests.set(test, status);
      }
      const failed = [...outcome.tests].filter(([, s]) => s === 'failed').length;
      console.log(
        `faults: healthy ${target} (${[...Object.entries(baseline.env ?? {}).map(([k, v]) => `${k}=${v}`), ...baseline.args].join(' ')}): ${outcome.tests.size} tests, ${failed} failed (${outcome.seconds.toFixed(1)} s)`,
      );
    });
    await inPool(ownFaults, width, async ([index, fault], slot) => {
      if (fault.apply && (await run(fault.apply)) !== 0) {
        throw new Error(`${fault.name}: could not apply the fault (${fault.apply.join(' ')})`);
      }
      try {
        let outcome = await runSuite(narrowed(fault), slot);
        let failed = [...outcome.tests].filter(([, s]) => s === 'failed').map(([t]) => t);
        if (fault.checks && failed.length === 0) {
          // The declared checks missed it: the whole suite decides, and the entry is called wrong.
          const narrowSeconds = outcome.seconds;
          outcome = await runSuite(fault, slot);
          outcome.seconds += narrowSeconds;
          failed = [...outcome.tests].filter(([, s]) => s === 'failed').map(([t]) => t);
          wrongChecks.push(
            `${fault.name}: its checks (${fault.checks.map(short).join(', ')}) all passed; ${failed.length ? `the whole suite caught it (${failed.map(short).join('; ')})` : 'so did the whole suite'}: fix its entry in harness/faults/catalogue.ts`,
          );
        }
        caughtBy.set(fault.name, failed);
        if (outcome.firstError) firstErrors.set(fault.name, outcome.firstError);
        for (const test of failed) killed.set(test, [...(killed.get(test) ?? []), fault.name]);
        console.log(
          `faults: ${String(index + 1).padStart(2)}/${faults.length} ${fault.name.padEnd(26)} ${String(failed.length).padStart(2)} test(s) failed (${outcome.seconds.toFixed(1)} s)`,
        );
      } finally {
        if (target !== 'local' && (await run([...RESTORE[target], fault.name])) !== 0) {
          console.error(`faults: could not restore the server after ${fault.name}`);
        }
      }
    });
  };
  // The built-in site's runs go on beside the real server's (which mostly wait on deploys).
  const settled = await Promise.allSettled([
    runAll('local'),
    withServer(
      faults.some((f) => f.target !== 'local'),
      // The container's faults beside the second-edition sites' (server.sh restore leaves the
      // container alone): the two share sshd and nothing else a fault touches.
      async () => {
        const lanes = await Promise.allSettled([runAll('server'), runAll('container')]);
        const failed = lanes.find((l): l is PromiseRejectedResult => l.status === 'rejected');
        if (failed) throw failed.reason;
      },
    ),
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
