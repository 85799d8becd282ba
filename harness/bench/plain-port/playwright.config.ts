/**
 * The baseline for `npm run bench -- --only baseline`: a plain Playwright port of the suite's
 * eight story tests, the simplest code that tests the same stories, as a team would first write
 * it: no fixtures, no guards, no global setup, 2 workers, Debian's headless shell.
 *
 *   PLAIN_PORT_URL=http://127.0.0.1:8000 npx playwright test --config harness/bench/plain-port/playwright.config.ts
 */
import { defineConfig } from '@playwright/test';

const baseURL = process.env.PLAIN_PORT_URL;
if (!baseURL) {
  console.error('plain port: set PLAIN_PORT_URL to the site to test, e.g. http://127.0.0.1:8000');
  process.exit(2);
}

export default defineConfig({
  testDir: '.',
  fullyParallel: true,
  forbidOnly: true,
  workers: 2,
  reporter: 'list',
  use: {
    baseURL,
    viewport: { width: 1024, height: 768 },
    trace: 'retain-on-failure',
    launchOptions: { executablePath: '/usr/lib/chromium/chromium-headless-shell' },
  },
});
