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
import { releaseFrom, runAction } from '../helpers/actions.ts';
import { firstLine } from '../helpers/errors.ts';
import { currentSettings, ROOT, type TargetSettings } from '../helpers/config/index.ts';
import { removeRunFacts } from '../helpers/run-facts.ts';
import { connectSsh } from '../helpers/ssh.ts';
import { runnerView } from './verdict-plugin.ts';
import { aggregateVerdict, testOutcomes, verdictPath, type ReleaseRead } from './verdict.ts';

async function readRelease(target: TargetSettings): Promise<ReleaseRead> {
  if (!target.releaseProbe) return { release: null, releaseError: 'no release probe configured' };
  const ssh = target.ssh;
  let connection: ReturnType<typeof connectSsh> | undefined;
  try {
    const result = await runAction(target.releaseProbe, {
      ssh: ssh ? () => (connection ??= connectSsh(ssh)) : undefined,
    });
    const read = releaseFrom(result);
    return 'release' in read
      ? read
      : { release: null, releaseError: `probe ${firstLine(read.problem)}` };
  } catch (error) {
    return { release: null, releaseError: firstLine(error) };
  } finally {
    if (connection) (await connection.catch(() => undefined))?.dispose();
  }
}

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
    const file = path.join(ROOT, verdictPath(settings.chosen, settings.suite.runFolder));
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(verdict, null, 2)}\n`);
    removeRunFacts(runId);
  };
}
