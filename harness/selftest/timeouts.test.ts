/**
 * Test budgets and the message a timeout gets (issue 24, item 9). TEST_TIMEOUTS and
 * <TARGET>_LOGIN_LINKS are read as the schema says (unit tests of loadSettings); and a real story
 * that runs out of its budget (the login story against a site that sends no mail, with a budget
 * shorter than the mail wait) fails naming the spec's step that was running, the action pending
 * in it and how long the earlier steps took, on the console and in the verdict, where Playwright
 * alone says "Test timeout of 20000ms exceeded." and nothing else.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, DEFAULT_TEST_TIMEOUTS, loadSettings } from '../../helpers/config/index.ts';
import { playwright, readVerdict } from './run.ts';

const BASE = { SUPERLISTS_RUN_ID: 'run-1', SUPERLISTS_LOCAL_PORT: '4000' };
const LOCAL = ['node', 'playwright', 'test'];
const io = { mode: () => undefined, exists: () => false, readText: () => '' };
const read = (env: Record<string, string>) => loadSettings({ ...BASE, ...env }, LOCAL, io);

function lineFor(env: Record<string, string>): string {
  try {
    read(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `not a ConfigError: ${String(error)}`);
    return error.message;
  }
  assert.fail('expected a ConfigError');
}

describe('settings', () => {
  it('TEST_TIMEOUTS: 30 s for every test and 120 s for stage 3 by default; bare and per tag', () => {
    assert.deepEqual(read({}).suite.testTimeouts, DEFAULT_TEST_TIMEOUTS);
    assert.deepEqual(DEFAULT_TEST_TIMEOUTS, { all: 30_000, tags: { '@accounts': 120_000 } });
    assert.deepEqual(
      read({ TEST_TIMEOUTS: '45s, @accounts=120s,@deploy=300000ms' }).suite.testTimeouts,
      {
        all: 45_000,
        tags: { '@accounts': 120_000, '@deploy': 300_000 },
      },
    );
    for (const bad of ['fast', '30', '@accounts=', 'accounts=90s', '0s']) {
      assert.match(lineFor({ TEST_TIMEOUTS: bad }), /^TEST_TIMEOUTS=.*: give durations like 30s/);
    }
  });

  it('<TARGET>_LOGIN_LINKS: reusable by default (the contract), or single-use', () => {
    assert.equal(read({}).targets.local!.loginLinks, 'reusable');
    assert.equal(read({ LOCAL_LOGIN_LINKS: 'single-use' }).targets.local!.loginLinks, 'single-use');
    assert.match(
      lineFor({ LOCAL_LOGIN_LINKS: 'once' }),
      /^LOCAL_LOGIN_LINKS=once: choose one of reusable, single-use$/,
    );
  });
});

describe('a story that runs out of time', () => {
  it('names the step, the pending action and the earlier steps, on the console and in the verdict', async () => {
    const budget = 12;
    // Its own run id: the verdict is read where this run wrote it, whatever else runs beside it.
    const runId = `selftest-timeout-${process.pid}`;
    const run = await playwright(
      [
        'tests/functional/login.spec.ts',
        '--grep',
        'Edith logs in with the link',
        '--reporter=list',
      ],
      // No mail ever comes: the mail wait (20 s) outlasts the story's budget by 8 s, a margin a
      // busy runner's late timers do not eat.
      {
        SUPERLISTS_FAULT: 'no-login-mail',
        TEST_TIMEOUTS: `@accounts=${budget}s`,
        TRACE: 'off',
        SUPERLISTS_RUN_ID: runId,
      },
    );
    assert.equal(run.code, 1, run.output);
    assert.match(run.output, new RegExp(`Test timeout of ${budget * 1000}ms exceeded\\.`));
    const step =
      /the test ran out of its 12\.0 s budget \(TEST_TIMEOUTS @accounts=12s\) in step "the email arrives, with a link back to this site"; pending: wait for the login mail to edith\+\S+ \(\d+\.\d s so far\); the steps before took \d+\.\d s/;
    assert.match(run.output, step, run.output);
    // The timeline: each earlier step of the spec with how long it took, then the pending ones.
    assert.match(
      run.output,
      /\+\d+\.\d s {2}she asks for a login link: the site says to check her email \(\d+\.\d s\)\n/,
    );
    assert.match(
      run.output,
      /\+\d+\.\d s {2}the email arrives, with a link back to this site \(pending, \d+\.\d s so far\)\n/,
    );
    const verdict = readVerdict('local', runId);
    assert.match(verdict.failed[0]?.error ?? '', step);
  });
});
