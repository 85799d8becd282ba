/**
 * `npm run soak [-- --runs N] [--latency MS]`: does the suite cry wolf? Runs every test N times
 * (default 20) against a healthy reference site, then again with every response slowed by an
 * injected latency (default 300 ms, through a delaying proxy), with one retry so that a test
 * that fails and then passes shows as flaky. Prints failures and flaky counts; both must be 0.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
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

function soak(url: string, siteUrl: string, label: string): Promise<Tally> {
  const report = path.join(data, `${label}.json`);
  const started = Date.now();
  const child = spawn(
    'npx',
    [
      'playwright',
      'test',
      '--project=staging',
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
        STAGING_URL: url,
        // The redeploy of the deploy spec restarts the site behind the proxy.
        STAGING_DEPLOY: 'cmd:node --import tsx harness/reference-site/src/redeploy.ts',
        STAGING_RELEASE_PROBE: `http:${siteUrl}/__release__ json:release`,
        SUPERLISTS_LOCAL_DATA: data,
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
const site = await spawnLocalSite(ROOT, data);
const proxy = await delayingProxy(site.url, latency);
const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
let failed = false;
try {
  const results: [string, Tally][] = [
    [`healthy (${runs} runs)`, await soak(site.url.origin, site.url.origin, 'healthy')],
    [`+${latency} ms latency (${runs} runs)`, await soak(proxyUrl, site.url.origin, 'latency')],
  ];
  console.log('\nsoak:');
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
} finally {
  proxy.close();
  await site.stop();
  rmSync(data, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
