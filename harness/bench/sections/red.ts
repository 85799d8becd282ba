/**
 * The red section: time to a red verdict when the target is down, with preflight, with
 * PREFLIGHT=false, and with PREFLIGHT=false INFRA_RETRIES=0 (the infrastructure retries off); and
 * when the target is up but its `/` is broken: every request answered 400 (nginx dropping the
 * Host header, ALLOWED_HOSTS wrong) or `/` redirecting in a loop (an https redirect behind a proxy
 * that does not pass the scheme on). The broken targets are small servers this section starts.
 * The safety-nets-off rows (no target; 20-70 s each) run only when the red section is asked for by
 * name (`--only red`), in the first round.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { baseEnv } from '../exec.ts';
import { say, slim, table } from '../output.ts';
import { longestTestMs, measured, type PwRun } from '../playwright.ts';
import { problems, state, targets } from '../state.ts';
import { count, med, median, seconds } from '../stats.ts';

/** The target: red within this long, for a down target and for a broken `/`. */
const RED_TARGET_MS = 3_000;

/** The ways the red-verdict runs are made: the default, and with the suite's safety nets off. */
const RED_VARIANTS = [
  { name: 'preflight', label: 'preflight on (default)', env: {}, every: true },
  {
    name: 'answers-400',
    label: '/ answers 400 (preflight on)',
    env: {},
    every: true,
    broken: 'answers-400',
  },
  {
    name: 'redirect-loop',
    label: '/ redirects in a loop (preflight on)',
    env: {},
    every: true,
    broken: 'redirect-loop',
  },
  { name: 'no-preflight', label: 'PREFLIGHT=false', env: { PREFLIGHT: 'false' }, every: false },
  {
    // The suite retries a refused connection (INFRA_RETRIES, default 2): this row shows what
    // those retries cost when the target is really down.
    name: 'no-preflight-no-retries',
    label: 'PREFLIGHT=false INFRA_RETRIES=0',
    env: { PREFLIGHT: 'false', INFRA_RETRIES: '0' },
    every: false,
  },
] as const;

/** A target that is up but broken on `/`: every answer 400, or `/` -> `/login` -> `/`. */
async function brokenTarget(kind: 'answers-400' | 'redirect-loop'): Promise<http.Server> {
  const server = http.createServer((request, response) => {
    if (kind === 'answers-400') {
      response.writeHead(400, { 'content-type': 'text/html' }).end('<h1>Bad Request (400)</h1>');
      return;
    }
    const next = request.url === '/' ? '/login' : '/';
    response.writeHead(302, { location: next }).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

/** The red-verdict runs, by variant. */
export type RedFigures = Record<(typeof RED_VARIANTS)[number]['name'], PwRun[]>;

/** Runs every variant against a target that is down, `runs` rounds, interleaved. */
export async function benchRed(runs: number, safetyNetsOff: boolean): Promise<RedFigures> {
  say(
    'Red verdict, target down (STAGING_URL=http://127.0.0.1:9 npx playwright test --project=staging)',
  );
  const figures: RedFigures = {
    preflight: [],
    'answers-400': [],
    'redirect-loop': [],
    'no-preflight': [],
    'no-preflight-no-retries': [],
  };
  const broken = {
    'answers-400': await brokenTarget('answers-400'),
    'redirect-loop': await brokenTarget('redirect-loop'),
  };
  const urlOf = (server: http.Server) =>
    `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    for (let r = 1; r <= runs && !state.interrupted; r++) {
      for (const variant of RED_VARIANTS) {
        if (!variant.every && (r > 1 || !safetyNetsOff)) continue;
        const url = 'broken' in variant ? urlOf(broken[variant.broken]) : 'http://127.0.0.1:9';
        const run = await measured(`red-${variant.name}-${r}`, ['--project=staging'], () => ({
          ...baseEnv(),
          STAGING_URL: url,
          ...variant.env,
        }));
        if (run.code === 0) problems.push(`${run.label}: exit 0 against a broken target`);
        figures[variant.name].push(run);
      }
    }
  } finally {
    for (const server of Object.values(broken)) server.close();
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
    ...RED_VARIANTS.filter((variant) => red[variant.name].length).map((variant) =>
      redRow(variant.label, red[variant.name]),
    ),
  ]);
  say();
  for (const variant of RED_VARIANTS.filter((v) => v.every)) {
    const runs = red[variant.name];
    const ms = median(runs.map((r) => r.wallMs));
    const allRed = runs.length > 0 && runs.every((r) => r.code !== 0);
    targets.push({
      what: `time to red: ${variant.name === 'preflight' ? 'target down' : variant.label.replace(' (preflight on)', '')}`,
      figure: Number.isFinite(ms)
        ? `${seconds(ms)} s${allRed ? '' : ' (NOT red)'}`
        : 'not measured',
      limit: `<= ${seconds(RED_TARGET_MS)} s`,
      met: Number.isFinite(ms) ? allRed && ms <= RED_TARGET_MS : undefined,
    });
  }
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
