/**
 * A service a test needs (here the release probe) is checked when a test first asks for it: a
 * broken one fails that test with one line (no stack trace), and every later test of the worker
 * that needs it fails at once with the same line, without checking it again.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { it } from 'node:test';
import { playwright, scratch } from './run.ts';

it('a broken service fails each test that needs it with the same one line, checked once', async () => {
  const runs = path.join(scratch, 'probe-runs');
  const run = await playwright(
    [
      '-c',
      'harness/selftest/guard.config.ts',
      '--reporter=line',
      'harness/selftest/specs/services.spec.ts',
    ],
    { WORKERS: '1', LOCAL_RELEASE_PROBE: `cmd:echo run >> ${runs}; exit 3` },
  );
  assert.equal(run.code, 1, run.output);
  assert.match(run.output, /2 failed/, run.output);
  const line =
    /ServiceUnavailable: LOCAL_RELEASE_PROBE \(echo run >> \S+; exit 3\) failed with exit 3/g;
  assert.equal(run.output.match(line)?.length, 2, run.output);
  assert.doesNotMatch(run.output, /^\s+at .+:\d+:\d+\)?$/m, 'a stack trace leaked');
  assert.equal(readFileSync(runs, 'utf8').trim().split('\n').length, 1, 'the probe ran again');
});

it('a working probe passes the tests that need it; one naming another release each time fails them', async () => {
  const run = (probe: string) =>
    playwright(
      [
        '-c',
        'harness/selftest/guard.config.ts',
        '--reporter=line',
        'harness/selftest/specs/services.spec.ts',
      ],
      { WORKERS: '1', LOCAL_RELEASE_PROBE: probe },
    );
  const steady = await run('cmd:echo v1');
  assert.equal(steady.code, 0, steady.output);
  assert.match(steady.output, /2 passed/, steady.output);
  const flapping = await run('cmd:date +%s%N');
  assert.equal(flapping.code, 1, flapping.output);
  assert.match(flapping.output, /2 failed/, flapping.output);
  assert.match(flapping.output, /the release probe named another release/, flapping.output);
});
