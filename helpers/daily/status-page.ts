/**
 * The status page: every target's history as one static HTML page (no server, no script, no
 * CDN; charts are inline SVG): the current state of each target, its pass rate per day, the gate's
 * duration, each deploy's downtime by release, and the flakiest tests. Pure: histories in, HTML out.
 */
import { barChart, COLORS, escapeHtml, type Bar } from './charts.ts';
import type { HistoryEntry } from './history.ts';

/** Runs the duration chart shows, newest last. */
const RECENT_RUNS = 40;

const day = (iso: string) => iso.slice(0, 10);
const when = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Share of the judged (not interrupted) runs that passed, or undefined when none was judged. */
function passRate(runs: readonly HistoryEntry[]): number | undefined {
  const judged = runs.filter((run) => run.status !== 'interrupted');
  return judged.length
    ? judged.filter((run) => run.status === 'passed').length / judged.length
    : undefined;
}

const percent = (share: number | undefined) =>
  share === undefined ? 'n/a' : `${Math.round(share * 1000) / 10} %`;

/** The current state of one target: its newest run, and how long it has been so. */
function stateCard(target: string, runs: readonly HistoryEntry[]): string {
  const last = runs.at(-1)!;
  let streak = 0;
  while (streak < runs.length && runs[runs.length - 1 - streak]!.status === last.status) streak++;
  const failures = last.failed.length
    ? `<ul class="failures">${last.failed
        .slice(0, 5)
        .map((line) => `<li>${escapeHtml(line)}</li>`)
        .join(
          '',
        )}${last.failed.length > 5 ? `<li>and ${last.failed.length - 5} more</li>` : ''}</ul>`
    : last.problem && last.status !== 'passed'
      ? `<p class="problem">${escapeHtml(last.problem)}</p>`
      : '';
  return `<section class="card ${last.status}" data-target="${escapeHtml(target)}">
<h3>${escapeHtml(target)} <span class="badge" data-status="${last.status}">${last.status}</span></h3>
<dl>
<dt>release</dt><dd data-field="release">${escapeHtml(last.release ?? 'unknown')}</dd>
<dt>last run</dt><dd>${when(last.startedAt)}, ${seconds(last.durationMs)}</dd>
<dt>for</dt><dd data-field="streak">${streak} run${streak > 1 ? 's' : ''} in a row</dd>
<dt>pass rate</dt><dd data-field="pass-rate">${percent(passRate(runs))} of ${runs.length} runs</dd>
<dt>tests</dt><dd>${last.counts.passed} passed, ${last.counts.failed} failed, ${last.counts.flaky} flaky, ${last.counts.refused} refused</dd>
</dl>${failures}</section>`;
}

/** Bars of the share of runs that passed, one per day. */
function passRateBars(runs: readonly HistoryEntry[]): Bar[] {
  const days = new Map<string, HistoryEntry[]>();
  for (const run of runs)
    days.set(day(run.startedAt), [...(days.get(day(run.startedAt)) ?? []), run]);
  return [...days.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .flatMap(([date, ofDay]) => {
      const rate = passRate(ofDay);
      if (rate === undefined) return [];
      const passed = ofDay.filter((run) => run.status === 'passed').length;
      return [
        {
          label: date.slice(5),
          value: rate * 100,
          color: rate === 1 ? COLORS.passed : rate === 0 ? COLORS.failed : '#ef6c00',
          title: `${date}: ${passed} of ${ofDay.filter((r) => r.status !== 'interrupted').length} runs passed`,
        },
      ];
    });
}

/** Bars of each recent run's duration, coloured by its status. */
function durationBars(runs: readonly HistoryEntry[]): Bar[] {
  return runs.slice(-RECENT_RUNS).map((run) => ({
    label: `${run.startedAt.slice(5, 10)} ${run.startedAt.slice(11, 16)}`,
    value: run.durationMs / 1000,
    color: COLORS[run.status],
    title: `${when(run.startedAt)}: ${run.status} in ${seconds(run.durationMs)} (${run.release ?? 'release unknown'})`,
  }));
}

/** Bars of each deploy's longest outage, labelled by the release it deployed. */
function downtimeBars(runs: readonly HistoryEntry[]): Bar[] {
  return runs.flatMap((run) => {
    const downtime = run.deploy?.downtimeMs;
    if (downtime === undefined) return [];
    const over =
      run.deploy?.downtimeBudgetMs !== undefined && downtime > run.deploy.downtimeBudgetMs;
    return [
      {
        label: run.release ?? '?',
        value: downtime,
        color: over ? COLORS.failed : COLORS.line,
        title: `${run.release ?? 'release unknown'} (${when(run.startedAt)}): down for ${downtime} ms${run.deploy?.pixelsChanged !== undefined ? `, ${run.deploy.pixelsChanged} pixels changed` : ''}`,
      },
    ];
  });
}

/** The tests that were flaky most often, with how often each was flaky and failed. */
function flakiest(runs: readonly HistoryEntry[], limit = 10): string {
  const counts = new Map<string, number>();
  for (const run of runs)
    for (const test of run.flaky) counts.set(test, (counts.get(test) ?? 0) + 1);
  const rows = [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, limit);
  if (!rows.length) return '<p class="none" data-field="flakiest">no flaky test in these runs</p>';
  return `<table data-field="flakiest"><thead><tr><th>test</th><th>flaky in</th></tr></thead><tbody>${rows
    .map(([test, n]) => `<tr><td>${escapeHtml(test)}</td><td>${n} of ${runs.length} runs</td></tr>`)
    .join('')}</tbody></table>`;
}

/** The whole of one target's history. */
function targetSection(target: string, runs: readonly HistoryEntry[]): string {
  const downtime = downtimeBars(runs);
  const budget = runs.findLast((run) => run.deploy?.downtimeBudgetMs !== undefined)?.deploy
    ?.downtimeBudgetMs;
  return `<section class="target" data-history="${escapeHtml(target)}">
<h2>${escapeHtml(target)}: ${runs.length} runs since ${day(runs[0]!.startedAt)}</h2>
<h3>Pass rate per day</h3>
${barChart(`${target} pass rate per day`, passRateBars(runs), { unit: '%', max: 100 })}
<h3>Duration of each run</h3>
${barChart(`${target} duration`, durationBars(runs), { unit: ' s' })}
<h3>Downtime of each deploy, by release</h3>
${
  downtime.length
    ? barChart(`${target} downtime per deploy`, downtime, {
        unit: ' ms',
        ...(budget !== undefined ? { limit: { value: budget, label: `budget ${budget} ms` } } : {}),
      })
    : '<p class="none">no deploy measured in these runs</p>'
}
<h3>Flakiest tests</h3>
${flakiest(runs)}
</section>`;
}

const STYLE = `body{font-family:system-ui,sans-serif;margin:24px;color:#212121;max-width:1000px}
h1{font-size:22px}h2{font-size:18px;margin-top:32px;border-bottom:1px solid #ddd}h3{font-size:15px}
.cards{display:flex;flex-wrap:wrap;gap:16px}.card{border:1px solid #ccc;border-left:8px solid;border-radius:6px;padding:8px 16px;min-width:280px}
.card.passed{border-left-color:${COLORS.passed}}.card.failed{border-left-color:${COLORS.failed}}.card.interrupted{border-left-color:${COLORS.interrupted}}
.badge{color:#fff;border-radius:4px;padding:2px 8px;font-size:13px}.badge[data-status=passed]{background:${COLORS.passed}}
.badge[data-status=failed]{background:${COLORS.failed}}.badge[data-status=interrupted]{background:${COLORS.interrupted}}
dl{display:grid;grid-template-columns:auto 1fr;gap:2px 12px;font-size:14px}dt{color:#666}dd{margin:0}
.failures{font-size:13px;color:${COLORS.failed}}table{border-collapse:collapse;font-size:14px}td,th{border:1px solid #ddd;padding:4px 8px;text-align:left}
.none{color:#777}footer{margin-top:32px;color:#777;font-size:12px}`;

/** The status page of `histories` (target -> runs, oldest first), made at `now`. */
export function statusPage(
  histories: ReadonlyMap<string, readonly HistoryEntry[]>,
  now: Date,
): string {
  // Oldest first by start time (a merged shard's line can land after a later run's).
  const targets = [...histories.entries()]
    .filter(([, runs]) => runs.length)
    .map(
      ([t, runs]) => [t, [...runs].sort((a, b) => a.startedAt.localeCompare(b.startedAt))] as const,
    );
  const body = targets.length
    ? `<div class="cards">${targets.map(([t, runs]) => stateCard(t, runs)).join('\n')}</div>
${targets.map(([t, runs]) => targetSection(t, runs)).join('\n')}`
    : '<p class="none">No history yet: run the suite (npx playwright test) and try again.</p>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>superlists-live-tests: status</title><style>${STYLE}</style></head>
<body><h1>superlists-live-tests: status</h1>
${body}
<footer>Made ${when(now.toISOString())} by npm run status-page from the run history; every chart is drawn from it, nothing is fetched.</footer>
</body></html>
`;
}
