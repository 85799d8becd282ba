/**
 * Watches a site while it deploys: one probe every `intervalMs`, each bounded, recording failed
 * answers and the longest stretch during which the site did not answer well.
 */
import type { APIRequestContext } from '@playwright/test';
import { firstLine } from './errors.ts';

/** One probe: when it started (ms after the watcher did), what it got and how long it took. */
export interface ProbeSample {
  atMs: number;
  latencyMs: number;
  /** The HTTP status, when there was an answer. */
  status?: number;
  /** Why it failed (a 5xx, a refused connection...); undefined for a good answer. */
  problem?: string;
}

/** What the watcher saw. */
export interface AvailabilityReport {
  /** When the watcher started (epoch ms): the probes' `atMs` count from here. */
  startedAt: number;
  /** How long it watched, in milliseconds. */
  durationMs: number;
  /** Every probe, in order (for the chart). */
  samples: ProbeSample[];
  probes: number;
  failures: number;
  /** Longest time from a failed probe to the next good one, in milliseconds. */
  longestGapMs: number;
  /** Where the longest gap lies (ms after the start); undefined when the site never failed. */
  longestGap?: { fromMs: number; toMs: number };
  /** What the failed probes got, e.g. `502` or `connection refused` (at most 20). */
  failureSamples: string[];
}

/** Starts probing `path` with `request`; call the returned `stop()` to end and get the report. */
export function watchAvailability(
  request: APIRequestContext,
  path = '/',
  intervalMs = 100,
): { stop: () => Promise<AvailabilityReport> } {
  const startedAt = Date.now();
  const report: AvailabilityReport = {
    startedAt,
    durationMs: 0,
    samples: [],
    probes: 0,
    failures: 0,
    longestGapMs: 0,
    failureSamples: [],
  };
  let downSince: number | undefined;
  let inFlight: Promise<void> | undefined;

  const probe = async () => {
    const started = Date.now();
    let problem: string | undefined;
    let status: number | undefined;
    try {
      // maxRetries 0: a reset is a gap to record, not one to paper over.
      const response = await request.get(path, { timeout: 2_000, maxRedirects: 0, maxRetries: 0 });
      status = response.status();
      if (status >= 500) problem = String(status);
    } catch (error) {
      problem = firstLine(error);
    }
    const ended = Date.now();
    report.samples.push({ atMs: started - startedAt, latencyMs: ended - started, status, problem });
    report.probes++;
    if (problem) {
      report.failures++;
      if (report.failureSamples.length < 20) report.failureSamples.push(problem);
      downSince ??= started;
    } else if (downSince !== undefined) {
      gapEnds(downSince, ended);
      downSince = undefined;
    }
  };
  const gapEnds = (from: number, to: number) => {
    if (to - from <= report.longestGapMs) return;
    report.longestGapMs = to - from;
    report.longestGap = { fromMs: from - startedAt, toMs: to - startedAt };
  };

  const timer = setInterval(() => {
    inFlight ??= probe().finally(() => (inFlight = undefined));
  }, intervalMs);

  return {
    stop: async () => {
      clearInterval(timer);
      await inFlight;
      const stopped = Date.now();
      if (downSince !== undefined) gapEnds(downSince, stopped);
      report.durationMs = stopped - startedAt;
      return report;
    },
  };
}

/** How many probes failed, by what they got: `{ "500": 35, "connection refused": 2 }`. */
export function failuresByKind(
  report: Pick<AvailabilityReport, 'samples'>,
): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { problem } of report.samples) {
    if (problem !== undefined) counts[problem] = (counts[problem] ?? 0) + 1;
  }
  return counts;
}
