import { currentSettings } from './helpers/config/index.ts';
import { preflight } from './helpers/preflight.ts';
import { HEADINGS } from './pages/contract.ts';

/**
 * Runs once before any test, after Playwright's webServer is up: the preflight of every chosen
 * target, the built-in site included. A site that is down or broken on `/` stops the run with one
 * line. The services (database, SSH, deploy) are checked by the fixtures that use them.
 */
export default async function globalSetup(): Promise<void> {
  const { suite, chosen, targets } = currentSettings();
  if (!suite.preflight) return;
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
