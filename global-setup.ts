import { settings } from './helpers/config.ts';
import { preflight } from './helpers/preflight.ts';

/**
 * Runs once before any test: the preflight of every chosen remote target (the built-in site is
 * checked by Playwright's webServer). A target that is down stops the run with one line.
 */
export default async function globalSetup(): Promise<void> {
  if (!settings.suite.preflight) return;
  const remote = settings.chosen
    .filter((name) => name !== 'local')
    .map((name) => settings.targets[name]!);
  const problems = (await Promise.all(remote.map(preflight))).filter(Boolean);
  if (problems.length) {
    for (const problem of problems) console.error(`superlists-live-tests: ${problem}`);
    process.exit(2);
  }
}
