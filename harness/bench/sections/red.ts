/**
 * The red section: time to a red verdict when the target is down, with preflight, with
 * PREFLIGHT=false, and with PREFLIGHT=false INFRA_RETRIES=0 (the infrastructure retries off).
 */
import { baseEnv } from '../exec.ts';
import { say, slim, table } from '../output.ts';
import { longestTestMs, measured, type PwRun } from '../playwright.ts';
import { problems, state } from '../state.ts';
import { count, med, median } from '../stats.ts';

/** The ways the red-verdict runs are made: the default, and with the suite's safety nets off. */
const RED_VARIANTS = [
  { name: 'preflight', label: 'preflight on (default)', env: {} },
  { name: 'no-preflight', label: 'PREFLIGHT=false', env: { PREFLIGHT: 'false' } },
  {
    // The suite retries a refused connection (INFRA_RETRIES, default 2): this row shows what
    // those retries cost when the target is really down.
    name: 'no-preflight-no-retries',
    label: 'PREFLIGHT=false INFRA_RETRIES=0',
    env: { PREFLIGHT: 'false', INFRA_RETRIES: '0' },
  },
] as const;

/** The red-verdict runs, by variant. */
export type RedFigures = Record<(typeof RED_VARIANTS)[number]['name'], PwRun[]>;

/** Runs every variant against a target that is down, `runs` rounds, interleaved. */
export async function benchRed(runs: number): Promise<RedFigures> {
  say(
    'Red verdict, target down (STAGING_URL=http://127.0.0.1:9 npx playwright test --project=staging)',
  );
  const figures: RedFigures = {
    preflight: [],
    'no-preflight': [],
    'no-preflight-no-retries': [],
  };
  for (let r = 1; r <= runs && !state.interrupted; r++) {
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

/** Prints the red-verdict table; returns its medians for reports/bench.json. */
export function printRed(red: RedFigures) {
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
  return Object.fromEntries(
    RED_VARIANTS.map((variant) => [
      variant.name,
      {
        wallMs: median(red[variant.name].map((r) => r.wallMs)),
        longestTestMs: median(red[variant.name].map(longestTestMs)),
      },
    ]),
  );
}

/** The red-verdict runs for reports/bench.json. */
export function rawRed(red: RedFigures) {
  return Object.fromEntries(Object.entries(red).map(([name, r]) => [name, r.map(slim)]));
}
