/** The suite's own settings (workers, budgets, browser, reports): one schema. */
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import {
  type ConfigIo,
  type TargetName,
  bool,
  fail,
  int,
  internal,
  list,
  oneOf,
  optional,
} from './values.ts';
import { DEFAULT_TEST_TIMEOUTS, testTimeouts, visualBudget } from './budgets.ts';

// --------------------------------------------------------------------------------- the suite

const BROWSER_CANDIDATES = [
  '/usr/lib/chromium/chromium-headless-shell',
  '/usr/lib/chromium/chromium',
  '/usr/bin/chromium',
];

/** DEPLOY_GAP_BUDGET_MS's default (see the suite schema for the measurements behind it). */
const DEFAULT_GAP_BUDGET_MS = 8_000;
/** DEPLOY_VISUAL_BUDGET's default: 0.1 % of a page's pixels. */
const DEFAULT_VISUAL_BUDGET = 0.001;

/** The default worker count: one per core this process may use. */
export function defaultWorkers(): number {
  return Math.max(1, os.availableParallelism());
}

/** The suite-wide settings, from the variables and `$ctx`. */
export function suiteSchema() {
  return z
    .object({
      $ctx: z.custom<{ io: ConfigIo; chosen: readonly TargetName[] }>(),
      SUPERLISTS_RUN_ID: internal(optional(z.string())),
      GITHUB_SHA: internal(optional(z.string())),
      SUPERLISTS_COMMIT: internal(optional(z.string())),
      CI: internal(bool('CI')),
      FULL_REPORTS: bool('FULL_REPORTS'),
      BLOB_REPORT: bool('BLOB_REPORT'),
      TRACE: oneOf('TRACE', ['retain-on-failure', 'on', 'off', 'on-first-retry'] as const),
      TRACE_DETAIL: oneOf('TRACE_DETAIL', ['light', 'full'] as const),
      WORKERS: int('WORKERS', 1),
      RETRIES: int('RETRIES'),
      INFRA_RETRIES: int('INFRA_RETRIES'),
      BROWSER_PATH: optional(z.string()),
      PLAYWRIGHT_BROWSERS_PATH: internal(optional(z.string())),
      HOME: internal(optional(z.string())),
      BROWSER_WS_ENDPOINT: optional(
        z.string().regex(/^wss?:\/\/\S+$/, {
          error:
            'BROWSER_WS_ENDPOINT must be a ws:// or wss:// URL of a Playwright browser server (npm run browser-server prints one)',
        }),
      ),
      PREFLIGHT: bool('PREFLIGHT'),
      PREFLIGHT_TIMEOUT_MS: int('PREFLIGHT_TIMEOUT_MS', 1),
      EXPECT_TIMEOUT_MS: int('EXPECT_TIMEOUT_MS', 1),
      TEST_TIMEOUTS: optional(testTimeouts('TEST_TIMEOUTS')),
      PAGE_BUDGET_MS: int('PAGE_BUDGET_MS', 1),
      SMOKE_PATHS: optional(z.string()),
      ALLOWED_NOISE: optional(z.string()),
      DEPLOY_TIMEOUT_MS: int('DEPLOY_TIMEOUT_MS', 1),
      DEPLOY_GAP_BUDGET_MS: int('DEPLOY_GAP_BUDGET_MS'),
      DEPLOY_VISUAL: bool('DEPLOY_VISUAL'),
      DEPLOY_VISUAL_BUDGET: optional(visualBudget('DEPLOY_VISUAL_BUDGET')),
      DEPLOY_STRUCTURE_BUDGET: int('DEPLOY_STRUCTURE_BUDGET'),
      LOCAL_PORT: int('LOCAL_PORT', 1),
      SUPERLISTS_LOCAL_PORT: internal(int('SUPERLISTS_LOCAL_PORT', 1)),
      SUPERLISTS_LOCAL_PG_PORT: internal(int('SUPERLISTS_LOCAL_PG_PORT', 1)),
      SUPERLISTS_LOCAL_DATA: optional(z.string()),
      SUPERLISTS_RUN_FOLDER: internal(optional(z.string())),
      // The run's token for the built-in site's create_session route (a secret: read by
      // loadSettings into the local target's secrets, never into these settings).
      SUPERLISTS_LOCAL_SESSION_TOKEN: internal(optional(z.string())),
      SUPERLISTS_LOCAL_DATABASE: optional(
        z.enum(['postgres', 'sqlite'], {
          error: 'SUPERLISTS_LOCAL_DATABASE must be postgres or sqlite',
        }),
      ),
      SUPERLISTS_FAULT: optional(z.string()),
      // `npm run faults`: the built-in site's extra ports, each with its own faults (faults.ts).
      SUPERLISTS_FAULT_PORTS: internal(optional(z.string())),
      // Read elsewhere, named here so that every name the suite knows is in this schema: the env
      // file's name (envFileValues), the chosen targets workers inherit (chosenTargets), and the
      // real local server's state folder and PostgreSQL binaries (harness/server).
      ENV_FILE: optional(z.string()),
      SUPERLISTS_TARGETS: internal(optional(z.string())),
      SUPERLISTS_SERVER_DIR: internal(optional(z.string())),
      SUPERLISTS_PG_BIN: internal(optional(z.string())),
    })
    .transform((v, ctx) => {
      const { io, chosen } = v.$ctx;
      if (v.BROWSER_PATH !== undefined && !io.exists(v.BROWSER_PATH)) {
        return fail(ctx, `BROWSER_PATH=${v.BROWSER_PATH}: no such file`);
      }
      if (!v.SUPERLISTS_RUN_ID) {
        return fail(
          ctx,
          'SUPERLISTS_RUN_ID is not set: run the suite with npx playwright test (its config sets it)',
        );
      }
      const localPort = v.LOCAL_PORT ?? v.SUPERLISTS_LOCAL_PORT;
      if (localPort === undefined && chosen.includes('local')) {
        return fail(ctx, 'LOCAL_PORT is not set and no port was inherited: set LOCAL_PORT');
      }
      const allowedNoise: RegExp[] = [];
      for (const pattern of list(v.ALLOWED_NOISE)) {
        try {
          allowedNoise.push(new RegExp(pattern));
        } catch {
          return fail(ctx, `ALLOWED_NOISE: "${pattern}" is not a valid regular expression`);
        }
      }
      // Playwright's own Chromium wins where `npx playwright install chromium` worked.
      const ownBrowsers =
        v.PLAYWRIGHT_BROWSERS_PATH ?? path.join(v.HOME ?? '/root', '.cache', 'ms-playwright');
      const browserPath =
        v.BROWSER_PATH ??
        (io.exists(ownBrowsers) ? undefined : BROWSER_CANDIDATES.find((file) => io.exists(file)));
      const ci = v.CI ?? false;
      return {
        runId: v.SUPERLISTS_RUN_ID,
        /** The commit of the suite being run (GITHUB_SHA, else git), for reports. */
        commit: v.GITHUB_SHA ?? v.SUPERLISTS_COMMIT ?? 'unknown',
        /** html, junit and Allure reports besides the list (default: on CI). */
        fullReports: v.FULL_REPORTS ?? ci,
        /** A blob report too, for sharded runs whose reports are merged (BLOB_REPORT). */
        blobReport: v.BLOB_REPORT ?? false,
        /** Playwright's trace mode (TRACE): retain-on-failure by default, `on` to keep every trace. */
        trace: v.TRACE ?? 'retain-on-failure',
        /**
         * What a trace records (TRACE_DETAIL): `light` (default) the actions, network, console and
         * errors; `full` also a DOM snapshot around every action and a screencast, which costs a
         * green run about a quarter of its time.
         */
        traceDetail: v.TRACE_DETAIL ?? 'light',
        /**
         * Worker processes (WORKERS): default one per core. A story is CPU-bound on this side
         * (the browser renders, the runner and the worker drive it), so a worker per core keeps
         * every core busy; more workers than cores were slower in the bench, even against a
         * target on another process (README, Performance). Playwright's own default is half.
         */
        workers: v.WORKERS ?? defaultWorkers(),
        retries: v.RETRIES ?? 0,
        /** Retries of a request that failed for infrastructure reasons (INFRA_RETRIES, default 2). */
        infraRetries: v.INFRA_RETRIES ?? 2,
        ci,
        /** The browser binary, or undefined for Playwright's own Chromium. */
        browserPath,
        /** A remote Playwright browser server to use instead of a local browser (your own grid). */
        browserWsEndpoint: v.BROWSER_WS_ENDPOINT,
        /** Check each chosen target (DNS, TCP, TLS, HTTP) before any test runs. */
        preflight: v.PREFLIGHT ?? true,
        /**
         * How long a test may take (TEST_TIMEOUTS): `all` for every test, `tags` for tagged ones
         * (the longest of a test's tags wins); see {@link DEFAULT_TEST_TIMEOUTS}.
         */
        testTimeouts: v.TEST_TIMEOUTS ?? DEFAULT_TEST_TIMEOUTS,
        /** How long preflight waits for `/` to answer, in milliseconds (PREFLIGHT_TIMEOUT_MS). */
        preflightTimeoutMs: v.PREFLIGHT_TIMEOUT_MS ?? 6_000,
        /** How long web-first assertions wait, in milliseconds. */
        expectTimeoutMs: v.EXPECT_TIMEOUT_MS ?? 5000,
        /** Per-page response budget in milliseconds (smoke). */
        pageBudgetMs: v.PAGE_BUDGET_MS ?? 2000,
        /** Extra read-only paths for the smoke checks. */
        smokePaths: list(v.SMOKE_PATHS),
        /** Console messages or request URLs matching one of these are known noise, not failures. */
        allowedNoise,
        /** Bounded wait for a redeploy to show a new release. */
        deployTimeoutMs: v.DEPLOY_TIMEOUT_MS ?? 120_000,
        /**
         * Longest acceptable unavailable gap during a deploy (DEPLOY_GAP_BUDGET_MS, default 8 s):
         * healthy redeploys of the built-in site measured 0 ms, and 6.4 s once on a machine at
         * load 16 (one probe timing out); the outage it must catch lasted 11 s.
         */
        deployGapBudgetMs: v.DEPLOY_GAP_BUDGET_MS ?? DEFAULT_GAP_BUDGET_MS,
        /** Picture the pages before and after a redeploy and compare them (DEPLOY_VISUAL, default on). */
        deployVisual: v.DEPLOY_VISUAL ?? true,
        /**
         * The largest share of each page's pixels a deploy may change (DEPLOY_VISUAL_BUDGET,
         * default 0.1 %, also for the pages a per-page value leaves out): a healthy redeploy of
         * the built-in site changes 0 pixels of any page.
         */
        deployVisualBudget: { all: DEFAULT_VISUAL_BUDGET, pages: {}, ...v.DEPLOY_VISUAL_BUDGET },
        /**
         * The most differences a deploy may make to each pictured page's accessibility tree
         * (DEPLOY_STRUCTURE_BUDGET, default 0: a healthy redeploy changes none).
         */
        deployStructureBudget: v.DEPLOY_STRUCTURE_BUDGET ?? 0,
        /** Port of the built-in site (local target); 0 when it does not run. */
        localPort: localPort ?? 0,
        /** The built-in site's PostgreSQL port, chosen with its port (its LOCAL_DATABASE_URL). */
        localPgPort: v.SUPERLISTS_LOCAL_PG_PORT,
        /** Data folder of the built-in site, when overridden. */
        localDataDir: v.SUPERLISTS_LOCAL_DATA,
        /**
         * This run's own folder for its results and verdict, when another run held the checkout
         * as it began (helpers/config/checkout.ts); undefined: test-results/ and reports/.
         */
        runFolder: v.SUPERLISTS_RUN_FOLDER,
        /** The built-in site's database: postgres (embedded, the default) or sqlite (a file). */
        localDatabase: v.SUPERLISTS_LOCAL_DATABASE ?? 'postgres',
        /** A named fault for the built-in site (the fault catalogue sets it). */
        localFault: v.SUPERLISTS_FAULT,
        /** Extra ports of the built-in site, each with its faults (harness/faults/batch.config.ts). */
        localFaultPorts: v.SUPERLISTS_FAULT_PORTS,
      };
    });
}

/** Suite-wide settings. */
export type SuiteSettings = z.output<ReturnType<typeof suiteSchema>>;
