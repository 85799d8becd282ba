/**
 * Watches a site while it deploys: one probe every `intervalMs`, each bounded, recording failed
 * answers and the longest stretch during which the site did not answer well.
 */
import type { APIRequestContext } from '@playwright/test';
import { firstLine } from './actions.ts';

/** What the watcher saw. */
export interface AvailabilityReport {
  probes: number;
  failures: number;
  /** Longest time from a failed probe to the next good one, in milliseconds. */
  longestGapMs: number;
  /** What the failed probes got, e.g. `502` or `connection refused` (at most 20). */
  failureSamples: string[];
}

/** Starts probing `path` with `request`; call the returned `stop()` to end and get the report. */
export function watchAvailability(
  request: APIRequestContext,
  path = '/',
  intervalMs = 100,
): { stop: () => Promise<AvailabilityReport> } {
  const report: AvailabilityReport = {
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
    try {
      // maxRetries 0: a reset is a gap to record, not one to paper over.
      const response = await request.get(path, { timeout: 2_000, maxRedirects: 0, maxRetries: 0 });
      if (response.status() >= 500) problem = String(response.status());
    } catch (error) {
      problem = firstLine(error);
    }
    report.probes++;
    if (problem) {
      report.failures++;
      if (report.failureSamples.length < 20) report.failureSamples.push(problem);
      downSince ??= started;
    } else if (downSince !== undefined) {
      report.longestGapMs = Math.max(report.longestGapMs, Date.now() - downSince);
      downSince = undefined;
    }
  };

  const timer = setInterval(() => {
    inFlight ??= probe().finally(() => (inFlight = undefined));
  }, intervalMs);

  return {
    stop: async () => {
      clearInterval(timer);
      await inFlight;
      if (downSince !== undefined)
        report.longestGapMs = Math.max(report.longestGapMs, Date.now() - downSince);
      return report;
    },
  };
}
