/**
 * The entry Playwright loads (from playwright.config.ts): the one place where configuring the run
 * has side effects. It reads the env file, gives the built-in site a free port, reads the commit
 * id and makes the run id, each only when not inherited, writes the SUPERLISTS_* variables the
 * workers inherit, and validates everything; on a bad value it prints one line and exits 2
 * (Playwright would otherwise print a stack trace for an error thrown while loading the config).
 * Importing it does nothing.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { claimCheckout, ownRunFolder, releaseCheckout } from './checkout.ts';
import {
  chosenTargets,
  ConfigError,
  envFileValues,
  loadSettings,
  nodeIo,
  ROOT,
  type Settings,
} from './index.ts';

/** A free TCP port on the loopback interface (asked of a short-lived child: the config is sync). */
function freePort(): string {
  const probe = spawnSync(
    process.execPath,
    [
      '-e',
      "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})",
    ],
    { encoding: 'utf8' },
  );
  const port = probe.stdout?.trim();
  if (!port)
    throw new ConfigError('could not find a free port for the built-in site: set LOCAL_PORT');
  return port;
}

function gitCommit(): string {
  const git = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' });
  return git.stdout?.trim() || 'unknown';
}

let sharedCheckoutNote: string | undefined;

/**
 * Where this run keeps its results when another run held the checkout as it began (one line, said
 * after the verdict: a bad input or a failed preflight stays one line); undefined otherwise.
 */
export function checkoutNote(): string | undefined {
  return sharedCheckoutNote;
}

/**
 * Once per run (workers inherit SUPERLISTS_RUN_FOLDER): claims the checkout, or, when another live
 * run holds it, gives this run folders of its own (results, verdict, the built-in site's data) and
 * returns the line that says where they are.
 */
function shareCheckout(
  env: NodeJS.ProcessEnv,
  runId: string,
  chosen: readonly string[],
): string | undefined {
  const lock = path.join(ROOT, 'reports', '.run', 'checkout.lock');
  const runs = path.join(ROOT, '.local-data', 'runs');
  mkdirSync(runs, { recursive: true });
  // Earlier runs' databases, moved aside as they exited: deleted while this run works.
  for (const entry of readdirSync(runs)) {
    if (entry.startsWith('.trash-'))
      void rm(path.join(runs, entry), { recursive: true, force: true }).catch(() => undefined);
  }
  const { holder } = claimCheckout(lock);
  if (holder === undefined) {
    env.SUPERLISTS_RUN_FOLDER = '';
    process.on('exit', () => releaseCheckout(lock));
    return undefined;
  }
  const folder = ownRunFolder(runId);
  env.SUPERLISTS_RUN_FOLDER = folder;
  let data = '';
  if (chosen.includes('local') && !env.SUPERLISTS_LOCAL_DATA?.trim()) {
    data = path.relative(ROOT, path.join(runs, runId));
    env.SUPERLISTS_LOCAL_DATA = path.join(ROOT, data);
    // A fresh database per run is not kept. Deleting its ~1300 files as the process exits took
    // 3 s on a busy machine, all of it after Ctrl-C: it is moved aside at once instead (a rename)
    // and deleted in the background by the next run (above).
    process.on('exit', () => {
      try {
        renameSync(path.join(ROOT, data), path.join(runs, `.trash-${runId}`));
      } catch {
        // never made: the run stopped before the site started
      }
    });
  }
  return `superlists-live-tests: another run (pid ${holder}) was using this checkout; this one kept its results and verdict in ${folder}/${data ? ` and its built-in site's data in ${data}/` : ''}`;
}

/**
 * Prepares this process's environment for the run (once; workers inherit it, so they neither
 * spawn nor run git) and returns the validated settings. Exits 2 with one line on a bad value.
 */
export function configureRun(): Settings {
  const env = process.env;
  try {
    // Real environment variables win over the file.
    for (const [name, value] of Object.entries(envFileValues(env, nodeIo))) {
      if (env[name] === undefined) env[name] = value;
    }
    const chosen = chosenTargets(env, process.argv);
    env.SUPERLISTS_TARGETS = chosen.join(',');
    if (chosen.includes('local') && !env.LOCAL_PORT?.trim() && !env.SUPERLISTS_LOCAL_PORT) {
      env.SUPERLISTS_LOCAL_PORT = freePort();
    }
    // The built-in site's PostgreSQL gets its port here too, so the suite can reach its database.
    if (chosen.includes('local') && !env.SUPERLISTS_LOCAL_PG_PORT) {
      env.SUPERLISTS_LOCAL_PG_PORT = freePort();
    }
    // The built-in site creates sessions for this run's workers only (its create_session route).
    if (chosen.includes('local'))
      env.SUPERLISTS_LOCAL_SESSION_TOKEN ||= randomBytes(24).toString('hex');
    if (!env.GITHUB_SHA?.trim() && !env.SUPERLISTS_COMMIT) env.SUPERLISTS_COMMIT = gitCommit();
    env.SUPERLISTS_RUN_ID ||= `${new Date().toISOString().slice(0, 19).replace(/\D/g, '')}-${randomBytes(3).toString('hex')}`;
    const note =
      env.SUPERLISTS_RUN_FOLDER === undefined
        ? shareCheckout(env, env.SUPERLISTS_RUN_ID, chosen)
        : undefined;
    const settings = loadSettings(env, process.argv, nodeIo);
    sharedCheckoutNote = note;
    return settings;
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`superlists-live-tests: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
}
