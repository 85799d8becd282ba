/**
 * The verdict (reporters/verdict.ts, verdict-hook.ts, verdict-plugin.ts): never green for nothing,
 * and counting what Playwright counts. Unit cases judge the rule on made-up outcomes; end-to-end
 * cases run the suite as a person does and read reports/verdict-<project>.json.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { unconfiguredTarget } from '../../helpers/config/index.ts';
import { summaryLine } from '../../reporters/verdict-plugin.ts';
import { aggregateVerdict, type TestOutcome, type Verdict } from '../../reporters/verdict.ts';
import { playwright, readVerdict } from './run.ts';

const production = { ...unconfiguredTarget('production'), readOnly: true };

function outcome(over: Partial<TestOutcome>): TestOutcome {
  return {
    project: 'production',
    title: `a.spec.ts › test ${Math.random()}`,
    outcome: 'expected',
    status: 'passed',
    error: '',
    attempts: [[]],
    annotations: [],
    ...over,
  };
}

const passed = outcome({});
const refused = outcome({
  outcome: 'skipped',
  status: 'skipped',
  attempts: [
    [
      { type: 'refused', description: 'POST /lists/new would write to production' },
      { type: 'skip', description: 'refused: POST /lists/new would write to production' },
    ],
  ],
});
const notApplicable = outcome({
  outcome: 'skipped',
  status: 'skipped',
  attempts: [
    [{ type: 'skip', description: 'not applicable: the target is not required to serve https' }],
  ],
});

function verdictOf(tests: TestOutcome[], interrupted = false): Verdict {
  return aggregateVerdict({
    runId: 'run-1',
    startedAt: new Date(0),
    endedAt: new Date(1000),
    targets: [production],
    releasesAtStart: new Map(),
    tests,
    interrupted,
  });
}

describe('the verdict rule', () => {
  it('no test at all is a failed verdict that says no test matched', () => {
    const verdict = verdictOf([]);
    assert.equal(verdict.status, 'failed');
    assert.match(verdict.problem ?? '', /no test matched/);
  });

  it('a run where every test was refused or not applicable is not green', () => {
    const verdict = verdictOf([refused, notApplicable]);
    assert.equal(verdict.status, 'failed');
    assert.match(verdict.problem ?? '', /no test ran/);
  });

  it('one test that passed beside refusals is green; the counts name each kind', () => {
    const verdict = verdictOf([passed, refused, notApplicable]);
    assert.equal(verdict.status, 'passed');
    assert.deepEqual(
      { ...verdict.counts },
      {
        total: 3,
        passed: 1,
        failed: 0,
        flaky: 0,
        interrupted: 0,
        skipped: 2,
        didNotRun: 0,
        refused: 1,
        notApplicable: 1,
      },
    );
  });

  it('the summary line says refused, and why', () => {
    const line = summaryLine(verdictOf([passed, refused, notApplicable]));
    assert.equal(
      line,
      'superlists-live-tests: verdict passed (1 passed, 0 failed, 1 refused (production is read-only), 1 not applicable)',
    );
  });

  it('a failure is failed; an interrupted run is interrupted, not a product failure', () => {
    assert.equal(
      verdictOf([passed, outcome({ outcome: 'unexpected', status: 'failed' })]).status,
      'failed',
    );
    const stopped = verdictOf(
      [passed, outcome({ outcome: 'skipped', status: 'interrupted' })],
      true,
    );
    assert.equal(stopped.status, 'interrupted');
    assert.equal(stopped.counts.interrupted, 1);
    assert.equal(stopped.counts.failed, 0);
  });

  it('a failure Playwright was told to expect (test.fail(), faultRun) is still failed', () => {
    const verdict = verdictOf([passed, outcome({ outcome: 'expected', status: 'failed' })]);
    assert.equal(verdict.status, 'failed');
    assert.deepEqual([verdict.counts.passed, verdict.counts.failed], [1, 1]);
    assert.equal(
      verdictOf([passed, outcome({ outcome: 'expected', status: 'timedOut' })]).status,
      'failed',
    );
  });
});

describe('the verdict, end to end', { concurrency: 1 }, () => {
  it('--grep @nothing: failed verdict, non-zero exit, one line saying no test matched', async () => {
    const runId = `verdict-none-${process.pid}`;
    const run = await playwright(['--project=staging', '--grep', '@nothing'], {
      STAGING_URL: 'http://127.0.0.1:9',
      PREFLIGHT: 'false',
      SUPERLISTS_RUN_ID: runId,
    });
    assert.notEqual(run.code, 0, run.output);
    const verdict = readVerdict('staging', runId);
    assert.equal(verdict.status, 'failed');
    assert.equal(verdict.counts.total, 0);
    const lines = run.output.split('\n').filter((line) => /no test matched/.test(line));
    assert.equal(lines.length, 1, run.output);
  });

  it('--reporter=line: the describe-level skips are counted as Playwright counts them; all skipped is red', async () => {
    const runId = `verdict-https-${process.pid}`;
    const run = await playwright(['tests/smoke/https.spec.ts', '--reporter=line'], {
      SUPERLISTS_RUN_ID: runId,
    });
    const console = /^\s+(\d+) skipped$/m.exec(run.output);
    assert.ok(console, run.output);
    const verdict = readVerdict('local', runId);
    assert.equal(verdict.counts.total, Number(console[1]), JSON.stringify(verdict.counts));
    assert.equal(verdict.counts.notApplicable, Number(console[1]));
    assert.equal(verdict.status, 'failed');
    assert.notEqual(run.code, 0, run.output);
    assert.match(
      run.output,
      /^superlists-live-tests: verdict failed: no test ran.*\d+ not applicable\)$/m,
    );
  });
});
