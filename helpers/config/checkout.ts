/**
 * Two runs in one checkout at once. Playwright empties its output folder (test-results/) as a run
 * begins, and the built-in site keeps one PostgreSQL in .local-data/: a second run would wipe the
 * first one's results and stop its database. So the first run holds the checkout (a lock file with
 * its pid, reports/.run/checkout.lock); a run that finds it held by a live run gets folders of its
 * own: its results and verdict under reports/runs/<run id>/, its built-in site's data under
 * .local-data/runs/<run id>/ (a fresh database, removed when the run ends). A lock left by a run
 * that died is taken over.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';

/** Whether `pid` is a live Playwright run (not a pid the system gave to another program since). */
function liveRun(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('playwright');
  } catch {
    return true; // no /proc: alive is the best we know
  }
}

/**
 * Claims the checkout for process `pid` through `lockFile`: `{}` when it now holds it (release it
 * as it exits), else the pid of the live run (`alive`) that holds it.
 */
export function claimCheckout(
  lockFile: string,
  pid = process.pid,
  alive: (pid: number) => boolean = liveRun,
): { holder?: number } {
  mkdirSync(path.dirname(lockFile), { recursive: true });
  for (let attempt = 0; ; attempt++) {
    try {
      const fd = openSync(lockFile, 'wx');
      writeSync(fd, `${pid}\n`);
      closeSync(fd);
      return {};
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number(readFileSync(lockFile, 'utf8').trim());
    if (holder === pid) return {};
    // A live run holds it; or, after one take-over, whoever took it over first does.
    if ((holder && alive(holder)) || attempt > 0) return { holder };
    rmSync(lockFile, { force: true }); // stale: its run is gone; claim it again
  }
}

/** Releases the checkout if this process holds it. */
export function releaseCheckout(lockFile: string, pid = process.pid): void {
  try {
    if (Number(readFileSync(lockFile, 'utf8').trim()) === pid) rmSync(lockFile, { force: true });
  } catch {
    // not held
  }
}

/** The folder of a run that found the checkout held (relative to the repository root). */
export const ownRunFolder = (runId: string) => path.join('reports', 'runs', runId);
