/**
 * The `faultRun` option alone, without the suite's settings or site: specs/fault-run.spec.ts run
 * once as a fault's project and once as a plain one. Used only by selftest/fault-batches.test.ts.
 */
import { tmpdir } from 'node:os';
import path from 'node:path';
import { defineConfig } from '@playwright/test';
import type { SuiteOptions } from '../../fixtures/target.ts';
import { ROOT } from '../../helpers/config/paths.ts';

export default defineConfig<Pick<SuiteOptions, 'faultRun'>>({
  testDir: path.join(ROOT, 'harness/selftest/specs'),
  testMatch: 'fault-run.spec.ts',
  // Outside test-results/, which a suite run beside this one empties as it begins.
  outputDir: path.join(tmpdir(), 'superlists-selftest-fault-run'),
  workers: 1,
  retries: 0,
  projects: [
    { name: 'fault', use: { faultRun: true } },
    { name: 'plain', use: { faultRun: false } },
  ],
});
