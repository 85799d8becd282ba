/**
 * What happens to a verdict once it is written, every run: its line joins the target's history,
 * an alert goes out when the history calls for one, and on GitHub Actions the job summary shows
 * it. Called by the run's global teardown (reporters/verdict-hook.ts), by the global setup when the
 * expected release never went live, and by `npm run record` for a sharded run's merged verdict.
 */
import type { Settings } from '../config/index.ts';
import { verdictStatus, type Verdict } from '../../reporters/verdict.ts';
import { alertFor, composeAlert, sendAlert, streakOf, type Alert } from './alerts.ts';
import { appendHistory, historyEntry } from './history.ts';
import { summaryMarkdown, writeSummary } from './summary.ts';

/** Every secret value the settings hold: the alert addresses, database and mailbox URLs, their passwords. */
export function secretValues(settings: Pick<Settings, 'daily' | 'secrets'>): string[] {
  const urls = [
    settings.daily.webhookUrl,
    settings.daily.smtpUrl,
    ...Object.values(settings.secrets).flatMap((s) => [s?.databaseUrl, s?.mailboxUrl]),
  ].filter((url): url is string => !!url);
  const passwords = urls.flatMap((url) => {
    try {
      const password = decodeURIComponent(new URL(url).password);
      return password ? [password] : [];
    } catch {
      return [];
    }
  });
  return [...urls, ...passwords];
}

/**
 * Records `verdict`, the run of `settings.chosen`: history, alert, job summary. Returns the lines
 * to print: what went wrong sending the alert, if anything (a broken alert never changes the verdict).
 */
export async function recordRun(
  verdict: Verdict,
  settings: Pick<Settings, 'daily' | 'secrets' | 'chosen' | 'targets'>,
): Promise<string[]> {
  const { daily } = settings;
  const name = settings.chosen.join('+');
  const entry = historyEntry(verdict, name);
  const runs = appendHistory(daily.historyDir, entry, daily.historyMaxRuns);
  // The strictest target decides: a run of staging+production alerts as production would.
  const after = Math.max(...settings.chosen.map((t) => settings.targets[t]?.alertAfter ?? 1));
  const kind = alertFor(runs, after);
  const lines: string[] = [];
  let alert: Alert | undefined;
  if (kind && (daily.webhookUrl || daily.smtpUrl)) {
    alert = composeAlert(kind, entry, streakOf(runs), daily.reportUrl, secretValues(settings));
    // Sent quietly (the job summary says so): a red run still ends in its one line.
    lines.push(...(await sendAlert(alert, daily)));
  }
  if (daily.stepSummary)
    writeSummary(daily.stepSummary, summaryMarkdown(entry, alert, daily.reportUrl));
  return lines;
}

/**
 * One verdict from the verdicts of a sharded run's shards (`--shard=i/n`): the counts summed, the
 * lists joined, the earliest start, the longest shard's duration, the status recomputed by the
 * verdict's own rule. Pure.
 */
export function mergeVerdicts(shards: readonly Verdict[]): Verdict {
  const [first, ...rest] = shards;
  if (!first) throw new Error('no verdict to merge');
  const counts = { ...first.counts };
  for (const shard of rest) {
    for (const key of Object.keys(counts) as (keyof typeof counts)[])
      counts[key] += shard.counts[key];
  }
  const all = <
    K extends 'refused' | 'failed' | 'interrupted' | 'infrastructureRetries' | 'measurements',
  >(
    key: K,
  ) => shards.flatMap((shard) => shard[key] as Verdict[K][number][]) as Verdict[K];
  const problems = [...new Set(shards.map((s) => s.problem).filter(Boolean))];
  const { status, problem } = verdictStatus(
    counts,
    shards.some((s) => s.status === 'interrupted'),
  );
  return {
    runId: first.runId,
    status,
    ...(problem || problems.length ? { problem: problem ?? problems.join('; ') } : {}),
    startedAt: shards.map((s) => s.startedAt).sort()[0]!,
    durationMs: Math.max(...shards.map((s) => s.durationMs)),
    targets: first.targets.map((target) => ({
      ...target,
      release:
        shards.map((s) => s.targets.find((t) => t.name === target.name)?.release).find(Boolean) ??
        target.release,
    })),
    counts,
    refused: all('refused'),
    failed: all('failed'),
    flaky: shards.flatMap((s) => s.flaky ?? []),
    interrupted: all('interrupted'),
    infrastructureRetries: all('infrastructureRetries'),
    measurements: all('measurements'),
  };
}
