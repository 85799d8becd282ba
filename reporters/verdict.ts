/**
 * The verdict: one JSON file per run (reports/verdict-<projects>.json) that CI reads and people
 * diff: the targets with their URL and live release, the counts, the tests refused for safety, the
 * failures, and the overall status. It aggregates Playwright's own results (the runner's view,
 * reporters/verdict-plugin.ts: every test the run selected, so its counts are the console's), the
 * releases read as the run began and the deploy spec's `deploy: release after` annotation
 * (reporters/verdict-hook.ts).
 *
 * The file is written by the run's global teardown (verdict-hook.ts), so it exists whatever
 * reporter a person picks (`--reporter=line` replaces the configured reporters). This reporter,
 * when configured, only adds each target's release to the Allure environment, which
 * allure-playwright writes as it ends (it is listed before this one).
 */
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import type { Reporter, Suite } from '@playwright/test/reporter';
import { ROOT } from '../helpers/config/paths.ts';
import type { TargetSettings } from '../helpers/config/index.ts';
import { MEASUREMENT } from '../helpers/run-facts.ts';
import { firstLine } from '../helpers/errors.ts';
import { OUT_OF_TIME } from '../helpers/timeline.ts';

/** A target in the verdict. */
export interface TargetVerdict {
  name: string;
  url: string;
  readOnly: boolean;
  release: string | null;
  releaseError?: string;
}

/**
 * The counts, Playwright's own: passed + failed + flaky + interrupted + skipped + didNotRun = total,
 * as the console's summary counts them. `refused` (a write refused on a read-only target) and
 * `notApplicable` (a check the target's settings rule out) are the parts of `skipped` people ask about.
 */
export interface VerdictCounts {
  total: number;
  passed: number;
  failed: number;
  flaky: number;
  interrupted: number;
  skipped: number;
  didNotRun: number;
  refused: number;
  notApplicable: number;
}

/** The verdict file's shape. */
export interface Verdict {
  runId: string;
  /** `interrupted`: stopped by a person (Ctrl-C) or a signal; says nothing about the product. */
  status: 'passed' | 'failed' | 'interrupted';
  /** Why the status is not `passed` when no failed test says it (e.g. no test ran). */
  problem?: string;
  startedAt: string;
  durationMs: number;
  targets: TargetVerdict[];
  counts: VerdictCounts;
  refused: { test: string; project: string; reason: string }[];
  failed: { test: string; project: string; error: string }[];
  /** Tests that failed and then passed on a retry (RETRIES): green, but worth watching. */
  flaky?: { test: string; project: string }[];
  interrupted: { test: string; project: string }[];
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

type Annotation = { type: string; description?: string };

/** One test as Playwright ended it: its outcome and its attempts' annotations. */
export interface TestOutcome {
  project: string;
  /** The title path below the project: `file › describe › test`. */
  title: string;
  /** Playwright's TestCase.outcome(). */
  outcome: 'expected' | 'unexpected' | 'flaky' | 'skipped';
  /** The last attempt's status; absent when the test never started. */
  status?: 'passed' | 'failed' | 'timedOut' | 'skipped' | 'interrupted';
  /** The last attempt's first error line ('' when none). */
  error: string;
  /** Per attempt, in order: the test's annotations, static and added at run time. */
  attempts: Annotation[][];
  /** The test's own annotations (a describe-level skip's reason lands here when no attempt has it). */
  annotations: Annotation[];
}

/** First line of a message, without terminal colours. */
function firstLineOf(message: string | undefined): string {
  return firstLine(stripVTControlCharacters(message ?? '')).trim();
}

/** Every test the run selected, as Playwright ended it (pure: reads the suite only). */
export function testOutcomes(root: Suite | undefined): TestOutcome[] {
  return (root?.allTests() ?? []).map((test) => {
    const last = test.results[test.results.length - 1];
    const [, project = '', ...title] = test.titlePath();
    return {
      project,
      title: title.join(' › '),
      outcome: test.outcome(),
      status: last?.status,
      // A timeout's own line names no step; the timeline's (fixtures/timeline.ts) does, wherever
      // it falls among the errors (an action abandoned by the timeout may fail after it).
      error: firstLineOf(
        (last?.status === 'timedOut'
          ? (last.errors.find((e) => e.message?.startsWith(OUT_OF_TIME)) ?? last.errors.at(-1))
          : last?.error
        )?.message,
      ),
      attempts: test.results.map((r) => r.annotations),
      annotations: test.annotations,
    };
  });
}

/**
 * The verdict's status from the counts: the one rule (other gates, e.g. a required test that did
 * not run, add their `problem` here). A gate is never green for nothing: a run where no test
 * passed (none matched, or every one was refused or not applicable) is failed, since it proved
 * nothing about the site; an interrupted run is `interrupted` whatever ran before the stop.
 */
export function verdictStatus(
  counts: VerdictCounts,
  interrupted: boolean,
): Pick<Verdict, 'status' | 'problem'> {
  if (interrupted || counts.interrupted)
    return { status: 'interrupted', problem: 'the run was interrupted (Ctrl-C or a signal)' };
  if (counts.failed) return { status: 'failed' };
  if (!counts.total)
    return {
      status: 'failed',
      problem: 'no test matched (check --grep, --project and the test paths)',
    };
  if (!counts.passed && !counts.flaky)
    return {
      status: 'failed',
      problem: `no test ran: all ${counts.total} were skipped, so the run proved nothing about the site`,
    };
  return { status: 'passed' };
}

/** Whether an attempt was stopped from outside (fixtures/applicability.ts's `interrupted`). */
const stopped = (annotations: Annotation[]) => annotations.some((a) => a.type === 'interrupted');

/** Where run `chosen` writes its verdict (relative to the root): reports/, or the run's own folder. */
export function verdictPath(chosen: readonly string[], runFolder?: string): string {
  return path.join(runFolder ?? 'reports', `verdict-${chosen.join('+')}.json`);
}

/** The verdict of a run from what it recorded. Pure: no file, no connection. */
export function aggregateVerdict(run: {
  runId: string;
  startedAt: Date;
  endedAt: Date;
  targets: TargetSettings[];
  releasesAtStart: ReadonlyMap<string, ReleaseRead>;
  tests: TestOutcome[];
  /** A SIGINT reached the runner. */
  interrupted?: boolean;
}): Verdict {
  const counts: VerdictCounts = {
    total: run.tests.length,
    passed: 0,
    failed: 0,
    flaky: 0,
    interrupted: 0,
    skipped: 0,
    didNotRun: 0,
    refused: 0,
    notApplicable: 0,
  };
  const refused: Verdict['refused'] = [];
  const failed: Verdict['failed'] = [];
  const flaky: NonNullable<Verdict['flaky']> = [];
  const interrupted: Verdict['interrupted'] = [];
  const infrastructureRetries: Verdict['infrastructureRetries'] = [];
  const releasesAfter = new Map<string, string>();
  const measurements: Verdict['measurements'] = [];
  for (const { title: test, project, outcome, status, error, attempts, annotations } of run.tests) {
    const retries = attempts.flatMap((a) =>
      a.filter((x) => x.type === 'infrastructure retry').map((x) => x.description ?? ''),
    );
    if (retries.length) infrastructureRetries.push({ test, project, retries });
    const last = attempts[attempts.length - 1] ?? annotations;
    for (const { type, description } of last) {
      if (type === MEASUREMENT && description) {
        measurements.push({ test, project, ...(JSON.parse(description) as object) });
      }
    }
    const after = last.findLast((a) => a.type === 'deploy: release after');
    if (after?.description) releasesAfter.set(project, after.description);
    // A failure Playwright was told to expect (test.fail(), a fault run's `faultRun`) is still a
    // check of the site that failed: the gate is never green for it.
    const failedAsExpected =
      outcome === 'expected' && (status === 'failed' || status === 'timedOut');
    if (outcome === 'expected' && !failedAsExpected) counts.passed++;
    else if (outcome === 'flaky') {
      counts.flaky++;
      flaky.push({ test, project });
    } else if (status === 'interrupted' || (outcome === 'unexpected' && stopped(last))) {
      counts.interrupted++;
      interrupted.push({ test, project });
    } else if (outcome === 'unexpected' || failedAsExpected) {
      counts.failed++;
      failed.push({ test, project, error });
    } else if (!last.some((a) => a.type === 'skip' || a.type === 'fixme')) counts.didNotRun++;
    else {
      counts.skipped++;
      const refusal = last.find((a) => a.type === 'refused');
      if (refusal) {
        counts.refused++;
        refused.push({ test, project, reason: refusal.description ?? '' });
      } else if (last.some((a) => a.type === 'skip' && /^not applicable/.test(a.description ?? '')))
        counts.notApplicable++;
    }
  }
  return {
    runId: run.runId,
    ...verdictStatus(counts, !!run.interrupted),
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
    flaky,
    interrupted,
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
