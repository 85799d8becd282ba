/**
 * On a read-only target, a test that writes is stopped even when it is not tagged @writes (so the
 * tag-based refusal did not catch it), and it fails saying what was blocked: one misbehaving spec
 * per way a spec can reach the site (selftest/specs/mistagged-write.spec.ts).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { it } from 'node:test';
import type { JSONReport, JSONReportSuite } from '@playwright/test/reporter';
import { playwright, scratch } from './run.ts';

/** Every test of the report, with its status and the text of its errors. */
function outcomes(suites: JSONReportSuite[]): { title: string; status: string; errors: string }[] {
  return suites.flatMap((suite) => [
    ...suite.specs.flatMap((spec) =>
      spec.tests.map((test) => ({
        title: spec.title,
        status: test.status,
        errors: test.results.flatMap((r) => r.errors.map((e) => e.message ?? '')).join('\n'),
      })),
    ),
    ...outcomes(suite.suites ?? []),
  ]);
}

it('every write route is blocked on a read-only target, and fails the test that tried', async () => {
  const report = path.join(scratch, 'read-only.json');
  const run = await playwright(
    [
      '-c',
      'harness/selftest/guard.config.ts',
      '--reporter=json',
      'harness/selftest/specs/mistagged-write.spec.ts',
    ],
    {
      LOCAL_ALLOW_WRITES: 'false',
      EXPECT_TIMEOUT_MS: '1500',
      PLAYWRIGHT_JSON_OUTPUT_FILE: report,
    },
  );
  assert.equal(run.code, 1, run.output);
  const tests = outcomes((JSON.parse(readFileSync(report, 'utf8')) as JSONReport).suites);
  assert.equal(tests.length, 10, run.output);
  for (const test of tests) {
    assert.equal(test.status, 'unexpected', `"${test.title}" was not failed: ${test.errors}`);
    // eslint-disable-next-line no-control-regex
    const errors = test.errors.replace(/\x1b\[[0-9;]*m/g, '');
    assert.match(
      errors,
      /this test tried to write to local, which is read-only; blocked:\s+POST \S*\/lists\/new/,
      `"${test.title}" failed, but not for its blocked write:\n${errors}`,
    );
  }
});
