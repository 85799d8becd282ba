/**
 * The staging section, run by the server part (deploy.ts) against the real server's staging, a
 * site already running as in the post-deploy gate:
 * - the suite's stories next to the plain port (and the `--compare` tree's stories), alternating;
 * - the whole gate (`--project=staging`) next to the stories alone (`--grep @story`), alternating;
 * - the stage-3 stories (@accounts) and how long the login story waited for its mail over IMAP
 *   (at least 3 runs, whatever `--runs` says: the mail's wait is a median of 3);
 * - the stories with 1, 3 and 4 workers, and at `--repeat-each` 3 and 10 (once each: the scale).
 * Its figures travel to the main process as JSON (the server part is a child process).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import dotenv from 'dotenv';
import { ROOT } from '../../../helpers/config/paths.ts';
import { baseEnv } from '../exec.ts';
import { say, table } from '../output.ts';
import { cpuMs, expectGreen, playwright, progress, type PwRun } from '../playwright.ts';
import { ratioTarget, state, targets } from '../state.ts';
import { med, median, seconds } from '../stats.ts';
import { BASELINE_TARGET, PLAIN_CONFIG, STORY_ARGS, testsMs } from './baseline.ts';
import { mailWaits, STAGE3_ARGS } from './stage3.ts';

/** The gate's target: the whole gate takes at most this many times the stories alone. */
const GATE_TARGET = 1.5;
const WORKER_SWEEP = [1, 3, 4];
const REPEATS = [3, 10];

/** What the bench keeps of one run (the server part's figures cross a process boundary). */
export interface RunFigure {
  label: string;
  wallMs: number;
  pwMs: number;
  code: number;
  tests: number;
  failed: number;
  testsSumMs: number;
  peakMb?: number;
  cpuMs: number;
  /** Spawn -> run begun (npx, runner, config), and -> first test (global setup, workers, browser). */
  beginMs: number;
  firstTestMs: number;
  mailWaitsMs: number[];
  othersCpu: number;
}

/** The staging runs, by kind. */
export interface StagingFigures {
  suite: RunFigure[];
  plain: RunFigure[];
  /** The `--compare` tree's stories (before a change), when it was given. */
  before: RunFigure[];
  compareRev?: string;
  gate: RunFigure[];
  storiesAll: RunFigure[];
  stage3: RunFigure[];
  workers: { workers: number; run: RunFigure }[];
  scale: { repeat: number; run: RunFigure }[];
}

function figure(run: PwRun): RunFigure {
  return {
    label: run.label,
    wallMs: run.wallMs,
    pwMs: run.pwMs,
    code: run.code,
    tests: run.passed + run.failed + run.flaky,
    failed: run.failed,
    testsSumMs: testsMs(run),
    peakMb: run.memory?.peakMb,
    cpuMs: cpuMs(run),
    beginMs: run.beginMs,
    firstTestMs: run.firstTestMs,
    mailWaitsMs: mailWaits(run),
    othersCpu: run.othersCpu,
  };
}

/** Runs every staging measurement; `envFile` is the server's .env.server. */
export async function benchStaging(runs: number, envFile: string): Promise<StagingFigures> {
  const env = (extra: NodeJS.ProcessEnv = {}) => ({
    ...baseEnv(),
    ENV_FILE: path.resolve(ROOT, envFile),
    ...extra,
  });
  const figures: StagingFigures = {
    suite: [],
    plain: [],
    before: [],
    compareRev: state.compare?.rev,
    gate: [],
    storiesAll: [],
    stage3: [],
    workers: [],
    scale: [],
  };
  const url = dotenv.parse(readFileSync(path.resolve(ROOT, envFile))).STAGING_URL ?? '';
  const run = async (
    label: string,
    args: string[],
    extra: NodeJS.ProcessEnv = {},
    cwd?: string,
  ) => {
    const result = await playwright(label, args, env(extra), { cwd });
    progress(result);
    expectGreen(result);
    return figure(result);
  };
  const suiteArgs = ['--project=staging', ...STORY_ARGS];
  const plainArgs = ['--config', PLAIN_CONFIG];
  const plainEnv = { PLAIN_PORT_URL: url };
  say("  staging: the suite's stories, the plain port, alternating");
  progress(
    await playwright('staging-warm-up', plainArgs, env(plainEnv)),
    ' (warm-up, not counted)',
  );
  for (let r = 1; r <= runs && !state.interrupted; r++) {
    const kinds = [
      async () => figures.suite.push(await run(`staging-suite-${r}`, suiteArgs)),
      async () => figures.plain.push(await run(`staging-plain-${r}`, plainArgs, plainEnv)),
      ...(state.compare
        ? [
            async () =>
              figures.before.push(
                await run(`staging-before-${r}`, suiteArgs, {}, state.compare!.dir),
              ),
          ]
        : []),
    ];
    for (const kind of r % 2 ? kinds : kinds.reverse()) await kind();
  }
  say('  staging: the whole gate and the stories alone, alternating');
  for (let r = 1; r <= runs && !state.interrupted; r++) {
    const kinds = [
      async () =>
        figures.storiesAll.push(
          await run(`staging-stories-${r}`, ['--project=staging', '--grep', '@story']),
        ),
      async () => figures.gate.push(await run(`staging-gate-${r}`, ['--project=staging'])),
    ];
    for (const kind of r % 2 ? kinds : kinds.reverse()) await kind();
  }
  say('  staging: the stage-3 stories (the login mail over IMAP), at least 3 runs');
  for (let r = 1; r <= Math.max(3, runs) && !state.interrupted; r++) {
    figures.stage3.push(
      await run(`staging-stage3-${r}`, ['--project=staging', ...STAGE3_ARGS], { WORKERS: '2' }),
    );
  }
  say('  staging: the stories with other worker counts, and repeated (scale), once each');
  for (const workers of WORKER_SWEEP) {
    if (state.interrupted) break;
    figures.workers.push({
      workers,
      run: await run(`staging-workers-${workers}`, suiteArgs, { WORKERS: String(workers) }),
    });
  }
  for (const repeat of REPEATS) {
    if (state.interrupted) break;
    figures.scale.push({
      repeat,
      run: await run(`staging-repeat-${repeat}`, [...suiteArgs, '--repeat-each', String(repeat)]),
    });
  }
  return figures;
}

const wall = (runs: RunFigure[]) => median(runs.map((r) => r.wallMs));

/** Prints the staging tables and adds their targets; returns their medians. */
export function printStaging(f: StagingFigures) {
  say("Against the real server's staging (a running site, as in the post-deploy gate)");
  const row = (name: string, runs: RunFigure[]) => [
    name,
    `${runs[0]?.tests ?? '-'}`,
    med(runs.map((r) => r.wallMs)),
    med(runs.map((r) => r.cpuMs)),
    med(runs.map((r) => r.beginMs)),
    med(runs.map((r) => r.firstTestMs)),
    med(runs.map((r) => r.pwMs)),
    med(runs.map((r) => r.testsSumMs)),
    med(
      runs.map((r) => r.peakMb ?? NaN),
      'MB',
    ),
  ];
  table([
    ['', 'tests', 'wall', 'CPU', 'run begun', 'first test', 'playwright', "tests' sum", 'peak RSS'],
    row("the suite's stories (--grep @story --grep-invert @accounts)", f.suite),
    row('the plain port', f.plain),
    ...(f.before.length ? [row(`the suite's stories at ${f.compareRev}`, f.before)] : []),
    row('the stories alone (--grep @story)', f.storiesAll),
    row('the whole gate (--project=staging)', f.gate),
    row('the stage-3 stories (@accounts)', f.stage3),
    ...f.workers.map((w) => row(`the suite's stories, WORKERS=${w.workers}`, [w.run])),
    ...f.scale.map((s) => row(`the suite's stories, --repeat-each ${s.repeat}`, [s.run])),
  ]);
  const waits = f.stage3.flatMap((r) => r.mailWaitsMs);
  say(
    `  the login mail over IMAP waited ${waits.length ? `${seconds(median(waits), 2)} s, median of ${waits.length} (${waits.join(', ')} ms)` : '-'}`,
  );
  const one = f.suite.length ? { tests: f.suite[0]!.tests, wallMs: wall(f.suite) } : undefined;
  const ten = f.scale.at(-1)?.run;
  if (one && ten && ten.tests > one.tests) {
    const perTest = (ten.wallMs - one.wallMs) / (ten.tests - one.tests);
    say(
      `  scale: each story test beyond the first ${one.tests} adds ${seconds(perTest, 2)} s of wall time (2 workers; single runs: under a changing load, only a rough slope)`,
    );
  }
  say();
  const suiteMs = wall(f.suite);
  const plainMs = wall(f.plain);
  ratioTarget("stories / plain port, real server's staging", suiteMs, plainMs, BASELINE_TARGET);
  if (f.before.length) {
    ratioTarget(
      `  the same stories at ${f.compareRev} (before) / plain port`,
      wall(f.before),
      plainMs,
      BASELINE_TARGET,
    );
  }
  const gateMs = wall(f.gate);
  const storiesMs = wall(f.storiesAll);
  ratioTarget("whole gate / stories alone, real server's staging", gateMs, storiesMs, GATE_TARGET);
  targets.push({
    what: "stage-3 stories (@accounts), real server's staging",
    figure: `${seconds(wall(f.stage3))} s wall; login mail over IMAP ${waits.length ? `${seconds(median(waits), 2)} s (median of ${waits.length})` : '-'}`,
    limit: 'stated',
    met: 'stated',
  });
  return {
    suiteMs,
    plainMs,
    beforeMs: f.before.length ? wall(f.before) : undefined,
    ratio: suiteMs / plainMs,
    gateMs,
    storiesAllMs: storiesMs,
    gateRatio: gateMs / storiesMs,
    stage3Ms: wall(f.stage3),
    mailWaitMs: waits.length ? median(waits) : undefined,
    workers: f.workers.map((w) => ({ workers: w.workers, wallMs: w.run.wallMs })),
    scale: f.scale.map((s) => ({ repeat: s.repeat, tests: s.run.tests, wallMs: s.run.wallMs })),
  };
}
