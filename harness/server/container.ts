// The third-edition target beside the second-edition server: the built-in site in ONE container
// named `superlists`, run by podman (runc, cgroupfs, host network, loopback port), SQLite in a host
// file bind-mounted at /home/nonroot/db.sqlite3, no nginx; podman's Docker-compatible service on
// /var/run/docker.sock so that the machine's `docker` client runs the book's commands word for word.
// podman's configuration and storage live in the state folder (CONTAINERS_CONF,
// CONTAINERS_STORAGE_CONF): the machine's global /etc/containers is never edited.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  LOOPBACK,
  MAIL,
  MAIL_DOMAIN,
  P,
  PORTS,
  STATE,
  StepError,
  isAlive,
  livePid,
  portOpen,
  run,
  serverProcesses,
  waitFor,
} from './lib.ts';

export const DOCKER_SOCK = '/var/run/docker.sock';
const C = join(STATE, 'container');
export const CP = {
  dir: C,
  containersConf: join(C, 'containers.conf'),
  storageConf: join(C, 'storage.conf'),
  env: join(C, 'container.env'),
  siteEnv: join(C, 'site.env'),
  dbFile: join(C, 'db.sqlite3'),
  secretKey: join(C, 'secret-key'),
  servicePid: join(C, 'service.pid'),
  serviceLog: join(C, 'logs', 'service.log'),
  deployed: join(C, 'DEPLOYED'),
  deploy: join(P.bin, 'container-deploy'),
  envContainer: join(P.envServer, '..', '.env.container'),
};
export const CONTAINER_URL = `http://${LOOPBACK}:${PORTS.container}`;
/** The container's database, as the site and the suite name it (the book's path). */
export const CONTAINER_DATABASE_URL = 'sqlite:////home/nonroot/db.sqlite3';
const BASE_IMAGE = 'localhost/superlists-base:1';
/** The recreate's outage the deploy spec accepts (DEPLOY_GAP_BUDGET_MS). */
const OUTAGE_BUDGET_MS = 30_000;

/** podman's settings for this machine (crun refuses its cgroups; rlimits may only be lowered). */
const containersConf = `# written by server/up.ts: podman's settings for the superlists container (CONTAINERS_CONF)
[containers]
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
netns = "host"
log_driver = "k8s-file"

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
runtime = "runc"
`;

/** The environment podman, the deploy script and the podman service run with. */
export function podmanEnv(): NodeJS.ProcessEnv {
  return {
    ...process.env,
    CONTAINERS_CONF: CP.containersConf,
    CONTAINERS_STORAGE_CONF: CP.storageConf,
  };
}

function write(path: string, content: string, mode = 0o644): void {
  writeFileSync(path, content, { mode });
}

/** Writes podman's configuration, the deploy script's settings and the site's environment. */
export function provisionContainer(): string {
  for (const d of [C, join(C, 'logs'), join(C, 'build')]) mkdirSync(d, { recursive: true });
  write(CP.containersConf, containersConf);
  write(
    CP.storageConf,
    `# written by server/up.ts: the container's images and layers stay in the state folder
[storage]
driver = "overlay"
graphroot = "${join(C, 'storage')}"
runroot = "${join(C, 'run')}"
`,
  );
  write(
    CP.env,
    [
      '# written by server/up.ts: sourced by bin/container-deploy (bash)',
      `C=${C}`,
      `export CONTAINERS_CONF=${CP.containersConf}`,
      `export CONTAINERS_STORAGE_CONF=${CP.storageConf}`,
      `APP_PORT=${PORTS.container}`,
      `DB_FILE=${CP.dbFile}`,
      `SECRET_KEY_FILE=${CP.secretKey}`,
      `SITE_ENV=${CP.siteEnv}`,
      `BASE_IMAGE=${BASE_IMAGE}`,
    ].join('\n') + '\n',
  );
  // The container's environment (the book's env file); the deploy adds SECRET_KEY from its file.
  write(
    CP.siteEnv,
    [
      `DATABASE_URL=${CONTAINER_DATABASE_URL}`,
      `HOST=${LOOPBACK}`,
      `PORT=${PORTS.container}`,
      `ALLOWED_HOSTS=${LOOPBACK},localhost`,
      ...(MAIL ? [`EMAIL_URL=smtp://${LOOPBACK}:${PORTS.smtp}`] : []),
      'EMAIL_FROM=noreply@superlists',
      'SESSION_COOKIE_SECURE=0',
      'CSRF_COOKIE_SECURE=0',
    ].join('\n') + '\n',
    0o600,
  );
  return `${C} (podman config and storage, site env, db file ${CP.dbFile})`;
}

/** Starts `podman system service` on /var/run/docker.sock (the engine of the docker client). */
export async function startService(): Promise<string> {
  const pid = livePid(CP.servicePid);
  if (pid && existsSync(DOCKER_SOCK)) return `running (pid ${pid})`;
  if (existsSync(DOCKER_SOCK) && run('docker', ['version'], { allowFail: true }).status === 0)
    throw new StepError(`${DOCKER_SOCK} is served by another engine: stop it first`);
  const log = openSync(CP.serviceLog, 'a', 0o600);
  try {
    const child = spawn('podman', ['system', 'service', '--time=0', `unix://${DOCKER_SOCK}`], {
      detached: true,
      stdio: ['ignore', log, log],
      cwd: '/',
      env: podmanEnv(),
    });
    child.unref();
    if (!child.pid) throw new StepError('could not start podman system service');
    writeFileSync(CP.servicePid, `${child.pid}\n`);
  } finally {
    closeSync(log);
  }
  await waitFor(
    `for the docker client to reach podman on ${DOCKER_SOCK}`,
    () => run('docker', ['version'], { allowFail: true }).status === 0,
    20_000,
  ).catch((e: unknown) => {
    throw new StepError(`${(e as Error).message}; ${CP.serviceLog}:\n${tail(CP.serviceLog)}`);
  });
  return `podman system service (pid ${livePid(CP.servicePid)}) on unix://${DOCKER_SOCK}`;
}

/** Starts the existing container (up --no-deploy); the deploy recreates it otherwise. */
export async function startContainer(): Promise<string> {
  const state = run('docker', ['inspect', '-f', '{{.State.Status}}', 'superlists'], {
    allowFail: true,
  });
  if (state.status !== 0) return 'no container yet (the deploy makes it)';
  if (state.stdout.trim() !== 'running')
    run('podman', ['start', 'superlists'], { env: podmanEnv() });
  await waitFor(`for the container on ${CONTAINER_URL}`, () => portOpen(PORTS.container), 30_000);
  return `superlists runs ${readFileSync(CP.deployed, 'utf8').trim()} on ${CONTAINER_URL}`;
}

/** Stops the container, then podman's service; nothing of podman (conmon included) is left. */
export async function stopContainer(): Promise<string> {
  const notes: string[] = [];
  if (existsSync(CP.storageConf)) {
    const ps = run('podman', ['ps', '-q', '--filter', 'name=^superlists$'], {
      env: podmanEnv(),
      allowFail: true,
    });
    if (ps.stdout.trim()) {
      run('podman', ['stop', '-t', '10', 'superlists'], { env: podmanEnv() });
      notes.push('container superlists stopped');
    } else notes.push('container not running');
  }
  const pid = livePid(CP.servicePid);
  if (pid) {
    process.kill(pid, 'SIGTERM');
    await waitFor(`for podman system service (pid ${pid}) to exit`, () => !isAlive(pid), 10_000);
    notes.push(`podman service stopped (was pid ${pid})`);
  } else notes.push('podman service not running');
  // conmon of the last `docker exec` sessions runs podman's cleanup, then exits: wait for that
  // (bounded), then end what is left, so that nothing of podman outlives `down`.
  const conmon = () => serverProcesses().filter((p) => p.cmdline.includes('conmon'));
  const left = await waitFor('for conmon to exit', () => conmon().length === 0, 10_000).then(
    () => [],
    () => conmon(),
  );
  for (const p of left) {
    try {
      process.kill(p.pid, 'SIGTERM');
    } catch {
      // gone
    }
  }
  if (left.length) notes.push(`ended ${left.length} conmon process(es) still running after 10 s`);
  return notes.join('; ');
}

/** The lines of .env.container: staging and production are the one container. */
export function envContainer(ssh: { user: string; hostKey: string }): string {
  const lines = [
    `# written by server/up.ts at ${new Date().toISOString()}: the third-edition target (one container`,
    '# named superlists, SQLite, no nginx) in the local server. Read by helpers/config.ts.',
    '',
    '# Every deploy recreates the container: an outage by design, judged by this budget',
    `# (measured: 17.5 s at a load average of 21 on 2 cores; the site answers before migrate ends).`,
    `DEPLOY_GAP_BUDGET_MS=${OUTAGE_BUDGET_MS}`,
  ];
  for (const K of ['STAGING', 'PRODUCTION']) {
    const exec = 'docker exec superlists /usr/bin/node --import tsx harness/reference-site/src';
    lines.push(
      '',
      `${K}_URL=${CONTAINER_URL}`,
      `${K}_SSH=${ssh.user}@${LOOPBACK}:${PORTS.ssh}`,
      `${K}_SSH_KEY=${P.deployKey}`,
      `${K}_SSH_HOST_KEY=${ssh.hostKey}`,
      `${K}_DEPLOY=ssh:${CP.deploy} HEAD`,
      // A code rollback: the container recreated from the image before the live one, same data.
      `${K}_ROLLBACK=ssh:${CP.deploy} --rollback`,
      `${K}_ROLLBACK_KEEPS_DATA=true`,
      `${K}_RELEASE_PROBE=ssh:docker inspect -f '{{.Config.Image}}' superlists`,
      // The image has Python, not the sqlite3 command: the suite's SQL goes through it.
      `${K}_DATABASE_URL=${CONTAINER_DATABASE_URL}`,
      `${K}_DATABASE_COMMAND=ssh:docker exec -i superlists /usr/bin/python3 -`,
      `${K}_LOGS=ssh:docker logs --since {since} superlists`,
      `${K}_SERVER_CHECKS=harness/server/container-checks.json`,
    );
    // The deploy spec and the rollback drill must run on staging (a gate never green without them).
    if (K === 'STAGING') lines.push('STAGING_REQUIRE=deploy,rollback,database');
    // The book's third edition serves the container on plain http (no nginx, no certificate):
    // production's https checks do not apply to it.
    if (K === 'PRODUCTION') lines.push('PRODUCTION_REQUIRE_HTTPS=false');
    if (MAIL) {
      const imapPassword = readFileSync(P.imapPassword, 'utf8').trim();
      lines.push(
        `${K}_STAGE3=true`,
        `${K}_CREATE_SESSION=ssh:${exec}/create-session.ts {email}`,
        `${K}_MAILBOX=imap://superlists:${imapPassword}@${LOOPBACK}:${PORTS.imap}/INBOX`,
        `${K}_TEST_EMAIL=edith+{tag}@${MAIL_DOMAIN}`,
        `${K}_SESSION_COOKIE=sessionid`,
      );
    }
  }
  return lines.join('\n') + '\n';
}

function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return `(no ${file})`;
  }
}
