import { currentSettings } from './helpers/config/index.ts';
import { preflight } from './helpers/preflight.ts';
import { readRelease, waitForRelease } from './helpers/release.ts';
import { writeVerdict } from './reporters/verdict-hook.ts';
import { aggregateVerdict } from './reporters/verdict.ts';
import { HEADINGS } from './pages/contract.ts';

/**
 * Runs once before any test, after Playwright's webServer is up: the preflight of every chosen
 * target, the built-in site included. A site that is down or broken on `/` stops the run with one
 * line. Then, for a target with <TARGET>_EXPECT_RELEASE, the bounded wait for that release: one
 * that never goes live stops the run with one line naming the release found, and a failed verdict
 * (recorded like any run's, so it alerts). The services (database, SSH, deploy) are checked by the
 * fixtures that use them.
 */
export default async function globalSetup(): Promise<void> {
  const settings = currentSettings();
  const { suite, chosen, targets, daily } = settings;
  if (suite.preflight) {
    const problems = (
      await Promise.all(
        chosen.map((name) => preflight(targets[name]!, suite.preflightTimeoutMs, HEADINGS.home)),
      )
    ).filter(Boolean);
    if (problems.length) {
      for (const problem of problems) console.error(`superlists-live-tests: ${problem}`);
      process.exit(2);
    }
  }
  const startedAt = new Date();
  const chosenTargets = chosen.map((name) => targets[name]!);
  const waits = (
    await Promise.all(chosenTargets.map((t) => waitForRelease(t, daily.expectReleaseTimeoutMs)))
  ).filter((line): line is string => !!line);
  if (!waits.length) return;
  const releases = await Promise.all(
    chosenTargets.map(async (t) => [t.name, await readRelease(t)] as const),
  );
  const verdict = aggregateVerdict({
    runId: suite.runId,
    startedAt,
    endedAt: new Date(),
    targets: chosenTargets,
    releasesAtStart: new Map(releases),
    tests: [],
  });
  verdict.problem = waits.join('; ');
  await writeVerdict(verdict, settings, { record: true });
  for (const line of waits) console.error(`superlists-live-tests: ${line}`);
  process.exit(2);
}
