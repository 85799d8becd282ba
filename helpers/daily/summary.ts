/**
 * The GitHub job summary: the verdict and the deploy's measurements as a markdown table, appended
 * to $GITHUB_STEP_SUMMARY, so the run's page shows them without opening an artifact.
 */
import { appendFileSync } from 'node:fs';
import type { HistoryEntry } from './history.ts';
import type { Alert } from './alerts.ts';

/** A cell's text with the characters that would break a table row escaped. */
function cell(value: string): string {
  return value.replace(/\|/g, '\\|').replace(/\n/g, ' ');
}

/** The summary of `run` in markdown (with the alert sent for it, if any). Pure. */
export function summaryMarkdown(run: HistoryEntry, alert?: Alert, reportUrl?: string): string {
  const { counts } = run;
  const icon = run.status === 'passed' ? '✅' : run.status === 'failed' ? '❌' : '⏹️';
  const rows: [string, string][] = [
    ['verdict', `${icon} ${run.status}${run.problem ? `: ${run.problem}` : ''}`],
    ['release', run.release ?? 'unknown'],
    ['duration', `${(run.durationMs / 1000).toFixed(1)} s`],
    [
      'tests',
      `${counts.passed} passed, ${counts.failed} failed, ${counts.flaky} flaky, ${counts.refused} refused, ${counts.notApplicable} not applicable (${counts.total} in all)`,
    ],
  ];
  if (run.deploy) {
    const d = run.deploy;
    if (d.downtimeMs !== undefined)
      rows.push(['deploy downtime (longest gap)', `${d.downtimeMs} ms`]);
    if (d.probes !== undefined)
      rows.push(['availability probes failed', `${d.failedProbes ?? 0} of ${d.probes}`]);
    if (d.pixelsChanged !== undefined) {
      rows.push([
        'pixels changed by the deploy',
        `${d.pixelsChanged} (largest share of a page ${((d.largestShare ?? 0) * 100).toFixed(3)} %)`,
      ]);
    }
  }
  if (alert) rows.push(['alert sent', alert.kind]);
  if (reportUrl) rows.push(['report', reportUrl]);
  const lines = [
    `### superlists-live-tests: ${run.target}`,
    '',
    '| | |',
    '| --- | --- |',
    ...rows.map(([name, value]) => `| ${name} | ${cell(value)} |`),
  ];
  if (run.failed.length) {
    lines.push('', '**Failed**', '', ...run.failed.map((line) => `- ${cell(line)}`));
  }
  if (run.flaky.length) lines.push('', '**Flaky**', '', ...run.flaky.map((t) => `- ${cell(t)}`));
  return `${lines.join('\n')}\n\n`;
}

/** Appends `markdown` to GitHub's job summary file `file`. */
export function writeSummary(file: string, markdown: string): void {
  appendFileSync(file, markdown);
}
