/**
 * Two runs in one checkout at once (helpers/config/checkout.ts): the first holds the checkout, the
 * second gets folders of its own, and both finish green, each with its own verdict; neither stops
 * the other's PostgreSQL nor wipes the other's results. A lock left by a dead run is taken over.
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { claimCheckout, ownRunFolder, releaseCheckout } from '../../helpers/config/checkout.ts';
import { playwright, readVerdict, ROOT, scratch } from './run.ts';

describe('the checkout lock', () => {
  it('a live holder is named; a dead one is taken over; release frees it', () => {
    const lock = path.join(scratch, 'checkout.lock');
    assert.deepEqual(claimCheckout(lock, process.pid), {});
    assert.deepEqual(
      claimCheckout(lock, 1, () => true),
      { holder: process.pid },
    ); // a live run holds it
    releaseCheckout(lock, process.pid);
    assert.ok(!existsSync(lock));
    writeFileSync(lock, '999999999\n'); // a run that died
    assert.deepEqual(claimCheckout(lock, process.pid), {});
    releaseCheckout(lock, process.pid);
  });
});

describe('two runs at once in one checkout', () => {
  it('both pass, each with its own verdict and results; no stack trace', async () => {
    const spec = 'tests/smoke/not-found.spec.ts';
    const ids = [`two-a-${process.pid}`, `two-b-${process.pid}`];
    const runs = await Promise.all(
      ids.map((id) => playwright([spec, '--reporter=line'], { SUPERLISTS_RUN_ID: id })),
    );
    for (const run of runs) {
      assert.equal(run.code, 0, run.output);
      assert.doesNotMatch(run.output, /^\s+at .+:\d+:\d+\)?$/m, `a stack trace:\n${run.output}`);
    }
    const second = runs.findIndex((run) =>
      /another run \(pid \d+\) was using this checkout/.test(run.output),
    );
    assert.notEqual(second, -1, runs.map((r) => r.output).join('\n----\n'));
    const verdicts = ids.map((id) => readVerdict('local', id));
    assert.ok(existsSync(path.join(ROOT, ownRunFolder(ids[second]!), 'verdict-local.json')));
    for (const verdict of verdicts) {
      assert.equal(verdict.status, 'passed', JSON.stringify(verdict));
      assert.ok(verdict.counts.passed > 0);
    }
    assert.ok(
      !existsSync(path.join(ROOT, '.local-data', 'runs', ids[second]!)),
      'its database was kept',
    );
  });
});
