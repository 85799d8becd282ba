/**
 * The run history: one JSON line per run, appended to `<HISTORY_DIR>/<target>.jsonl` (the run's
 * projects joined by `+`), the newest last, at most HISTORY_MAX_RUNS lines. Each line is the
 * verdict in brief: what the status page draws and what the alerts count red runs from.
 */
import {
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  writeFileSync,
  existsSync,
} from 'node:fs';
import path from 'node:path';
import type { Verdict } from '../../reporters/verdict.ts';

/** One run in the history. */
export interface HistoryEntry {
  runId: string;
  /** The run's projects, `staging` or `staging+production`. */
  target: string;
  status: Verdict['status'];
  problem?: string;
  startedAt: string;
  durationMs: number;
  /** The live release at the end of the run (each target's, joined by ", "), or null. */
  release: string | null;
  counts: Verdict['counts'];
  /** First line of each failure, `test: error`. */
  failed: string[];
  flaky: string[];
  refused: string[];
  /** The deploy spec's measurements, when it ran. */
  deploy?: {
    /** Longest time the site did not answer during the redeploy, in milliseconds. */
    downtimeMs?: number;
    /** The budget it was held to (DEPLOY_GAP_BUDGET_MS). */
    downtimeBudgetMs?: number;
    failedProbes?: number;
    probes?: number;
    /** Pixels changed across the pages pictured before and after, and the largest share of a page. */
    pixelsChanged?: number;
    largestShare?: number;
  };
}

const numberOf = (value: unknown) => (typeof value === 'number' ? value : undefined);

/** The history line of `verdict` (a run of `target`). Pure. */
export function historyEntry(verdict: Verdict, target: string): HistoryEntry {
  const availability = verdict.measurements.find((m) => m.kind === 'availability');
  const pictures = verdict.measurements.filter((m) => m.kind === 'picture');
  const releases = verdict.targets.map((t) => t.release).filter((r): r is string => !!r);
  const deploy =
    availability || pictures.length
      ? {
          downtimeMs: numberOf(availability?.longestGapMs),
          downtimeBudgetMs: numberOf(availability?.budgetMs),
          failedProbes: numberOf(availability?.failedProbes),
          probes: numberOf(availability?.probes),
          ...(pictures.length
            ? {
                pixelsChanged: pictures.reduce(
                  (sum, p) => sum + (numberOf(p.pixelsChanged) ?? 0),
                  0,
                ),
                largestShare: Math.max(...pictures.map((p) => numberOf(p.share) ?? 0)),
              }
            : {}),
        }
      : undefined;
  return {
    runId: verdict.runId,
    target,
    status: verdict.status,
    ...(verdict.problem ? { problem: verdict.problem } : {}),
    startedAt: verdict.startedAt,
    durationMs: verdict.durationMs,
    release: releases.length ? releases.join(', ') : null,
    counts: verdict.counts,
    failed: verdict.failed.map((f) => `${f.test}: ${f.error}`),
    flaky: (verdict.flaky ?? []).map((f) => f.test),
    refused: verdict.refused.map((r) => r.test),
    ...(deploy ? { deploy } : {}),
  };
}

/** The history file of `target` in `dir`. */
export function historyFile(dir: string, target: string): string {
  return path.join(dir, `${target}.jsonl`);
}

/** The runs in `file`, oldest first; a line that is not an entry (a torn write) is left out. */
export function readHistory(file: string): HistoryEntry[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .flatMap((line) => {
      try {
        const entry = JSON.parse(line) as HistoryEntry;
        return entry && typeof entry.status === 'string' && entry.counts ? [entry] : [];
      } catch {
        return [];
      }
    });
}

/** Every history in `dir`: target -> runs, oldest first. */
export function readHistories(dir: string): Map<string, HistoryEntry[]> {
  const histories = new Map<string, HistoryEntry[]>();
  if (!existsSync(dir)) return histories;
  for (const name of readdirSync(dir).sort()) {
    if (name.endsWith('.jsonl'))
      histories.set(name.slice(0, -6), readHistory(path.join(dir, name)));
  }
  return histories;
}

/**
 * Appends `entry` to its target's history in `dir`, keeping the newest `maxRuns`; written to a
 * temporary file and renamed, so a reader never sees half a history. Returns the history after.
 */
export function appendHistory(dir: string, entry: HistoryEntry, maxRuns: number): HistoryEntry[] {
  const file = historyFile(dir, entry.target);
  const runs = [...readHistory(file).filter((run) => run.runId !== entry.runId), entry].slice(
    -maxRuns,
  );
  mkdirSync(dir, { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, runs.map((run) => JSON.stringify(run)).join('\n') + '\n');
  renameSync(temporary, file);
  return runs;
}
