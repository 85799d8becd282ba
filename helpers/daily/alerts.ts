/**
 * Alerts: a message when a target goes red and one when it recovers, by webhook (generic JSON, or
 * `{"text": ...}` for Slack, Teams and Google Chat) and by mail over SMTP (nodemailer). Whether to
 * send is read from the history alone: red after <TARGET>_ALERT_AFTER red runs in a row, once;
 * recovered on the first green run after an alert; nothing while it stays red. Interrupted runs
 * say nothing about the site and count neither way.
 */
import type { DailySettings } from '../config/index.ts';
import { REDACTED } from '../../reporters/redact-traces.ts';
import type { HistoryEntry } from './history.ts';

/** What to say about the newest run, if anything. */
export type AlertKind = 'red' | 'recovered';

/** Failures an alert lists by name; the rest are counted. */
const MAX_FAILURES_LISTED = 10;

/** Red runs in a row at the end of `runs` (interrupted ones skipped), and the run before them. */
function redStreak(runs: readonly HistoryEntry[]): { streak: number; before?: HistoryEntry } {
  const judged = runs.filter((run) => run.status !== 'interrupted');
  let streak = 0;
  while (streak < judged.length && judged[judged.length - 1 - streak]!.status === 'failed')
    streak++;
  return { streak, before: judged[judged.length - 1 - streak] };
}

/**
 * The alert the newest run of `runs` calls for, with `after` red runs in a row before a red
 * alert: 'red' exactly when the streak reaches `after`, 'recovered' when a green run ends a streak
 * that had reached it, else undefined. Pure.
 */
export function alertFor(runs: readonly HistoryEntry[], after: number): AlertKind | undefined {
  const last = runs.at(-1);
  if (!last || last.status === 'interrupted') return undefined;
  if (last.status === 'failed') return redStreak(runs).streak === after ? 'red' : undefined;
  const { streak } = redStreak(runs.slice(0, -1));
  return streak >= after ? 'recovered' : undefined;
}

/** An alert, ready to send. */
export interface Alert {
  kind: AlertKind;
  target: string;
  release: string | null;
  runId: string;
  /** `staging is red: ...` / `staging recovered: ...`. */
  subject: string;
  /** One line per failure (test: first line of its error), or why the run is red. */
  failures: string[];
  reportUrl?: string;
  /** The whole message as text: subject, failures, link. */
  text: string;
}

/** `text` with every one of `secrets` (8 characters or more) replaced by the redaction marker. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const value of secrets) if (value.length >= 8) out = out.split(value).join(REDACTED);
  return out;
}

/**
 * The alert for `run`, its secrets (any of `secrets` found in a failure's text) redacted. Pure.
 * `streak` is how many red runs in a row it ends.
 */
export function composeAlert(
  kind: AlertKind,
  run: HistoryEntry,
  streak: number,
  reportUrl: string | undefined,
  secrets: readonly string[],
): Alert {
  const release = run.release ?? 'release unknown';
  const failures =
    kind === 'recovered'
      ? []
      : run.failed.length
        ? run.failed.slice(0, MAX_FAILURES_LISTED)
        : [run.problem ?? 'the run failed'];
  if (kind === 'red' && run.failed.length > MAX_FAILURES_LISTED) {
    failures.push(`and ${run.failed.length - MAX_FAILURES_LISTED} more`);
  }
  const { counts } = run;
  const subject =
    kind === 'red'
      ? `superlists-live-tests: ${run.target} is red (${release}): ${counts.failed} failed, ${counts.passed} passed${streak > 1 ? `, ${streak} red runs in a row` : ''}`
      : `superlists-live-tests: ${run.target} recovered (${release}): ${counts.passed} passed`;
  const text = [
    subject,
    ...failures.map((line) => `- ${line}`),
    ...(reportUrl ? [`Report: ${reportUrl}`] : []),
    `Run ${run.runId}, started ${run.startedAt}`,
  ].join('\n');
  const clean = (value: string) => redactSecrets(value, secrets);
  return {
    kind,
    target: run.target,
    release: run.release,
    runId: run.runId,
    subject: clean(subject),
    failures: failures.map(clean),
    ...(reportUrl ? { reportUrl } : {}),
    text: clean(text),
  };
}

/** The alert's streak: red runs in a row that the newest run ends (0 for a recovery). */
export function streakOf(runs: readonly HistoryEntry[]): number {
  return redStreak(runs).streak;
}

/** The webhook's body: the whole alert (`json`), or `{"text": ...}` for chat tools (`text`). */
export function webhookBody(alert: Alert, format: DailySettings['webhookFormat']): string {
  return JSON.stringify(format === 'text' ? { text: alert.text } : alert);
}

/** How long a webhook or the SMTP server may take before the alert counts as not sent. */
const SEND_TIMEOUT_MS = 15_000;

/**
 * Sends `alert` to every channel `daily` configures; returns one line per channel that failed
 * (the address itself is never in it: it is a secret), empty when all were sent.
 */
export async function sendAlert(alert: Alert, daily: DailySettings): Promise<string[]> {
  const problems: string[] = [];
  if (daily.webhookUrl) {
    try {
      const response = await fetch(daily.webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: webhookBody(alert, daily.webhookFormat),
        signal: AbortSignal.timeout(SEND_TIMEOUT_MS),
      });
      if (!response.ok) problems.push(`the alert webhook answered ${response.status}`);
    } catch (error) {
      problems.push(`the alert webhook did not take the alert: ${(error as Error).name}`);
    }
  }
  if (daily.smtpUrl && daily.mailTo) {
    // Loaded only when a mail goes out: every run's teardown imports this module.
    const { default: nodemailer } = await import('nodemailer');
    const transport = nodemailer.createTransport({
      url: daily.smtpUrl,
      connectionTimeout: SEND_TIMEOUT_MS,
      greetingTimeout: SEND_TIMEOUT_MS,
      socketTimeout: SEND_TIMEOUT_MS,
    } as Parameters<typeof nodemailer.createTransport>[0]);
    try {
      await transport.sendMail({
        from: daily.mailFrom,
        to: daily.mailTo,
        subject: alert.subject,
        text: alert.text,
      });
    } catch (error) {
      const code = (error as { code?: string; responseCode?: number }).code ?? 'error';
      problems.push(
        `the alert mail was not sent (${code}): check ALERT_SMTP_URL and ALERT_MAIL_TO`,
      );
    } finally {
      transport.close();
    }
  }
  return problems;
}
