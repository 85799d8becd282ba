/**
 * Infrastructure hiccups on a remote target are retried, and only they: a story runs through a
 * proxy that answers the browser's first GET of the home page, of the stylesheet and of the list
 * page a form post redirects to with 503 or 502 (as a load balancer does while an app restarts),
 * and resets the connection of its first GET of the script. With retries (INFRA_RETRIES, default 2)
 * the story passes, each retry listed as an `infrastructure retry`, and no form post reached the
 * site twice; with INFRA_RETRIES=0 the same story fails on the hiccup.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, it } from 'node:test';
import type { JSONReport, JSONReportSuite, JSONReportTest } from '@playwright/test/reporter';
import { forward } from '../scripts/forward.ts';
import { type SpawnedSite, spawnLocalSite } from '../reference-site/src/spawn-local.ts';
import { ROOT, playwright, scratch } from './run.ts';

/** What the proxy did: hiccups it answered, and every form post it passed on. */
const seen = { hiccups: [] as string[], posts: [] as string[] };
/** The paths that hiccupped already (each does once a story). */
const once = new Set<string>();
const data = mkdtempSync(path.join(tmpdir(), 'superlists-hiccups-'));
let site: SpawnedSite;
let proxy: http.Server;
let proxyUrl: string;

/** Which first GETs from the browser hiccup, and how. */
function hiccupFor(pathname: string): number | 'reset' | undefined {
  if (pathname === '/') return 503;
  if (pathname.endsWith('/bootstrap.min.css')) return 503;
  if (pathname.endsWith('/lists.js')) return 'reset';
  if (/^\/lists\/\d+\/$/.test(pathname)) return 502;
  return undefined;
}

/** Forwards to the site; the browser's (not the suite's API client's) first GET of each path may hiccup. */
function startProxy(target: URL): Promise<http.Server> {
  const server = http.createServer((request, response) => {
    const pathname = new URL(request.url ?? '/', 'http://proxy').pathname;
    const fromBrowser = /Chrome\//.test(request.headers['user-agent'] ?? '');
    const hiccup = request.method === 'GET' && fromBrowser ? hiccupFor(pathname) : undefined;
    const key = /^\/lists\/\d+\/$/.test(pathname) ? 'list page' : pathname;
    if (hiccup !== undefined && !once.has(key)) {
      once.add(key);
      seen.hiccups.push(`${hiccup} ${pathname}`);
      if (hiccup === 'reset') return request.socket.destroy();
      return response
        .writeHead(hiccup, { 'content-type': 'text/html' })
        .end('<h1>Bad gateway</h1>');
    }
    const body: Buffer[] = [];
    request.on('data', (chunk: Buffer) => body.push(chunk));
    request.on('end', () => {
      if (request.method === 'POST')
        seen.posts.push(`${pathname} ${Buffer.concat(body).toString()}`);
      forward(target, request, response, { body: Buffer.concat(body) });
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function testsOf(suites: JSONReportSuite[]): JSONReportTest[] {
  return suites.flatMap((s) => [
    ...s.specs.flatMap((spec) => spec.tests),
    ...testsOf(s.suites ?? []),
  ]);
}

/** Runs the new visitor's story against the proxy as staging. */
async function story(label: string, env: Record<string, string> = {}) {
  const report = path.join(scratch, `hiccups-${label}.json`);
  seen.hiccups = [];
  seen.posts = [];
  once.clear();
  const run = await playwright(
    [
      '--project=staging',
      '--reporter=json',
      '--workers=1',
      'tests/functional/new-visitor.spec.ts',
      '--grep',
      'find it again later',
      `--output=${path.join(scratch, `results-${label}`)}`,
    ],
    { STAGING_URL: proxyUrl, PLAYWRIGHT_JSON_OUTPUT_FILE: report, ...env },
  );
  const tests = testsOf((JSON.parse(readFileSync(report, 'utf8')) as JSONReport).suites);
  return { run, tests };
}

before(async () => {
  site = await spawnLocalSite(ROOT, data);
  proxy = await startProxy(site.url);
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});

after(async () => {
  proxy.close();
  await site.stop();
});

it('a story passes through 503s, a 502 and a reset, each retry listed, no post sent twice', async () => {
  const { run, tests } = await story('retried');
  assert.equal(run.code, 0, run.output);
  assert.equal(tests.length, 1);
  const annotations = tests[0]!.results.flatMap((r) => r.annotations ?? []);
  const retries = annotations.filter((a) => a.type === 'infrastructure retry');
  // The home page, the stylesheet and the list page each hiccupped once and were retried.
  for (const hiccup of ['503 /', '503 /static/bootstrap/css/bootstrap.min.css']) {
    assert.ok(
      seen.hiccups.includes(hiccup),
      `the proxy never answered ${hiccup}: ${seen.hiccups.join(', ')}`,
    );
  }
  assert.ok(
    seen.hiccups.some((h) => /^502 \/lists\/\d+\/$/.test(h)),
    `the list page never hiccupped: ${seen.hiccups.join(', ')}`,
  );
  assert.ok(retries.length >= 3, `expected 3 or more retries, got ${JSON.stringify(retries)}`);
  assert.ok(
    retries.some((r) => /503/.test(r.description ?? '')) &&
      retries.some((r) => /502/.test(r.description ?? '')),
    JSON.stringify(retries),
  );
  assert.equal(
    new Set(seen.posts).size,
    seen.posts.length,
    `a post was sent twice: ${seen.posts.join(', ')}`,
  );
  assert.ok(seen.posts.length >= 2, `the story made ${seen.posts.length} posts`);
});

it('with INFRA_RETRIES=0 the same hiccups fail the story', async () => {
  const { run, tests } = await story('not-retried', {
    INFRA_RETRIES: '0',
    EXPECT_TIMEOUT_MS: '2000',
  });
  assert.equal(run.code, 1, run.output);
  assert.equal(tests[0]?.status, 'unexpected');
  const errors = JSON.stringify(tests[0]?.results.flatMap((r) => r.errors)).replace(
    // eslint-disable-next-line no-control-regex
    /\x1b\[[0-9;]*m/g,
    '',
  );
  assert.match(errors, /503|502|Bad gateway/, errors);
});
