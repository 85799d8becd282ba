/**
 * The verdict: one JSON file per run (reports/verdict-<projects>.json) that CI reads and people
 * diff: the targets with their URL and live release, the counts, the tests refused for safety, the
 * failures, and the overall status. It only aggregates what the run recorded where the facts were
 * read: one record per test attempt (fixtures/target.ts's `_testRecord`), the releases read as the
 * run began and the deploy spec's `deploy: release after` annotation (reporters/verdict-hook.ts).
 *
 * The file is written by the run's global teardown (verdict-hook.ts), so it exists whatever
 * reporter a person picks (`--reporter=line` replaces the configured reporters). This reporter,
 * when configured, only adds each target's release to the Allure environment, which
 * allure-playwright writes as it ends (it is listed before this one).
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Reporter } from '@playwright/test/reporter';
import { ROOT } from '../helpers/config/paths.ts';
import type { TargetSettings } from '../helpers/config/index.ts';
import { MEASUREMENT, type TestRecord } from '../helpers/run-facts.ts';

/** A target in the verdict. */
export interface TargetVerdict {
  name: string;
  url: string;
  readOnly: boolean;
  release: string | null;
  releaseError?: string;
}

/** The verdict file's shape. */
export interface Verdict {
  runId: string;
  status: 'passed' | 'failed';
  startedAt: string;
  durationMs: number;
  targets: TargetVerdict[];
  counts: {
    total: number;
    passed: number;
    failed: number;
    flaky: number;
    skipped: number;
    refused: number;
  };
  refused: { test: string; project: string; reason: string }[];
  failed: { test: string; project: string; error: string }[];
  /** Told apart from product failures: tests whose requests were retried. */
  infrastructureRetries: { test: string; project: string; retries: string[] }[];
  /**
   * What tests measured, whatever their outcome, with the budget each was held to: the deploy
   * spec's availability (probes, failed probes by status, longest gap) and pictures (pixels changed).
   */
  measurements: ({ test: string; project: string } & Record<string, unknown>)[];
}

/** A release as read at the start of the run: the release, or why there is none. */
export type ReleaseRead = Pick<TargetVerdict, 'release' | 'releaseError'>;

/** The verdict of a run from what it recorded. Pure: no file, no connection. */
export function aggregateVerdict(run: {
  runId: string;
  startedAt: Date;
  endedAt: Date;
  targets: TargetSettings[];
  releasesAtStart: ReadonlyMap<string, ReleaseRead>;
  records: TestRecord[];
}): Verdict {
  // The attempts of each test, in order: the last one is its outcome.
  const attempts = new Map<string, TestRecord[]>();
  for (const record of [...run.records].sort((a, b) => a.retry - b.retry)) {
    attempts.set(record.id, [...(attempts.get(record.id) ?? []), record]);
  }
  const counts = { total: attempts.size, passed: 0, failed: 0, flaky: 0, skipped: 0, refused: 0 };
  const refused: Verdict['refused'] = [];
  const failed: Verdict['failed'] = [];
  const infrastructureRetries: Verdict['infrastructureRetries'] = [];
  const releasesAfter = new Map<string, string>();
  const measurements: Verdict['measurements'] = [];
  for (const tries of attempts.values()) {
    const last = tries[tries.length - 1]!;
    const { title: test, project } = last;
    const retries = tries.flatMap((t) =>
      t.annotations
        .filter((a) => a.type === 'infrastructure retry')
        .map((a) => a.description ?? ''),
    );
    if (retries.length) infrastructureRetries.push({ test, project, retries });
    for (const { type, description } of last.annotations) {
      if (type === MEASUREMENT && description) {
        measurements.push({ test, project, ...(JSON.parse(description) as object) });
      }
    }
    const after = last.annotations.findLast((a) => a.type === 'deploy: release after');
    if (after?.description) releasesAfter.set(project, after.description);
    const refusal = last.annotations.find((a) => a.type === 'refused');
    if (refusal) {
      counts.refused++;
      refused.push({ test, project, reason: refusal.description ?? '' });
    } else if (last.status === 'skipped') counts.skipped++;
    else if (last.status === last.expectedStatus) {
      if (tries.some((t) => t.status !== t.expectedStatus)) counts.flaky++;
      else counts.passed++;
    } else {
      counts.failed++;
      failed.push({ test, project, error: last.error });
    }
  }
  return {
    runId: run.runId,
    status: counts.failed ? 'failed' : 'passed',
    startedAt: run.startedAt.toISOString(),
    durationMs: run.endedAt.getTime() - run.startedAt.getTime(),
    targets: run.targets.map((target) => {
      // The release live at the end: the one a deploy spec saw go live, else the one at the start.
      const after = releasesAfter.get(target.name);
      const start = run.releasesAtStart.get(target.name) ?? {
        release: null,
        releaseError: 'not read',
      };
      return {
        name: target.name,
        url: target.url,
        readOnly: target.readOnly,
        ...(after ? { release: after } : start),
      };
    }),
    counts,
    refused,
    failed,
    infrastructureRetries,
    measurements,
  };
}

export default class VerdictReporter implements Reporter {
  constructor(
    private readonly options: {
      outputFile?: string;
      /** Where allure-playwright writes this run's results: the release joins its environment. */
      allureResultsDir?: string;
    } = {},
  ) {}

  onEnd(): void {
    // The global teardown (verdict-hook.ts) has written the verdict by now.
    if (!this.options.allureResultsDir) return;
    const verdictFile = path.resolve(ROOT, this.options.outputFile ?? 'reports/verdict.json');
    const env = path.resolve(ROOT, this.options.allureResultsDir, 'environment.properties');
    if (!existsSync(verdictFile) || !existsSync(env)) return;
    const { targets } = JSON.parse(readFileSync(verdictFile, 'utf8')) as Verdict;
    const lines = targets.map(
      (t) => `release.${t.name}=${t.release ?? `unknown (${t.releaseError ?? ''})`}`,
    );
    appendFileSync(env, `\n${lines.join('\n')}\n`);
  }

  printsToStdio(): boolean {
    return false;
  }
}
