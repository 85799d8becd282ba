import { settings } from './helpers/config/index.ts';
import { preflight, preflightServices } from './helpers/preflight.ts';

/**
 * Runs once before any test: the preflight of every chosen remote target (the built-in site is
 * checked by Playwright's webServer). A target that is down stops the run with one line.
 */
export default async function globalSetup(): Promise<void> {
  if (!settings.suite.preflight) return;
  const remote = settings.chosen
    .filter((name) => name !== 'local')
    .map((name) => settings.targets[name]!);
  // The site first: when it is down, that is the one line worth reading.
  const sites = (await Promise.all(remote.map(preflight))).filter(Boolean);
  const problems = sites.length ? sites : (await Promise.all(remote.map(preflightServices))).flat();
  if (problems.length) {
    for (const problem of problems) console.error(`superlists-live-tests: ${problem}`);
    process.exit(2);
  }
}
