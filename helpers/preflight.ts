/**
 * Preflight: before any test, is the chosen target there at all? DNS, TCP, TLS and HTTP on `/`,
 * each bounded, so a target that is down stops the run within seconds with one line instead of
 * one timeout per test. Then the services the chosen tests will use: the database and the deploy
 * for the deploy spec, SSH for it and for the server checks, each read-only.
 */
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import tls from 'node:tls';
import type { NodeSSH } from 'node-ssh';
import { firstLine, releaseFrom, runAction, runLocal } from './actions.ts';
import { secretsOf, type Action, type TargetSettings } from './config/index.ts';
import { refusalFor } from './safety.ts';
import { isSelected } from './selection.ts';
import { connectSsh, runRemote } from './ssh.ts';

const STEP_TIMEOUT_MS = 3_000;

function reason(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const known: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ENOTFOUND: 'no such host',
    EAI_AGAIN: 'DNS lookup timed out',
    ETIMEDOUT: 'timed out',
    ECONNRESET: 'connection reset',
    EHOSTUNREACH: 'host unreachable',
  };
  if (code && known[code]) return known[code];
  return firstLine(error);
}

function connect(host: string, port: number, secure: boolean, servername: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = secure
      ? tls.connect({ host, port, servername: net.isIP(servername) ? undefined : servername })
      : net.connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' }));
    }, STEP_TIMEOUT_MS);
    socket.once(secure ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      socket.end();
      resolve();
    });
    socket.once('error', (error: Error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** Checks `target` step by step; returns undefined when it answers, else one line saying what failed. */
export async function preflight(target: TargetSettings): Promise<string | undefined> {
  const url = new URL(target.url);
  const secure = url.protocol === 'https:';
  const port = Number(url.port || (secure ? 443 : 80));
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const where = `${target.name} ${target.url}`;
  let address = host;
  try {
    if (!net.isIP(host)) address = (await lookup(host)).address;
  } catch (error) {
    return `${where} unreachable: ${reason(error)} (DNS)`;
  }
  try {
    await connect(address, port, false, host);
  } catch (error) {
    return `${where} unreachable: ${reason(error)}`;
  }
  if (secure && !target.ignoreHttpsErrors) {
    try {
      await connect(address, port, true, host);
    } catch (error) {
      return `${where}: TLS failed: ${reason(error)} (for a self-signed certificate set ${target.name.toUpperCase()}_IGNORE_HTTPS_ERRORS=true)`;
    }
  }
  try {
    const response = await fetch(`${target.url}/`, {
      redirect: 'manual',
      signal: AbortSignal.timeout(STEP_TIMEOUT_MS * 2),
    });
    if (response.status >= 500) return `${where} is up but / answers ${response.status}`;
  } catch (error) {
    // Node's fetch cannot skip certificate checks; the TLS step above already spoke for https.
    if (!(secure && target.ignoreHttpsErrors)) {
      return `${where}: GET / failed: ${reason((error as { cause?: unknown }).cause ?? error)}`;
    }
  }
  return undefined;
}

/** The tests that use a target's services, as preflight knows them (file, title with tags). */
const DEPLOY_SPEC = ['tests/deploy/redeploy.spec.ts', 'Deploying @deploy @writes'] as const;
const SERVER_CHECKS = ['tests/server/server-checks.spec.ts', 'Server @server'] as const;

/** What the chosen tests will use on `target`. */
export function servicesNeeded(
  target: TargetSettings,
  argv: readonly string[] = process.argv,
): { deploy: boolean; database: boolean; ssh: boolean } {
  const deploy =
    Boolean(target.deploy && target.releaseProbe) &&
    refusalFor(target, ['@deploy', '@writes']) === undefined &&
    isSelected(...DEPLOY_SPEC, argv);
  const serverChecks =
    Boolean(target.ssh && target.serverChecks?.length) && isSelected(...SERVER_CHECKS, argv);
  const sshActions = [target.deploy, target.releaseProbe].some((a) => a?.kind === 'ssh');
  return {
    deploy,
    database: deploy && target.hasDatabase,
    ssh: Boolean(target.ssh) && (serverChecks || (deploy && sshActions)),
  };
}

const PG_REASONS: Record<string, string> = {
  '28P01': 'password authentication failed (check the password)',
  '28000': 'the server refuses this user (check the user name and pg_hba.conf)',
  '3D000': 'no such database (check the database name)',
};

async function checkDatabase(target: TargetSettings): Promise<string | undefined> {
  const variable = `${target.name.toUpperCase()}_DATABASE_URL`;
  const { default: pg } = await import('pg'); // only when a database is checked
  const client = new pg.Client({
    connectionString: secretsOf(target.name).databaseUrl,
    connectionTimeoutMillis: STEP_TIMEOUT_MS,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const { rows } = await client.query<{ found: string | null }>(
      "SELECT to_regclass('lists_item')::text AS found",
    );
    if (!rows[0]?.found) {
      return `${target.name} database (${variable}): it has no lists_item table: is it the site's database, migrated?`;
    }
    return undefined;
  } catch (error) {
    const code = (error as { code?: string }).code ?? '';
    const why = PG_REASONS[code] ?? reason(error);
    // Never the URL: it holds the password.
    return `${target.name} database (${variable}): ${why}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The program an action's command starts (its first word), for a "command not found" check. */
function programOf(action: Action): string | undefined {
  if (action.kind === 'http') return undefined;
  const first = action.command.trim().split(/\s+/)[0] ?? '';
  return /^[\w./-]+$/.test(first) ? first : undefined; // skip shell syntax we cannot judge
}

async function checkDeploy(
  target: TargetSettings,
  ssh: (() => Promise<NodeSSH>) | undefined,
): Promise<string | undefined> {
  const variable = target.name.toUpperCase();
  const deploy = target.deploy!;
  const program = programOf(deploy);
  if (program) {
    const probe = `command -v '${program}' >/dev/null 2>&1`;
    const found =
      deploy.kind === 'ssh' ? await runRemote(await ssh!(), probe) : await runLocal(probe);
    if (found.code !== 0) {
      const where = deploy.kind === 'ssh' ? ` on ${target.ssh!.user}@${target.ssh!.host}` : '';
      return `${variable}_DEPLOY: command not found${where}: ${program}`;
    }
  }
  const probe = await runAction(target.releaseProbe!, { ssh });
  const read = releaseFrom(probe);
  if ('release' in read) return undefined;
  const hint =
    read.problem === 'printed nothing'
      ? ': it must print the live release (a commit, a tag, a build id)'
      : '';
  return `${variable}_RELEASE_PROBE (${probe.command}) ${firstLine(read.problem)}${hint}`;
}

/**
 * Checks, read-only, the services the chosen tests will use on `target` (see
 * {@link servicesNeeded}); returns one line per problem.
 */
export async function preflightServices(target: TargetSettings): Promise<string[]> {
  const needed = servicesNeeded(target);
  let connection: Promise<NodeSSH> | undefined;
  const ssh = target.ssh && (() => (connection ??= connectSsh(target.ssh!)));
  const problems: (string | undefined)[] = [];
  try {
    if (needed.ssh) {
      try {
        await ssh!();
      } catch (error) {
        return [firstLine(error)];
      }
    }
    // Anything unforeseen still ends as one line, never a stack trace.
    const oneLine = (what: string) => (error: unknown) =>
      `${target.name} ${what}: ${firstLine(error)}`;
    problems.push(
      ...(await Promise.all([
        needed.database ? checkDatabase(target).catch(oneLine('database check')) : undefined,
        needed.deploy ? checkDeploy(target, ssh).catch(oneLine('deploy check')) : undefined,
      ])),
    );
  } finally {
    if (connection) (await connection.catch(() => undefined))?.dispose();
  }
  return problems.filter((p): p is string => Boolean(p));
}
