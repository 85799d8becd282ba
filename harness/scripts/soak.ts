/**
 * `npm run soak [-- --runs N] [--latency MS] [--cpu-hogs N] [--built-in] [FILES...]`: does the
 * suite cry wolf? Runs every test (or FILES) N times (default 20) against a healthy reference
 * site, then again with every response slowed by an injected latency (default 300 ms, through a
 * delaying proxy), with one retry so that a test that fails and then passes shows as flaky.
 * `--cpu-hogs N` keeps N busy loops running beside it (CPU contention, as on a shared CI runner);
 * `--built-in` runs the default project instead (the built-in site, stage 3 on) and skips the
 * latency pass. Prints failures, flaky counts and the load average; failures and flaky must be 0.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { ROOT } from '../../helpers/config/paths.ts';
import { forward } from './forward.ts';
import { spawnLocalSite } from '../reference-site/src/spawn-local.ts';

const argv = process.argv.slice(2);
const option = (name: string, fallback: number) => {
  const index = argv.indexOf(`--${name}`);
  const value = index >= 0 ? Number(argv[index + 1]) : fallback;
  if (!Number.isInteger(value) || value < 0) {
    console.error(`soak: --${name} takes a whole number`);
    process.exit(2);
  }
  return value;
};
const runs = option('runs', 20);
const latency = option('latency', 300);
const cpuHogs = option('cpu-hogs', 0);
const builtIn = argv.includes('--built-in');
// What is left once the options and their values are taken out: the test files to soak.
const files = argv.filter(
  (arg, i) =>
    !arg.startsWith('--') && !['--runs', '--latency', '--cpu-hogs'].includes(argv[i - 1]!),
);
const data = mkdtempSync(path.join(tmpdir(), 'superlists-soak-'));

/** A proxy that forwards every request to `target` and holds each answer back `ms` milliseconds. */
function delayingProxy(target: URL, ms: number): Promise<http.Server> {
  const server = http.createServer((request, response) => {
    forward(target, request, response, { holdMs: ms });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

interface Tally {
  label: string;
  expected: number;
  unexpected: number;
  flaky: number;
  seconds: number;
}

/** `count` busy loops (each keeps one core busy) and the load average sampled while they run. */
function cpuContention(count: number) {
  const hogs: ChildProcess[] = Array.from({ length: count }, () =>
    spawn(process.execPath, ['-e', 'for(;;){}'], { stdio: 'ignore' }),
  );
  const samples: number[] = [];
  const sampler = setInterval(() => samples.push(loadavg()[0]!), 5000);
  return {
    stop() {
      clearInterval(sampler);
      for (const hog of hogs) hog.kill('SIGKILL');
      const mean = samples.reduce((sum, x) => sum + x, 0) / Math.max(samples.length, 1);
      return `load average (1 min) mean ${mean.toFixed(1)}, max ${Math.max(0, ...samples).toFixed(1)}, ${count} busy loops`;
    },
  };
}

function soak(target: { url: string; siteUrl: string } | undefined, label: string): Promise<Tally> {
  const report = path.join(data, `${label}.json`);
  const started = Date.now();
  const staging = target
    ? {
        STAGING_URL: target.url,
        // The redeploy of the deploy spec restarts the site behind the proxy.
        STAGING_DEPLOY: 'cmd:node --import tsx harness/reference-site/src/redeploy.ts',
        STAGING_RELEASE_PROBE: `http:${target.siteUrl}/__release__ json:release`,
        SUPERLISTS_LOCAL_DATA: data,
      }
    : {};
  const child = spawn(
    'npx',
    [
      'playwright',
      'test',
      ...files,
      ...(target ? ['--project=staging'] : []),
      `--repeat-each=${runs}`,
      '--retries=1',
      '--reporter=dot,json',
      // Its own output folder, kept for reading: another run in this checkout empties test-results.
      `--output=${path.join(ROOT, 'reports', 'soak', label)}`,
    ],
    {
      cwd: ROOT,
      stdio: ['ignore', 'inherit', 'inherit'],
      env: {
        ...process.env,
        ENV_FILE: path.join(data, 'none.env'),
        ...staging,
        PLAYWRIGHT_JSON_OUTPUT_FILE: report,
      },
    },
  );
  return new Promise((resolve) =>
    child.on('close', () => {
      const stats = (
        JSON.parse(readFileSync(report, 'utf8')) as { stats: Omit<Tally, 'seconds' | 'label'> }
      ).stats;
      resolve({ ...stats, label, seconds: (Date.now() - started) / 1000 });
    }),
  );
}

writeFileSync(path.join(data, 'none.env'), '');
const site = builtIn ? undefined : await spawnLocalSite(ROOT, data);
const proxy = site && (await delayingProxy(site.url, latency));
const proxyUrl = proxy && `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
const contention = cpuContention(cpuHogs);
let failed = false;
try {
  const origin = site?.url.origin ?? '';
  const results: [string, Tally][] = site
    ? [
        [`healthy (${runs} runs)`, await soak({ url: origin, siteUrl: origin }, 'healthy')],
        [
          `+${latency} ms latency (${runs} runs)`,
          await soak({ url: proxyUrl!, siteUrl: origin }, 'latency'),
        ],
      ]
    : [
        [
          `built-in site (${runs} runs)`,
          // Its own output folder per browser: two soaks side by side do not empty each other's.
          await soak(
            undefined,
            `built-in-${path.basename(process.env.BROWSER_PATH ?? 'headless')}`,
          ),
        ],
      ];
  console.log(`\nsoak (${process.env.BROWSER_PATH ?? "Playwright's headless shell"}):`);
  for (const [label, tally] of results) {
    console.log(
      `  ${label.padEnd(28)} ${tally.expected} passed, ${tally.unexpected} failed, ${tally.flaky} flaky (${tally.seconds.toFixed(0)} s)`,
    );
    if (tally.unexpected > 0 || tally.flaky > 0) {
      console.log(
        `    screenshots and traces of each failed attempt: reports/soak/${tally.label}/`,
      );
      failed = true;
    }
  }
  console.log(`  ${contention.stop()}`);
} finally {
  contention.stop();
  proxy?.close();
  await site?.stop();
  rmSync(data, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
