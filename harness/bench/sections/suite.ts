/**
 * The suite section: `npx playwright test --grep-invert @deploy` (FT + smoke) against the built-in
 * site, cold and warm, 1 and 2 workers, and two warm 2-worker rows that show what the traces cost.
 * Only the warm 2-worker row runs every round (`--runs`); the others once, in the first round.
 */
import { baseEnv } from '../exec.ts';
import { say, slim, table } from '../output.ts';
import { expectGreen, freshDataDir, measured, type PwRun } from '../playwright.ts';
import { state, targets } from '../state.ts';

/** The README's figure before issue 15: FT + smoke, 2 workers, site included (quiet run). */
const SUITE_PEAK_BEFORE_MB = 1900;
import { count, med, median, seconds } from '../stats.ts';

/** One configuration of the FT + smoke runs, and its runs. */
export interface SuiteFigures {
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

/** The suite's runs; `warmDir` is a data folder the site has run from (for the stories). */
export interface SuiteResult {
  configs: SuiteFigures[];
  warmDir: string;
}

/** Runs every configuration `runs` rounds, interleaved. */
export async function benchSuite(runs: number): Promise<SuiteResult> {
  say('FT + smoke against the built-in site (npx playwright test --grep-invert @deploy)');
  const configs = suiteConfigs();
  let warmDir = '';
  // Interleaved, so that a drift in the machine's load spreads over every configuration. Each
  // worker count gets a new data folder: its first run is cold (initdb), the next ones warm. Only
  // the warm 2-worker row (the one the targets use) runs every round; the others run in the first.
  const dirs = new Map<number, string>();
  for (let r = 1; r <= runs && !state.interrupted; r++) {
    for (const workers of [1, 2]) {
      for (const figures of configs.filter((c) => c.workers === workers)) {
        if (r > 1 && !(figures.warm && workers === 2 && !figures.env && !figures.extra.length)) {
          continue;
        }
        const name = figures.config.replace(/[^a-z0-9]+/g, '-').replace(/-$/, '');
        const run = await measured(
          `suite-${name}-${r}`,
          ['--grep-invert', '@deploy', ...figures.extra],
          () => {
            if (!figures.warm) dirs.set(workers, freshDataDir()); // cold: a new folder each attempt
            return {
              ...baseEnv(),
              ...figures.env,
              WORKERS: String(workers),
              SUPERLISTS_LOCAL_DATA: dirs.get(workers),
            };
          },
          { site: true },
        );
        expectGreen(run);
        figures.runs.push(run);
      }
      warmDir = dirs.get(workers) ?? warmDir;
    }
  }
  return { configs, warmDir };
}

/** Prints the suite's tables; returns its medians (and the per-test figures) for reports/bench.json. */
export function printSuite(suite: SuiteResult) {
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
  const peakRun = [...warm2.runs].sort((a, b) => (a.memory?.peakMb ?? 0) - (b.memory?.peakMb ?? 0))[
    Math.floor(warm2.runs.length / 2)
  ];
  if (peakRun?.memory) {
    const m = peakRun.memory.atPeakMb;
    say(
      `Peak memory, warm, 2 workers (median run): ${peakRun.memory.peakMb} MB summed RSS = runner ${m.runner} + workers ${m.worker} + browsers ${m.browser} + site and PostgreSQL ${m.site} MB`,
    );
    targets.push({
      what: 'peak memory, FT + smoke with 2 workers (site included)',
      figure: `${peakRun.memory.peakMb} MB (runner ${m.runner}, workers ${m.worker}, browsers ${m.browser}, site ${m.site})`,
      limit: `<= ${SUITE_PEAK_BEFORE_MB} MB (README before)`,
      met: peakRun.memory.peakMb <= SUITE_PEAK_BEFORE_MB,
    });
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
    ['phases of the wall time', 'start -> site ready', '-> first test', 'tests', 'after last test'],
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
  const medians = suite.configs.map((c) => ({
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
  return { medians, perTest };
}

/** The suite's runs for reports/bench.json. */
export function rawSuite(suite: SuiteResult) {
  return suite.configs.map((c) => ({ config: c.config, runs: c.runs.map(slim) }));
}
