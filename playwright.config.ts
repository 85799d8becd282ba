import { defineConfig, type ReporterDescription } from '@playwright/test';
import { TARGET_NAMES, unconfiguredTarget } from './helpers/config/index.ts';
import { configureRun } from './helpers/config/entry.ts';
import type { SuiteOptions } from './fixtures/target.ts';
import { verdictPlugin } from './reporters/verdict-plugin.ts';
import { verdictPath } from './reporters/verdict.ts';

// The run's one side-effecting step: env file, free port, commit, run id; exits 2 on a bad value.
const { suite, targets, chosen } = configureRun();

const runName = chosen.join('+');
const verdict: ReporterDescription = [
  './reporters/verdict.ts',
  {
    outputFile: verdictPath(chosen, suite.runFolder),
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
  // Playwright's runner plugins (how it adds its webServer): the verdict's view of every test.
  ...{ '@playwright/test': { plugins: [verdictPlugin] } },
  testDir: './tests',
  globalSetup: ['./global-setup.ts', './reporters/verdict-hook.ts'],
  fullyParallel: true,
  forbidOnly: true,
  workers: suite.workers,
  retries: suite.retries,
  // TEST_TIMEOUTS: every test's budget; tagged ones (stage 3) get theirs in fixtures/timeline.ts.
  timeout: suite.testTimeouts.all,
  expect: { timeout: suite.expectTimeoutMs },
  reporter: reporters,
  // Its own folder when another run holds the checkout (Playwright empties it as a run begins).
  outputDir: suite.runFolder ? `${suite.runFolder}/test-results` : 'test-results',
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
          // A Ctrl-C must not stop the site under the workers' teardown: Playwright stops it after.
          SUPERLISTS_STOPPED_BY_PARENT: '1',
          ...(suite.localDataDir ? { SUPERLISTS_LOCAL_DATA: suite.localDataDir } : {}),
          ...(suite.localFault ? { SUPERLISTS_FAULT: suite.localFault } : {}),
          ...(suite.localFaultPorts ? { SUPERLISTS_FAULT_PORTS: suite.localFaultPorts } : {}),
          // The built-in site issues the login links the target declares (LOCAL_LOGIN_LINKS).
          LOGIN_LINKS: targets.local!.loginLinks,
          SUPERLISTS_LOCAL_DATABASE: suite.localDatabase,
        },
        reuseExistingServer: false,
        gracefulShutdown: { signal: 'SIGTERM', timeout: 5_000 },
        timeout: 60_000,
      }
    : undefined,
});
