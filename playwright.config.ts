import { defineConfig, type ReporterDescription } from '@playwright/test';
import { TARGET_NAMES, unconfiguredTarget } from './helpers/config/index.ts';
import { configureRun } from './helpers/config/entry.ts';
import type { SuiteOptions } from './fixtures/target.ts';

// The run's one side-effecting step: env file, free port, commit, run id; exits 2 on a bad value.
const { suite, targets, chosen } = configureRun();

const runName = chosen.join('+');
const verdict: ReporterDescription = [
  './reporters/verdict.ts',
  {
    outputFile: `reports/verdict-${runName}.json`,
    allureResultsDir: suite.fullReports ? `allure-results/${runName}` : undefined,
  },
];
// First: the session cookies' values leave every trace before another reporter copies it.
const redactTraces: ReporterDescription = [
  './reporters/redact-traces.ts',
  { sessionCookies: [...new Set(chosen.map((name) => targets[name]!.sessionCookie))] },
];
const reporters: ReporterDescription[] = suite.fullReports
  ? [
      redactTraces,
      ['list'],
      ['html', { open: 'never', outputFolder: `reports/html/${runName}` }],
      ['junit', { outputFile: `reports/junit/${runName}.xml` }],
      [
        'allure-playwright',
        {
          resultsDir: `allure-results/${runName}`,
          detail: true,
          environmentInfo: {
            targets: chosen.map((name) => `${name} ${targets[name]!.url}`).join(', '),
            browser: suite.browserPath ?? "Playwright's Chromium",
            commit: suite.commit,
            runId: suite.runId,
            node: process.version,
          },
        },
      ],
      verdict,
      ...(suite.blobReport ? [['blob'] as ReporterDescription] : []),
    ]
  : [redactTraces, ['list'], verdict];

export default defineConfig<SuiteOptions>({
  testDir: './tests',
  globalSetup: ['./global-setup.ts', './reporters/verdict-hook.ts'],
  fullyParallel: true,
  forbidOnly: true,
  workers: suite.workers,
  retries: suite.retries,
  timeout: 30_000,
  expect: { timeout: suite.expectTimeoutMs },
  reporter: reporters,
  outputDir: 'test-results',
  use: {
    suite,
    viewport: { width: 1024, height: 768 },
    // Light by default: DOM snapshots and the screencast cost a green run ~25 % of its time;
    // a failure still gets its screenshot, its page snapshot (error-context) and server logs.
    trace: {
      mode: suite.trace,
      snapshots: suite.traceDetail === 'full',
      screenshots: suite.traceDetail === 'full',
    },
    screenshot: 'only-on-failure',
    video: 'off', // needs Playwright's own ffmpeg download
    actionTimeout: suite.expectTimeoutMs,
    navigationTimeout: 15_000,
    launchOptions: { executablePath: suite.browserPath },
    // A remote browser server (your own grid) instead of a local browser.
    connectOptions: suite.browserWsEndpoint ? { wsEndpoint: suite.browserWsEndpoint } : undefined,
  },
  projects: TARGET_NAMES.map((name) => {
    const target = targets[name] ?? unconfiguredTarget(name);
    return {
      name,
      default: name === 'local',
      use: {
        target,
        baseURL: target.url,
        ignoreHTTPSErrors: target.ignoreHttpsErrors,
      },
    };
  }),
  webServer: chosen.includes('local')
    ? {
        name: 'superlists',
        command: 'node --import tsx harness/reference-site/src/local.ts',
        url: `${targets.local!.url}/`,
        wait: { stdout: /superlists local target ready/ },
        env: {
          PORT: String(suite.localPort),
          ...(suite.localDataDir ? { SUPERLISTS_LOCAL_DATA: suite.localDataDir } : {}),
          ...(suite.localFault ? { SUPERLISTS_FAULT: suite.localFault } : {}),
          SUPERLISTS_LOCAL_DATABASE: suite.localDatabase,
        },
        reuseExistingServer: false,
        gracefulShutdown: { signal: 'SIGTERM', timeout: 5_000 },
        timeout: 60_000,
      }
    : undefined,
});
