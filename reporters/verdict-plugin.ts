/**
 * Playwright's own view of the run, for the verdict, whatever reporter a person picks.
 *
 * `--reporter=line` replaces the configured reporters (reporters/verdict.ts with them), and the
 * workers never see a test skipped before its fixtures (a describe-level `test.skip`) nor one that
 * did not run (an interrupted run): so the verdict's counts come from the runner's reporter chain,
 * the one Playwright's console summary comes from. This runner plugin (playwright.config.ts lists
 * it under the `@playwright/test` key, the way Playwright adds its webServer) watches that chain:
 * it keeps the root suite when the run begins, notes a SIGINT, and when the run ends prints the
 * suite's summary line and makes the run's exit status agree with the verdict (a run where no test
 * ran exits non-zero). The verdict itself is written by the global teardown (verdict-hook.ts),
 * which reads what this plugin kept: both run in Playwright's runner process.
 *
 * Playwright's plugin interface is not public: a Playwright upgrade must keep
 * harness/selftest/verdict.test.ts green.
 */
import type { FullResult, Suite } from '@playwright/test/reporter';
import { checkoutNote } from '../helpers/config/entry.ts';
import type { Verdict } from './verdict.ts';

/** What the runner saw, shared by this plugin and the global teardown (one process, maybe two module copies). */
export interface RunnerView {
  /** The root suite: every test the run selected, run or not. Absent: no test matched. */
  suite?: Suite;
  /** A SIGINT (Ctrl-C) reached the runner. */
  interrupted?: boolean;
  /** The run is one shard of several (--shard): its verdict is a part, recorded once merged. */
  sharded?: boolean;
  /** The verdict, once the global teardown wrote it. */
  verdict?: Verdict;
}

const KEY = Symbol.for('superlists-live-tests.runner-view');

/** The runner's view of this run (empty in a worker). */
export function runnerView(): RunnerView {
  const global = globalThis as { [KEY]?: RunnerView };
  return (global[KEY] ??= {});
}

/** The one line the suite prints at the end: Playwright's counts, with refusals named as such. */
export function summaryLine(verdict: Verdict): string {
  const { counts } = verdict;
  const readOnly = verdict.targets.filter((t) => t.readOnly).map((t) => t.name);
  const because = readOnly.length
    ? ` (${readOnly.join(', ')} ${readOnly.length > 1 ? 'are' : 'is'} read-only)`
    : '';
  const parts = [
    `${counts.passed} passed`,
    `${counts.failed} failed`,
    counts.flaky && `${counts.flaky} flaky`,
    counts.interrupted && `${counts.interrupted} interrupted`,
    counts.didNotRun && `${counts.didNotRun} did not run`,
    `${counts.refused} refused${counts.refused ? because : ''}`,
    `${counts.notApplicable} not applicable`,
    counts.skipped - counts.refused - counts.notApplicable &&
      `${counts.skipped - counts.refused - counts.notApplicable} skipped`,
  ].filter(Boolean);
  const status =
    verdict.status === 'passed'
      ? 'passed'
      : `${verdict.status}${verdict.problem ? `: ${verdict.problem}` : ''}`;
  return `superlists-live-tests: verdict ${status}${counts.total ? ` (${parts.join(', ')})` : ''}`;
}

/** The runner's reporter chain (Playwright's internal reporter, its v2 interface). */
interface ReporterChain {
  onBegin(suite: Suite): void;
  onEnd(result: FullResult): Promise<{ status?: FullResult['status'] } | undefined | void>;
}

/** The plugin (Playwright calls `setup` before the global setups, with the runner's reporter chain). */
export const verdictPlugin = {
  setup(
    config: { shard?: unknown } | undefined,
    _configDir: string,
    reporter: ReporterChain,
  ): void {
    const view = runnerView();
    view.sharded = Boolean(config?.shard);
    process.once('SIGINT', () => (view.interrupted = true));
    const onBegin = reporter.onBegin.bind(reporter);
    const onEnd = reporter.onEnd.bind(reporter);
    reporter.onBegin = (suite: Suite) => {
      view.suite = suite;
      onBegin(suite);
    };
    reporter.onEnd = async (result: FullResult) => {
      const changed = await onEnd(result);
      const verdict = view.verdict;
      if (!verdict) return changed;
      console.log(summaryLine(verdict));
      const note = checkoutNote();
      if (note) console.log(note);
      // Interrupted stays interrupted (exit 130); a failed verdict never exits 0.
      const status = changed?.status ?? result.status;
      return verdict.status === 'failed' && status === 'passed' ? { status: 'failed' } : changed;
    };
  },
};
