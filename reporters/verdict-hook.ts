/**
 * The verdict's global setup and teardown (playwright.config.ts lists it after global-setup.ts):
 * as the run begins, it notes the time and reads each chosen target's live release (the facts the
 * verdict needs that no test reads; the built-in site is gone once the run has ended); when the
 * run ends it aggregates Playwright's results (kept by verdict-plugin.ts) into
 * reports/verdict-<projects>.json. A global hook runs whatever reporter a person picks, so the
 * verdict is always written.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { currentSettings, ROOT, type Settings } from '../helpers/config/index.ts';
import { recordRun } from '../helpers/daily/record.ts';
import { firstLine } from '../helpers/errors.ts';
import { removeRunFacts } from '../helpers/run-facts.ts';
import { readRelease } from '../helpers/release.ts';
import { runnerView } from './verdict-plugin.ts';
import {
  aggregateVerdict,
  testOutcomes,
  verdictPath,
  type ReleaseRead,
  type Verdict,
} from './verdict.ts';

/** Global setup: starts the release reads (not awaited: no test waits for them); returns the teardown. */
export default function verdictHook(): () => Promise<void> {
  const startedAt = new Date();
  const settings = currentSettings();
  const targets = settings.chosen.map((name) => settings.targets[name]!);
  const releases = Promise.all(
    targets.map(async (target) => [target.name, await readRelease(target)] as const),
  ).then((entries) => new Map<string, ReleaseRead>(entries));
  return async () => {
    const runId = settings.suite.runId;
    const view = runnerView();
    const verdict = aggregateVerdict({
      runId,
      startedAt,
      endedAt: new Date(),
      targets,
      releasesAtStart: await releases,
      tests: testOutcomes(view.suite),
      interrupted: view.interrupted,
    });
    view.verdict = verdict;
    // A shard's verdict is a part: `npm run record` records the shards' merged verdict.
    await writeVerdict(verdict, settings, { record: !view.sharded });
    removeRunFacts(runId);
  };
}

/**
 * Writes `verdict` to reports/verdict-<projects>.json and, with `record`, records the run
 * (history, alert, job summary: helpers/daily/record.ts), printing what that has to say.
 */
export async function writeVerdict(
  verdict: Verdict,
  settings: Settings,
  { record }: { record: boolean },
): Promise<void> {
  const file = path.join(ROOT, verdictPath(settings.chosen, settings.suite.runFolder));
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(verdict, null, 2)}\n`);
  if (!record) return;
  try {
    for (const line of await recordRun(verdict, settings))
      console.log(`superlists-live-tests: ${line}`);
  } catch (error) {
    console.error(
      `superlists-live-tests: the run was not recorded in the history: ${firstLine(error)}`,
    );
  }
}
