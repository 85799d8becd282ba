/**
 * The suite's own configuration, pointed at selftest/specs: specs that prove the guards work by
 * misbehaving on purpose. Used by selftest/read-only, logs and services.test.ts.
 */
import path from 'node:path';
import { defineConfig } from '@playwright/test';
import base from '../../playwright.config.ts';
import { ROOT } from '../../helpers/config/paths.ts';

export default defineConfig({
  ...base,
  testDir: path.join(ROOT, 'harness/selftest/specs'),
  globalSetup: path.join(ROOT, 'global-setup.ts'),
  // Under the suite's own output folder: its run's own when another run holds the checkout.
  outputDir: path.join(ROOT, base.outputDir ?? 'test-results', 'selftest'),
  reporter: [['list']],
  webServer:
    base.webServer && !Array.isArray(base.webServer) ? { ...base.webServer, cwd: ROOT } : undefined,
});
