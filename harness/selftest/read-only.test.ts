/**
 * On a read-only target, a test that writes is stopped at the network layer even when it is not
 * tagged @writes (so the tag-based refusal did not catch it), and it fails saying why.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { playwright } from './run.ts';

it('a write by a test not tagged @writes is blocked on a read-only target, and fails it', async () => {
  const run = await playwright(['-c', 'harness/selftest/guard.config.ts', '--reporter=line'], {
    LOCAL_ALLOW_WRITES: 'false',
  });
  assert.equal(run.code, 1, run.output);
  assert.match(run.output, /2 failed/, run.output);
  // The browser's form post, blocked by the route guard; the API client's, by the request guard.
  assert.match(
    run.output,
    /tried to write to local, which is read-only; blocked:\s+POST \S+\/lists\/new/,
  );
  assert.match(run.output, /refused: POST \/lists\/new would write to local, which is read-only/);
});
