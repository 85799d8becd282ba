/**
 * The settings of running it every day: the wait for the expected release, the run history, the
 * alerts and the link they carry. Apart from the suite's settings because the alert addresses are
 * secrets (a webhook URL is a password, an SMTP URL holds one): nothing here enters the `use`
 * options Playwright serializes into reports.
 */
import path from 'node:path';
import { z } from 'zod';
import { ROOT } from './paths.ts';
import { fail, int, internal, oneOf, optional } from './values.ts';

/** EXPECT_RELEASE_TIMEOUT_MS's default: a deploy that ended as the gate started is live well within it. */
const DEFAULT_EXPECT_RELEASE_TIMEOUT_MS = 300_000;
/** HISTORY_MAX_RUNS's default: over a year of nightlies and a busy gate's months. */
const DEFAULT_HISTORY_MAX_RUNS = 1_000;

/** A URL setting that must parse and use one of `schemes`; its value is never repeated in the line. */
function secretUrl(name: string, schemes: readonly string[], example: string) {
  return optional(
    z.string().refine(
      (value) => {
        try {
          return schemes.includes(new URL(value).protocol.replace(/:$/, ''));
        } catch {
          return false;
        }
      },
      { error: `${name} must be a ${schemes.join(':// or ')}:// URL, like ${example}` },
    ),
  );
}

/** The daily settings, from the variables. */
export function dailySchema() {
  return z
    .object({
      EXPECT_RELEASE_TIMEOUT_MS: int('EXPECT_RELEASE_TIMEOUT_MS', 1),
      HISTORY_DIR: optional(z.string()),
      HISTORY_MAX_RUNS: int('HISTORY_MAX_RUNS', 2),
      ALERT_WEBHOOK_URL: secretUrl(
        'ALERT_WEBHOOK_URL',
        ['http', 'https'],
        'https://hooks.slack.com/services/...',
      ),
      ALERT_WEBHOOK_FORMAT: oneOf('ALERT_WEBHOOK_FORMAT', ['json', 'text'] as const),
      ALERT_SMTP_URL: secretUrl(
        'ALERT_SMTP_URL',
        ['smtp', 'smtps'],
        'smtps://user:password@smtp.example.com:465',
      ),
      ALERT_MAIL_TO: optional(z.string()),
      ALERT_MAIL_FROM: optional(z.string()),
      REPORT_URL: optional(z.string()),
      GITHUB_STEP_SUMMARY: internal(optional(z.string())),
      GITHUB_SERVER_URL: internal(optional(z.string())),
      GITHUB_REPOSITORY: internal(optional(z.string())),
      GITHUB_RUN_ID: internal(optional(z.string())),
    })
    .transform((v, ctx) => {
      if (v.ALERT_SMTP_URL && !v.ALERT_MAIL_TO) {
        return fail(
          ctx,
          'ALERT_SMTP_URL is set but ALERT_MAIL_TO is not: name who gets the alert mail (comma separated)',
        );
      }
      const actionsRun =
        v.GITHUB_SERVER_URL && v.GITHUB_REPOSITORY && v.GITHUB_RUN_ID
          ? `${v.GITHUB_SERVER_URL}/${v.GITHUB_REPOSITORY}/actions/runs/${v.GITHUB_RUN_ID}`
          : undefined;
      return {
        /** How long the gate waits for <TARGET>_EXPECT_RELEASE to go live (default 5 minutes). */
        expectReleaseTimeoutMs: v.EXPECT_RELEASE_TIMEOUT_MS ?? DEFAULT_EXPECT_RELEASE_TIMEOUT_MS,
        /** Where each target's history is kept (HISTORY_DIR, default reports/history). */
        historyDir: path.resolve(ROOT, v.HISTORY_DIR ?? path.join('reports', 'history')),
        /** The runs a history keeps, newest last (HISTORY_MAX_RUNS); older lines are dropped. */
        historyMaxRuns: v.HISTORY_MAX_RUNS ?? DEFAULT_HISTORY_MAX_RUNS,
        /** A secret: where the alert is POSTed. */
        webhookUrl: v.ALERT_WEBHOOK_URL,
        /** `json` (the whole alert) or `text` (`{"text": ...}`: Slack, Teams, Google Chat). */
        webhookFormat: v.ALERT_WEBHOOK_FORMAT ?? 'json',
        /** A secret: the SMTP server the alert mail goes through. */
        smtpUrl: v.ALERT_SMTP_URL,
        mailTo: v.ALERT_MAIL_TO,
        mailFrom: v.ALERT_MAIL_FROM ?? 'superlists-live-tests <superlists-live-tests@localhost>',
        /** The report an alert links to: REPORT_URL, else the GitHub Actions run. */
        reportUrl: v.REPORT_URL ?? actionsRun,
        /** GitHub's job summary file, when the run is a GitHub Actions step. */
        stepSummary: v.GITHUB_STEP_SUMMARY,
      };
    });
}

/** The daily settings: never put these in `use` options or reports. */
export type DailySettings = z.output<ReturnType<typeof dailySchema>>;
