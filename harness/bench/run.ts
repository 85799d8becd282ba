/**
 * `npm run bench`: how fast the suite tells a good deploy from a bad one, measured in one run on
 * this machine. Prints a table and writes reports/bench.json. Every figure is the median of
 * several runs (default 3), with the range when there is more than one.
 *
 *   npm run bench [-- --runs N | --quick] [--only suite,stories,stage3,baseline,clone,deploy,red,startup,targets]
 *                 [--compare REV] [--accept-noise] [--keep]
 *
 * The run ends with the issue-15 targets, each with its figure and met / MISSED (output.ts).
 * `--compare REV`: the suite's stories also run from REV's tree (git archive, this node_modules),
 * alternating with this tree's and the plain port's, against the built-in site and staging: a
 * before/after (A/B) of a change in one run. `--accept-noise`: keep a run during which other jobs
 * used the CPU instead of running it again (on a machine that stays busy, repeats only add time;
 * ratios of alternating runs stay fair, absolute figures do not). A full run (no --only) leaves out `stories`.
 *
 * - suite:    `npx playwright test --grep-invert @deploy` (FT + smoke) against the built-in site,
 *             cold (a new SUPERLISTS_LOCAL_DATA: PostgreSQL runs initdb) and warm (the same folder
 *             again), WORKERS=1 and 2; wall time, Playwright's own duration (JSON report), peak
 *             memory of the whole process tree, and where the time goes (the suite's overhead next
 *             to the time the site spent answering: see bench/timing-reporter.ts). Two more warm
 *             2-worker rows, TRACE_DETAIL=full and `--trace off`, show what the traces cost a
 *             green run (the default records light traces, kept on failure).
 * - stories:  tests/functional alone, 2 workers, warm.
 * - stage3:   the stage-3 stories (@accounts) against the built-in site, and the login mail's wait.
 * - baseline: the suite's stories (`--project=staging --grep @story`) next to a plain Playwright
 *             port of them (bench/plain-port/), alternating, against one built-in site started
 *             once: the ratio of their wall times against the target of at most 0.8 x; then the
 *             stories with 1, 3 and 4 workers, once each.
 * - clone:    the first run on a fresh tree of HEAD next to the warm run after it (sections/clone.ts).
 * - deploy:   against the real server (server/), under `flock /tmp/superlists-server.lock`: up, the
 *             deploy spec next to the deploy command it runs (its wall and the test's own
 *             duration), the same command run directly over ssh, and against staging (a running
 *             site, as in the post-deploy gate; sections/staging.ts) the stories next to the plain
 *             port, the whole gate next to the stories, the stage-3 stories and the login mail's
 *             wait over IMAP, worker counts and --repeat-each 3 and 10; down (always).
 * - red:      time to a red verdict when the target is down, with preflight, with PREFLIGHT=false,
 *             and with PREFLIGHT=false INFRA_RETRIES=0 (the suite's infrastructure retries off);
 *             and when `/` answers 400 or redirects in a loop.
 * - startup:  `npx playwright --version` (the floor under every command above), and the same
 *             without npx.
 * - targets:  both real deployments of server/ side by side (second edition: nginx, PostgreSQL;
 *             third edition: one container, SQLite), under the same lock: the gate, the deploy
 *             spec alone and its redeploy outage, one run each (sections/targets.ts).
 *
 * Take figures on a quiet machine: it prints the load average first and warns above 1, and for
 * each command the share of the CPU that other jobs used meanwhile (warning above 10 %).
 * Each section is a module of bench/sections/; the shared pieces sit next to this file.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ROOT } from '../../helpers/config/paths.ts';
import { loadAverage, machine } from './machine.ts';
import { printTargets, say } from './output.ts';
import { NOISY_PERCENT } from './playwright.ts';
import { benchBaseline, printBaseline, rawBaseline } from './sections/baseline.ts';
import { benchClone, printClone, rawClone, treeOf } from './sections/clone.ts';
import { benchDeploy, printDeploy, serverPart } from './sections/deploy.ts';
import { benchRed, printRed, rawRed } from './sections/red.ts';
import { benchStage3, printStage3, rawStage3 } from './sections/stage3.ts';
import { benchStartup, printStartup, rawStartup } from './sections/startup.ts';
import { benchStories, printStories, rawStories } from './sections/stories.ts';
import { benchSuite, printSuite, rawSuite } from './sections/suite.ts';
import { benchTargets, printTargetsTable, targetsPart } from './sections/targets.ts';
import { discarded, executed, problems, state, targets } from './state.ts';
import { count, seconds } from './stats.ts';

const SECTIONS = [
  'suite',
  'stories',
  'stage3',
  'baseline',
  'clone',
  'deploy',
  'red',
  'startup',
  'targets',
] as const;
type Section = (typeof SECTIONS)[number];
/** A full run: every section but `stories` (the baseline section measures the stories too). */
const DEFAULT_SECTIONS: Section[] = SECTIONS.filter((s) => s !== 'stories');
const USAGE = `usage: npm run bench [-- --runs N | --quick] [--only ${SECTIONS.join(',')}] [--compare REV] [--accept-noise] [--keep]`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string' },
      quick: { type: 'boolean' },
      only: { type: 'string' },
      keep: { type: 'boolean' },
      compare: { type: 'string' },
      'accept-noise': { type: 'boolean' },
      'compare-dir': { type: 'string' },
      'server-part': { type: 'string' },
      'targets-part': { type: 'string' },
      work: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    say(USAGE);
    return;
  }
  const runs = values.quick ? 1 : Number(values.runs ?? 3);
  state.acceptNoise = values['accept-noise'];
  if (!Number.isInteger(runs) || runs < 1) {
    console.error(`bench: --runs ${values.runs} is not a whole number >= 1`);
    process.exit(2);
  }

  if (values['server-part']) {
    state.workDir = values.work ?? mkdtempSync(path.join(os.tmpdir(), 'superlists-bench-'));
    if (values.compare && values['compare-dir']) {
      state.compare = { rev: values.compare, dir: values['compare-dir'] };
    }
    await serverPart(values['server-part'], runs);
    return;
  }
  if (values['targets-part']) {
    state.workDir = values.work ?? mkdtempSync(path.join(os.tmpdir(), 'superlists-bench-'));
    await targetsPart(values['targets-part']);
    return;
  }

  const only = (values.only?.split(',').map((s) => s.trim()) ?? [...DEFAULT_SECTIONS]) as Section[];
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

  state.workDir = mkdtempSync(path.join(os.tmpdir(), 'superlists-bench-'));
  chmodSync(state.workDir, 0o755);
  if (values.compare) {
    const rev = values.compare;
    const dir = path.join(state.workDir, 'compare');
    try {
      treeOf(rev, dir);
    } catch {
      console.error(
        `bench: --compare ${rev}: not a commit of this repository (git archive failed)`,
      );
      process.exit(2);
    }
    state.compare = { rev, dir };
    say(`--compare ${rev}: the stories run from that commit's tree too, alternating (A/B)`);
  }
  // Interrupted: stop the running command (SIGINT: Playwright stops its browsers and the site),
  // wait for it (at most 15 s), remove the work folder and exit.
  const interrupt = (code: number) => {
    state.interrupted = true;
    const child = state.current;
    if (child?.pid) {
      try {
        process.kill(-child.pid, 'SIGINT');
      } catch {
        // already gone
      }
    }
    const deadline = Date.now() + 15_000;
    const wait = setInterval(() => {
      if (state.current && Date.now() < deadline) return;
      clearInterval(wait);
      if (!values.keep) rmSync(state.workDir, { recursive: true, force: true });
      process.exit(code);
    }, 100);
  };
  process.once('SIGINT', () => interrupt(130));
  process.once('SIGTERM', () => interrupt(143));

  const started = performance.now();
  // After an interrupt the sections return at once; the handler exits once the command stopped.
  const wanted = (section: Section) => only.includes(section) && !state.interrupted;
  const startup = wanted('startup') ? await benchStartup(runs) : undefined;
  const suite = wanted('suite') ? await benchSuite(runs) : undefined;
  const stories = wanted('stories') ? await benchStories(runs, suite?.warmDir) : [];
  const stage3 = wanted('stage3') ? await benchStage3(runs) : [];
  const baseline = wanted('baseline') ? await benchBaseline(runs) : undefined;
  const clone = wanted('clone') ? await benchClone(runs) : undefined;
  const red = wanted('red') ? await benchRed(runs, values.only !== undefined) : undefined;
  const deploy = wanted('deploy') ? await benchDeploy(runs) : undefined;
  const realTargets = wanted('targets') ? await benchTargets() : undefined;
  if (state.interrupted) return;
  const loadEnd = loadAverage();
  say();

  const medians: Record<string, unknown> = {};
  if (startup) medians.startup = printStartup(startup);
  if (suite) {
    const { medians: rows, perTest } = printSuite(suite);
    medians.suite = rows;
    medians.perTestWarm1Worker = perTest;
  }
  if (stories.length) medians.stories = printStories(stories);
  if (stage3.length) medians.stage3 = printStage3(stage3);
  if (baseline) medians.baseline = printBaseline(baseline);
  if (clone) medians.clone = printClone(clone);
  if (red) medians.red = printRed(red);
  if (deploy) medians.deploy = printDeploy(deploy);
  else if (only.includes('deploy'))
    say('Deploy and staging: not measured (the server part did not run)');
  if (realTargets) medians.targets = printTargetsTable(realTargets);
  printTargets();

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
        medians,
        targets,
        raw: {
          startup: startup && rawStartup(startup),
          suite: suite && rawSuite(suite),
          stories: rawStories(stories),
          stage3: rawStage3(stage3),
          baseline: baseline && rawBaseline(baseline),
          clone: clone && rawClone(clone),
          red: red && rawRed(red),
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
  if (values.keep) say(`kept the logs, JSON reports and data folders in ${state.workDir}`);
  else rmSync(state.workDir, { recursive: true, force: true });
  if (problems.length) {
    say(`\n${problems.length} problem(s): these figures are not trustworthy`);
    for (const problem of problems) say(`  ${problem}`);
    process.exitCode = 1;
  }
}

await main();
