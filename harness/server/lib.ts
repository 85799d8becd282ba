// Shared pieces of server/up.ts, server/down.ts and server/status.ts: where everything lives,
// which ports are used, and small process helpers. Not part of the product: this is the local
// "VPS" that the suite deploys to and tests.
import { spawn, spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { createConnection } from 'node:net';
import { userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SERVER_SRC = dirname(fileURLToPath(import.meta.url));
/** The checkout that server/ lives in: the source repo that deploys `git archive` from. */
export const SOURCE_REPO = resolve(SERVER_SRC, '..', '..');

export const STATE = resolve(process.env.SUPERLISTS_SERVER_DIR ?? '/var/tmp/superlists-server');
export const IS_ROOT = process.getuid?.() === 0;
export const USER = userInfo().username;
export const LOOPBACK = '127.0.0.1';

export const PORTS = {
  ssh: 2222,
  postgres: 5433,
  stagingHttp: 8081,
  productionHttp: 8082,
  productionHttps: 8443,
  stagingApp: 9081,
  productionApp: 9082,
  /** OpenSMTPD: the sites' outgoing mail (EMAIL_URL); it hands every message to Dovecot's LMTP. */
  smtp: 2525,
  /** Dovecot's LMTP: local delivery into the one maildir (only OpenSMTPD talks to it). */
  lmtp: 2424,
  /** Dovecot's IMAP: the suite reads the login mail here. */
  imap: 1143,
  /** The third-edition target: the `superlists` container (host network, loopback only). */
  container: 8091,
} as const;

export type SiteName = 'staging' | 'production';
export interface Site {
  name: SiteName;
  appPort: number;
  /** The URL the site is reached at through nginx. */
  url: string;
  /** production only: the plain-http listener that redirects to `url`. */
  httpUrl?: string;
  dbName: string;
}
export const SITES: readonly Site[] = [
  {
    name: 'staging',
    appPort: PORTS.stagingApp,
    url: `http://${LOOPBACK}:${PORTS.stagingHttp}`,
    dbName: 'superlists_staging',
  },
  {
    name: 'production',
    appPort: PORTS.productionApp,
    url: `https://${LOOPBACK}:${PORTS.productionHttps}`,
    httpUrl: `http://${LOOPBACK}:${PORTS.productionHttp}`,
    dbName: 'superlists_production',
  },
];

export const P = {
  marker: join(STATE, '.superlists-server'),
  serverEnv: join(STATE, 'server.env'),
  bin: join(STATE, 'bin'),
  deploy: join(STATE, 'bin', 'deploy'),
  supervise: join(STATE, 'bin', 'supervise'),
  supervisor: join(STATE, 'bin', 'supervisor.mjs'),
  keys: join(STATE, 'keys'),
  deployKey: join(STATE, 'keys', 'deploy_ed25519'),
  hostKey: join(STATE, 'keys', 'ssh_host_ed25519_key'),
  authorizedKeys: join(STATE, 'keys', 'authorized_keys'),
  knownHosts: join(STATE, 'keys', 'known_hosts'),
  secrets: join(STATE, 'secrets'),
  tls: join(STATE, 'tls'),
  cert: join(STATE, 'tls', 'cert.pem'),
  certKey: join(STATE, 'tls', 'key.pem'),
  logs: join(STATE, 'logs'),
  run: join(STATE, 'run'),
  sshdConfig: join(STATE, 'sshd', 'sshd_config'),
  sshdPid: join(STATE, 'run', 'sshd.pid'),
  sshdLog: join(STATE, 'logs', 'sshd.log'),
  pg: join(STATE, 'postgres'),
  pgData: join(STATE, 'postgres', 'data'),
  pgSocketDir: join(STATE, 'postgres', 'run'),
  pgConf: join(STATE, 'postgres', 'superlists.conf'),
  pgLog: join(STATE, 'postgres', 'postgresql.log'),
  nginx: join(STATE, 'nginx'),
  nginxConf: join(STATE, 'nginx', 'nginx.conf'),
  nginxPid: join(STATE, 'run', 'nginx.pid'),
  nginxErrorLog: join(STATE, 'logs', 'nginx-error.log'),
  mail: join(STATE, 'mail'),
  smtpdConf: join(STATE, 'mail', 'smtpd.conf'),
  smtpdPid: join(STATE, 'run', 'smtpd.pid'),
  smtpdLog: join(STATE, 'logs', 'smtpd.log'),
  dovecotConf: join(STATE, 'mail', 'dovecot.conf'),
  dovecotBase: join(STATE, 'mail', 'dovecot', 'run'),
  dovecotState: join(STATE, 'mail', 'dovecot', 'state'),
  dovecotPasswd: join(STATE, 'mail', 'dovecot', 'passwd'),
  dovecotPid: join(STATE, 'mail', 'dovecot', 'run', 'master.pid'),
  dovecotLog: join(STATE, 'logs', 'dovecot.log'),
  maildir: join(STATE, 'mail', 'maildir'),
  mailHome: join(STATE, 'mail', 'home'),
  imapPassword: join(STATE, 'secrets', 'imap-password'),
  createSession: join(STATE, 'bin', 'create-session'),
  cache: join(STATE, 'cache'),
  /** Local prebuilds of native modules for a deploy's `npm ci` (up.ts, deploy.sh). */
  prebuilds: join(STATE, 'cache', 'prebuilds'),
  sites: join(STATE, 'sites'),
  envServer: join(SOURCE_REPO, '.env.server'),
};

export const PG_BIN = process.env.SUPERLISTS_PG_BIN ?? '/usr/lib/postgresql/15/bin';
export const SSHD = '/usr/sbin/sshd';
export const NGINX = '/usr/sbin/nginx';
export const SMTPD = '/usr/sbin/smtpd';
export const DOVECOT = '/usr/sbin/dovecot';
/**
 * The mail servers run only as root: OpenSMTPD refuses to start otherwise, and both deliver as the
 * system user `mail`. As a normal user the server has no mail (and no stage 3).
 */
export const MAIL = process.getuid?.() === 0; // the same test as IS_ROOT, on purpose
/** The one IMAP account: every message delivered, whatever its recipient, is in its INBOX. */
export const IMAP_USER = 'superlists';
/** The domain of the suite's test addresses (plus-addressed per run) and of the sites' sender. */
export const MAIL_DOMAIN = 'superlists.test';
/** The database superuser: `postgres` when we run as root, else the current user. */
export const PG_SUPERUSER = IS_ROOT ? 'postgres' : USER;

export function siteDir(site: SiteName): string {
  return join(P.sites, site);
}
export function sitePaths(site: SiteName) {
  const dir = siteDir(site);
  return {
    dir,
    releases: join(dir, 'releases'),
    current: join(dir, 'current'),
    shared: join(dir, 'shared'),
    env: join(dir, 'shared', 'env'),
    logs: join(dir, 'logs'),
    appLog: join(dir, 'logs', 'app.log'),
    deployLog: join(dir, 'logs', 'deploy.log'),
    pidfile: join(dir, 'supervisor.pid'),
    deployed: join(dir, 'DEPLOYED'),
    dbPassword: join(P.secrets, `${site}.db-password`),
    secretKey: join(P.secrets, `${site}.secret-key`),
    nginxAccessLog: join(P.logs, `nginx-${site}.access.log`),
    nginxErrorLog: join(P.logs, `nginx-${site}.error.log`),
  };
}

/** The release a site's `current` link points at, or undefined. */
export function currentRelease(site: SiteName): string | undefined {
  try {
    return readlinkSync(sitePaths(site).current).split('/').pop();
  } catch {
    return undefined;
  }
}

export class StepError extends Error {}

export interface RunResult {
  status: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion; throws a StepError with its output when it fails. */
export function run(
  cmd: string,
  args: readonly string[],
  opts: SpawnSyncOptions & { allowFail?: boolean } = {},
): RunResult {
  const r = spawnSync(cmd, args, { encoding: 'utf8', ...opts });
  const out: RunResult = {
    status: r.status ?? (r.signal ? 128 : 1),
    stdout: String(r.stdout ?? ''),
    stderr: String(r.stderr ?? ''),
  };
  if (r.error) throw new StepError(`${cmd}: ${r.error.message}`);
  if (out.status !== 0 && !opts.allowFail) {
    const detail = (out.stderr + out.stdout).trim();
    throw new StepError(
      `\`${[cmd, ...args].join(' ')}\` exited ${out.status}${detail ? `:\n${indent(detail)}` : ''}`,
    );
  }
  return out;
}

/** Runs a command with its output streamed (indented) to ours; resolves to its exit code. */
export function stream(cmd: string, args: readonly string[], prefix = '    '): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const pipe = (from: NodeJS.ReadableStream, to: NodeJS.WriteStream) => {
      let buf = '';
      from.setEncoding('utf8');
      from.on('data', (chunk: string) => {
        buf += chunk;
        const lines = buf.split('\n');
        buf = lines.pop() ?? '';
        for (const line of lines) to.write(`${prefix}${line}\n`);
      });
      from.on('end', () => {
        if (buf) to.write(`${prefix}${buf}\n`);
      });
    };
    pipe(child.stdout, process.stdout);
    pipe(child.stderr, process.stderr);
    child.on('error', reject);
    child.on('close', (code, signal) => resolvePromise(code ?? (signal ? 128 : 1)));
  });
}

/** argv prefix that runs a command as the database's OS user. */
export function asPostgres(cmd: string, args: readonly string[]): [string, string[]] {
  return IS_ROOT ? ['runuser', ['-u', 'postgres', '--', cmd, ...args]] : [cmd, [...args]];
}

export function indent(text: string, prefix = '    '): string {
  return text
    .split('\n')
    .map((l) => prefix + l)
    .join('\n');
}

export function readPid(file: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8').split('\n')[0] ?? '', 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

export function isAlive(pid: number | undefined): pid is number {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A zombie is not alive for our purposes.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

/** The live pid recorded in a pidfile, or undefined. */
export function livePid(file: string): number | undefined {
  const pid = readPid(file);
  return isAlive(pid) ? pid : undefined;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 30_000,
  intervalMs = 100,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new StepError(`timed out after ${timeoutMs / 1000}s ${what}`);
    await sleep(intervalMs);
  }
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
export function portOpen(port: number, host = LOOPBACK): Promise<boolean> {
  return new Promise((r) => {
    const sock = createConnection({ host, port });
    const done = (open: boolean) => {
      sock.destroy();
      r(open);
    };
    sock.setTimeout(1000, () => done(false));
    sock.once('connect', () => done(true));
    sock.once('error', () => done(false));
  });
}

export const ALL_PORTS: readonly number[] = Object.values(PORTS);

/** Parent pid of every process, from /proc. */
function processTable(): Map<number, { ppid: number; cmdline: string }> {
  const table = new Map<number, { ppid: number; cmdline: string }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (rest[0] === 'Z') continue;
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
      table.set(Number(entry), { ppid: Number(rest[1]), cmdline });
    } catch {
      // the process went away meanwhile
    }
  }
  return table;
}

/**
 * Every live process of this server: sshd, nginx's master, postgres, OpenSMTPD and Dovecot started
 * with its files,
 * anything run from its bin/ (supervisors, deploy, supervise), app workers running in a release,
 * and all their descendants (nginx workers, postgres backends, ssh sessions, app workers).
 */
export function serverProcesses(): { pid: number; cmdline: string }[] {
  const table = processTable();
  const roots = new Set<number>();
  const sitesDir = P.sites + '/';
  for (const [pid, p] of table) {
    if (pid === process.pid) continue;
    const c = p.cmdline;
    const ours =
      c.includes(`${STATE}/bin/`) ||
      c.includes(P.sshdConfig) ||
      c.includes(P.smtpdConf) ||
      c.includes(P.dovecotConf) ||
      // the container's conmon (its bundle is under the state folder) and podman's service
      c.includes(`${STATE}/container/`) ||
      (c.includes('podman') &&
        c.includes('system service') &&
        c.includes('/var/run/docker.sock')) ||
      (c.startsWith('nginx: master process') && c.includes(STATE)) ||
      (/(^|\/)postgres /.test(c) && c.includes(P.pgData));
    let inRelease = false;
    if (!ours && /(^|\/)node /.test(c)) {
      try {
        inRelease = readlinkSync(`/proc/${pid}/cwd`).startsWith(sitesDir);
      } catch {
        inRelease = false;
      }
    }
    if (ours || inRelease) roots.add(pid);
  }
  const found = new Set<number>(roots);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, p] of table) {
      if (!found.has(pid) && found.has(p.ppid)) {
        found.add(pid);
        grew = true;
      }
    }
  }
  // Never count ourselves or our ancestors (e.g. an ssh session that runs down.ts).
  let self: number | undefined = process.pid;
  while (self && self > 1) {
    found.delete(self);
    self = table.get(self)?.ppid;
  }
  return [...found].sort((a, b) => a - b).map((pid) => ({ pid, cmdline: table.get(pid)!.cmdline }));
}

export async function openPorts(): Promise<number[]> {
  const open = await Promise.all(ALL_PORTS.map(async (p) => ((await portOpen(p)) ? p : 0)));
  return open.filter((p) => p !== 0);
}

/** Times a step and prints one line for it: `[up] name: summary (1.23s)`. */
export function stepper(tag: string) {
  let current = '';
  return {
    get current() {
      return current;
    },
    async step(name: string, fn: () => Promise<string> | string): Promise<void> {
      current = name;
      const t0 = performance.now();
      const summary = await fn();
      const secs = ((performance.now() - t0) / 1000).toFixed(2);
      console.log(`[${tag}] ${name}: ${summary} (${secs}s)`);
    },
  };
}

export function fail(tag: string, stepName: string, err: unknown): never {
  const message = err instanceof Error ? err.message : String(err);
  const [first, ...rest] = message.split('\n');
  console.error(`[${tag}] FAILED at ${stepName || 'start'}: ${first}`);
  if (rest.length) console.error(rest.join('\n'));
  if (!(err instanceof StepError) && err instanceof Error && err.stack) {
    console.error(indent(err.stack));
  }
  process.exit(1);
}

/** ssh arguments that reach the server as the deploy user, host key pinned. */
export function sshArgs(): string[] {
  return [
    '-F',
    '/dev/null',
    '-i',
    P.deployKey,
    '-p',
    String(PORTS.ssh),
    '-o',
    'BatchMode=yes',
    '-o',
    'IdentitiesOnly=yes',
    '-o',
    'StrictHostKeyChecking=yes',
    '-o',
    `UserKnownHostsFile=${P.knownHosts}`,
    '-o',
    'LogLevel=ERROR',
    `${USER}@${LOOPBACK}`,
  ];
}
