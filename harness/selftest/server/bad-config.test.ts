/**
 * Bad configuration that only a real server can show: a wrong database password or host, an
 * unknown SSH host key, a deploy command that is missing or fails, a release probe that prints
 * nothing. The services are checked by worker fixtures when a test first needs them (not by
 * preflight): the first test that needs a broken one fails with one line, every later test that
 * needs it fails at once with the same line, the run exits non-zero, and no stack trace or secret
 * reaches the output, the verdict or the run's artifacts. Needs the local server up
 * (harness/scripts/test-server.sh runs this while it is).
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stripVTControlCharacters } from 'node:util';
import AdmZip from 'adm-zip';
import dotenv from 'dotenv';
import { P } from '../../server/lib.ts';
import { playwright, ROOT, scratch, SECRET, type Run } from '../run.ts';

const envFile = path.join(ROOT, '.env.server');
if (!existsSync(envFile)) {
  console.error('selftest/server needs the local server: npm run server:up');
  process.exit(1);
}
const serverEnv = dotenv.parse(readFileSync(envFile, 'utf8'));
const setting = (name: string) => serverEnv[name] ?? '';
const databaseUrl = new URL(setting('STAGING_DATABASE_URL'));
const realPassword = decodeURIComponent(databaseUrl.password);
/** The verdict every staging run writes: these runs write it too, so the real run's is kept aside. */
const verdictFile = path.join(ROOT, 'reports', 'verdict-staging.json');

/** One run of the staging project against the server: its output, tests, verdict and artifacts. */
interface StagingRun {
  run: Run;
  /** Each test's last attempt, as Playwright's JSON reporter wrote it. */
  tests: { title: string; status: string; errors: { message: string; stack: string }[] }[];
  verdict: { counts: Record<string, number>; failed: { test: string; error: string }[] };
  /** Every file the run left (its output folder, JSON report, verdict), zip entries included. */
  artifacts: Map<string, string>;
}

let runs = 0;
/** `playwright test --project=staging ARGS` against the server with `overrides`, in its own folder. */
async function stagingRun(args: string[], overrides: Record<string, string>): Promise<StagingRun> {
  const dir = path.join(scratch, `server-run-${++runs}`);
  mkdirSync(dir, { recursive: true });
  const report = path.join(dir, 'report.json');
  const run = await playwright(
    [
      '--project=staging',
      '--workers=1',
      '--reporter=line,json',
      `--output=${path.join(dir, 'test-results')}`,
      ...args,
    ],
    { ENV_FILE: envFile, PLAYWRIGHT_JSON_OUTPUT_FILE: report, ...overrides },
  );
  assert.ok(existsSync(report), `no JSON report: the run did not get to the tests:\n${run.output}`);
  writeFileSync(path.join(dir, 'verdict-staging.json'), readFileSync(verdictFile));
  const artifacts = new Map<string, string>();
  for (const file of filesUnder(dir)) {
    if (file.endsWith('.zip')) {
      for (const entry of new AdmZip(file).getEntries())
        artifacts.set(`${file}:${entry.entryName}`, entry.getData().toString('latin1'));
    } else artifacts.set(file, readFileSync(file).toString('latin1'));
  }
  return {
    run,
    tests: testsOf(JSON.parse(readFileSync(report, 'utf8')) as JsonSuite),
    verdict: JSON.parse(readFileSync(verdictFile, 'utf8')) as StagingRun['verdict'],
    artifacts,
  };
}

function* filesUnder(dir: string): Generator<string> {
  for (const entry of readdirSync(dir)) {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) yield* filesUnder(full);
    else yield full;
  }
}

interface JsonSuite {
  suites?: JsonSuite[];
  specs?: {
    title: string;
    tests: {
      results: { status: string; errors: { message?: string; stack?: string }[] }[];
    }[];
  }[];
}
function testsOf(suite: JsonSuite): StagingRun['tests'] {
  const own = (suite.specs ?? []).flatMap((spec) =>
    spec.tests.map((test) => {
      const last = test.results.at(-1);
      return {
        title: spec.title,
        status: last?.status ?? 'not run',
        errors: (last?.errors ?? []).map((error) => ({
          message: stripVTControlCharacters(error.message ?? ''),
          stack: stripVTControlCharacters(error.stack ?? ''),
        })),
      };
    }),
  );
  return [...own, ...(suite.suites ?? []).flatMap(testsOf)];
}

/**
 * The contract for a broken service: the run exits non-zero; each of the `count` tests that need
 * it failed with one error, the same single line `ServiceUnavailable: <pattern>` (no stack); the
 * line is in the output, with no stack trace; the verdict counts each failure with that line; no
 * secret is in the output, the verdict or any artifact. Returns the line.
 */
function assertFailsWithOneLine(
  { run, tests, verdict, artifacts }: StagingRun,
  count: number,
  pattern: RegExp,
  secrets: string[],
): string {
  assert.notEqual(run.code, 0, `expected a non-zero exit, output:\n${run.output}`);
  assert.equal(tests.length, count, `expected ${count} tests, output:\n${run.output}`);
  const first = tests[0]?.errors[0]?.message ?? '';
  assert.match(first, /^ServiceUnavailable: [^\n]+$/, `not one line:\n${first}`);
  assert.match(first, pattern);
  for (const test of tests) {
    assert.equal(test.status, 'failed', `${test.title}: ${test.status}\n${run.output}`);
    assert.deepEqual(
      test.errors.map((error) => error.message),
      [first],
      `${test.title} did not fail with the first test's line alone`,
    );
    for (const error of test.errors)
      assert.doesNotMatch(error.stack, /\n\s+at /, `${test.title}: a stack trace in the error`);
  }
  const line = first.replace(/^ServiceUnavailable: /, '');
  assert.ok(run.output.includes(line), `the line is not in the output:\n${run.output}`);
  assert.doesNotMatch(run.output, /^\s+at .+:\d+:\d+\)?$/m, 'a stack trace leaked');
  assert.equal(verdict.counts.failed, count, JSON.stringify(verdict));
  for (const failed of verdict.failed) assert.ok(failed.error.includes(line), failed.error);
  for (const secret of secrets) {
    assert.ok(!run.output.includes(secret), 'a secret leaked into the output');
    for (const [where, text] of artifacts)
      assert.ok(!text.includes(secret), `a secret leaked into ${where}`);
  }
  return first;
}

/** The database URL with `change` applied (never printed: it holds a password). */
function databaseUrlWith(change: (url: URL) => void): string {
  const url = new URL(databaseUrl);
  change(url);
  return url.href;
}

/** How many failed password logins for `user` the server's PostgreSQL has logged so far. */
function failedLogins(user: string): number {
  const log = readFileSync(P.pgLog, 'utf8');
  return log
    .split('\n')
    .filter((l) => l.includes(`password authentication failed for user "${user}"`)).length;
}

// One case at a time: every staging run writes reports/verdict-staging.json, which each case reads.
describe('bad configuration against the real server', { concurrency: 1 }, () => {
  let realVerdict: Buffer | undefined;
  before(() => {
    if (existsSync(verdictFile)) realVerdict = readFileSync(verdictFile);
  });
  after(() => {
    if (realVerdict) writeFileSync(verdictFile, realVerdict);
  });

  it('a wrong database password: the first redeploy fails with one line, the later ones at once', async () => {
    const user = decodeURIComponent(databaseUrl.username);
    const loginsBefore = failedLogins(user);
    const run = await stagingRun(['tests/deploy/redeploy.spec.ts', '--repeat-each=3'], {
      STAGING_DATABASE_URL: databaseUrlWith((url) => (url.password = SECRET)),
    });
    assertFailsWithOneLine(
      run,
      3,
      /^ServiceUnavailable: staging database \(STAGING_DATABASE_URL\): password authentication failed \(check the password\)$/,
      [SECRET, realPassword],
    );
    // Checked once for the run: the later tests (in fresh workers) never asked the database again.
    assert.equal(failedLogins(user) - loginsBefore, 1, 'the database was asked more than once');
  });

  it('a wrong database host', async () => {
    const run = await stagingRun(['tests/deploy/redeploy.spec.ts', '--repeat-each=3'], {
      STAGING_DATABASE_URL: databaseUrlWith((url) => (url.port = '1')),
    });
    assertFailsWithOneLine(
      run,
      3,
      /^ServiceUnavailable: staging database \(STAGING_DATABASE_URL\): connection refused$/,
      [realPassword],
    );
  });

  it('an unknown SSH host key fails the redeploy and every server check with the same line', async () => {
    const run = await stagingRun(['tests/deploy/redeploy.spec.ts', 'tests/server'], {
      STAGING_SSH_HOST_KEY: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    });
    const serverChecks = (
      JSON.parse(
        readFileSync(path.resolve(ROOT, setting('STAGING_SERVER_CHECKS')), 'utf8'),
      ) as unknown[]
    ).length;
    assertFailsWithOneLine(
      run,
      1 + serverChecks,
      /host key SHA256:\S+ does not match the pinned SHA256:A+: refusing/,
      [realPassword],
    );
  });

  it('a deploy command that is not found', async () => {
    const run = await stagingRun(['tests/deploy/redeploy.spec.ts', '--repeat-each=2'], {
      STAGING_DEPLOY: 'ssh:/opt/nowhere/deploy staging HEAD',
    });
    assertFailsWithOneLine(
      run,
      2,
      /^ServiceUnavailable: STAGING_DEPLOY: command not found on \S+: \/opt\/nowhere\/deploy$/,
      [realPassword],
    );
  });

  it('a release probe that prints nothing', async () => {
    const run = await stagingRun(['tests/deploy/redeploy.spec.ts', '--repeat-each=2'], {
      STAGING_RELEASE_PROBE: 'ssh:true',
    });
    assertFailsWithOneLine(
      run,
      2,
      /^ServiceUnavailable: STAGING_RELEASE_PROBE \(true\) printed nothing/,
      [realPassword],
    );
  });

  it('a deploy command that fails fails the deploy spec, quoting the command and its exit', async () => {
    const { run } = await stagingRun(['tests/deploy/redeploy.spec.ts'], {
      STAGING_DEPLOY: `ssh:${deployScript()} staging no-such-ref`,
    });
    assert.equal(run.code, 1, run.output);
    assert.match(
      run.output,
      // Its own failure line first, then the command and its exit.
      /the deploy command failed: deploy FAILED: staging no-such-ref at step 'resolve ref'.*\n\s+\$ \S+ staging no-such-ref\s+exit [1-9]/,
    );
    assert.ok(!run.output.includes(realPassword), 'a secret leaked');
  });
});

/** The server's deploy script, as .env.server names it. */
function deployScript(): string {
  return setting('STAGING_DEPLOY').replace(/^ssh:/, '').split(/\s+/)[0]!;
}
