// server/up.ts: provisions what is missing of the local Superlists server (idempotent; fast when
// already provisioned), starts sshd, PostgreSQL, the mail servers (OpenSMTPD, Dovecot; as root),
// nginx and both sites' supervisors, deploys HEAD
// to staging then production over SSH with the deploy script, and writes .env.server.
//
//   node --import tsx server/up.ts [--no-deploy] [--no-container]
//   (--no-container: leaves the container and .env.container alone, as the fault catalogue's
//   server restore does while the container's faults run beside it)
//
// State lives in $SUPERLISTS_SERVER_DIR (default /var/tmp/superlists-server). See server/README.md.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  closeSync,
  openSync,
  mkdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
  existsSync,
  statSync,
} from 'node:fs';
import { join } from 'node:path';
import {
  dovecotConf,
  dovecotPasswd,
  nginxConf,
  pgHba,
  postgresConf,
  serverEnv,
  siteEnv,
  smtpdConf,
  sshdConfig,
  databaseUrl,
} from './configs.ts';
import {
  CONTAINER_URL,
  CP,
  envContainer,
  provisionContainer,
  startContainer,
  startService,
} from './container.ts';
import {
  DOVECOT,
  IMAP_USER,
  IS_ROOT,
  LOOPBACK,
  MAIL,
  MAIL_DOMAIN,
  NGINX,
  P,
  PG_BIN,
  PG_SUPERUSER,
  PORTS,
  SERVER_SRC,
  SITES,
  SMTPD,
  SOURCE_REPO,
  SSHD,
  STATE,
  StepError,
  USER,
  asPostgres,
  currentRelease,
  fail,
  livePid,
  portOpen,
  run,
  sitePaths,
  sshArgs,
  stepper,
  stream,
  waitFor,
} from './lib.ts';

const TAG = 'up';
const args = process.argv.slice(2);
const noDeploy = args.includes('--no-deploy');
// The fault catalogue's server restore: the container is another lane's (faults/container.sh).
const noContainer = args.includes('--no-container');
const USAGE = 'usage: up.ts [--no-deploy] [--no-container]';
for (const a of args) {
  if (a !== '--no-deploy' && a !== '--no-container') {
    console.error(`[up] FAILED at start: unknown argument ${a} (${USAGE})`);
    process.exit(2);
  }
}
process.umask(0o022);
const steps = stepper(TAG);
const t0 = performance.now();

/** Writes a file only when its content changed; returns whether it did. */
function writeIfChanged(path: string, content: string, mode = 0o644): boolean {
  let old: string | undefined;
  try {
    old = readFileSync(path, 'utf8');
  } catch {
    old = undefined;
  }
  if (old === content) {
    chmodSync(path, mode);
    return false;
  }
  writeFileSync(path, content, { mode });
  chmodSync(path, mode);
  return true;
}

function mkdir(path: string, mode = 0o755, owner?: 'postgres' | 'mail'): void {
  mkdirSync(path, { recursive: true, mode });
  chmodSync(path, mode);
  if (owner && IS_ROOT) {
    const uid = Number(run('id', ['-u', owner]).stdout.trim());
    const gid = Number(run('id', ['-g', owner]).stdout.trim());
    chownSync(path, uid, gid);
  }
}

/** A secret kept in the state folder (mode 600), made on first use. */
function secret(path: string, bytes = 24): string {
  if (!existsSync(path))
    writeFileSync(path, randomBytes(bytes).toString('hex') + '\n', { mode: 0o600 });
  chmodSync(path, 0o600);
  return readFileSync(path, 'utf8').trim();
}

function which(cmd: string): string {
  const r = run('sh', ['-c', `command -v ${cmd}`], { allowFail: true });
  return r.status === 0 ? r.stdout.trim() : '';
}

function hostKeyFingerprint(): string {
  // "256 SHA256:... comment (ED25519)"
  const out = run('ssh-keygen', ['-lf', `${P.hostKey}.pub`]).stdout.trim();
  const fp = out.split(/\s+/)[1];
  if (!fp?.startsWith('SHA256:')) throw new StepError(`unexpected ssh-keygen -lf output: ${out}`);
  return fp;
}

let headSha = '';
/** Sites whose shared/env this run rewrote (a running app must reload to see it). */
const envChangedSites = new Set<string>();

/** The last lines of a log file, indented, for a failure message. */
function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return `(no ${file})`;
  }
}

/**
 * The checkout's own build of better-sqlite3, packed where a deploy's `npm ci` looks for a local
 * prebuild (prebuild-install's `<package>_local_prebuilds`, set by deploy.sh): no prebuilt binary
 * can be downloaded here, so each new lock file's install would compile sqlite3.c again, about 50 s
 * of one core. Same machine, same Node, same version (the name says both); another version, or no
 * build in the checkout, finds no file and compiles as before. Returns what it did.
 */
function packLocalPrebuild(): string {
  const from = join(SOURCE_REPO, 'node_modules', 'better-sqlite3');
  const binary = join(from, 'build', 'Release', 'better_sqlite3.node');
  if (!existsSync(binary)) return 'no better-sqlite3 build in the checkout to reuse';
  const { version } = JSON.parse(readFileSync(join(from, 'package.json'), 'utf8')) as {
    version: string;
  };
  const { platform, arch, versions } = process;
  const file = join(
    P.prebuilds,
    `better-sqlite3-v${version}-node-v${versions.modules}-${platform}-${arch}.tar.gz`,
  );
  if (!existsSync(file) || statSync(file).mtimeMs < statSync(binary).mtimeMs) {
    mkdir(P.prebuilds);
    run('tar', ['-czf', `${file}.tmp`, '-C', from, 'build/Release/better_sqlite3.node']);
    renameSync(`${file}.tmp`, file);
  }
  return `local prebuild ${file}`;
}

/**
 * Starts a daemon in the foreground of its own session, its output appended to a log file, never
 * to our pipes (a daemon that keeps them open would hang whoever waits for our output to end).
 */
function startDetached(cmd: string, args: string[], logFile: string, pidFile?: string): number {
  const log = openSync(logFile, 'a', 0o600);
  try {
    const child = spawn(cmd, args, { detached: true, stdio: ['ignore', log, log], cwd: '/' });
    child.unref();
    if (!child.pid) throw new StepError(`could not start ${cmd}`);
    if (pidFile) writeFileSync(pidFile, `${child.pid}\n`);
    return child.pid;
  } finally {
    closeSync(log);
  }
}

async function main(): Promise<void> {
  await steps.step('preflight', () => {
    const needed: [string, string][] = [
      [SSHD, 'openssh-server'],
      [NGINX, 'nginx'],
      [join(PG_BIN, 'initdb'), 'postgresql-15'],
      [join(PG_BIN, 'pg_ctl'), 'postgresql-15'],
      ['/etc/nginx/mime.types', 'nginx'],
      ...(MAIL
        ? ([
            [SMTPD, 'opensmtpd'],
            [DOVECOT, 'dovecot-core'],
            ['/usr/lib/dovecot/imap', 'dovecot-imapd'],
            ['/usr/lib/dovecot/lmtp', 'dovecot-lmtpd'],
          ] as [string, string][])
        : []),
    ];
    const missing = needed.filter(([f]) => !existsSync(f)).map(([f, pkg]) => `${f} (${pkg})`);
    for (const cmd of ['openssl', 'git', 'ssh', 'ssh-keygen', 'curl', 'setsid', 'flock', 'npm']) {
      if (!which(cmd)) missing.push(cmd);
    }
    if (IS_ROOT && !which('runuser')) missing.push('runuser (util-linux)');
    if (missing.length) {
      throw new StepError(
        `missing: ${missing.join(', ')}; install them with: sudo bash server/install-deps.sh`,
      );
    }
    if (!existsSync(join(SOURCE_REPO, 'harness', 'reference-site', 'supervisor.mjs'))) {
      throw new StepError(`${SOURCE_REPO}/harness/reference-site/supervisor.mjs is missing`);
    }
    const head = run(
      'git',
      [
        '-c',
        'safe.directory=*',
        '-C',
        SOURCE_REPO,
        'rev-parse',
        '--verify',
        '--quiet',
        'HEAD^{commit}',
      ],
      {
        allowFail: true,
      },
    );
    if (head.status !== 0 && !noDeploy) {
      throw new StepError(`${SOURCE_REPO} has no commit to deploy yet (git rev-parse HEAD failed)`);
    }
    headSha = head.stdout.trim();
    return `tools found; ${IS_ROOT ? 'root' : `user ${USER}`}; state ${STATE}; HEAD ${headSha.slice(0, 7) || 'none'}`;
  });

  await steps.step('layout', () => {
    const fresh = !existsSync(P.marker);
    if (fresh && existsSync(STATE) && statSync(STATE).isDirectory()) {
      const r = run('sh', ['-c', `ls -A "${STATE}" | head -1`]);
      if (r.stdout.trim()) {
        throw new StepError(`${STATE} exists, is not empty and is not a superlists server folder`);
      }
    }
    mkdir(STATE);
    writeFileSync(P.marker, 'superlists-server state folder (see server/README.md)\n');
    for (const d of [P.bin, P.logs, P.run, P.tls, P.nginx, join(P.nginx, 'tmp'), P.cache, P.sites])
      mkdir(d);
    mkdir(join(STATE, 'sshd'));
    mkdir(P.keys, 0o700);
    mkdir(P.secrets, 0o700);
    if (MAIL) {
      for (const d of [P.mail, join(P.mail, 'dovecot'), P.dovecotBase, P.dovecotState]) mkdir(d);
      mkdir(P.maildir, 0o700, 'mail');
      mkdir(P.mailHome, 0o700, 'mail');
    }
    mkdir(P.pg, 0o755, 'postgres');
    mkdir(P.pgSocketDir, 0o755, 'postgres');
    if (IS_ROOT) {
      // Every folder above the data must be enterable by the postgres user and nginx's workers.
      for (const u of ['postgres', 'www-data']) {
        const r = run('runuser', ['-u', u, '--', 'test', '-x', STATE], {
          allowFail: true,
          cwd: '/',
        });
        if (r.status !== 0) {
          throw new StepError(
            `user ${u} cannot enter ${STATE}: choose another SUPERLISTS_SERVER_DIR`,
          );
        }
      }
      mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    }
    const node = process.execPath;
    const npm = which('npm');
    const npmCache = run(npm, ['config', 'get', 'cache'], { cwd: '/' }).stdout.trim();
    writeIfChanged(P.serverEnv, serverEnv(node, npm, npmCache));
    const prebuild = packLocalPrebuild();
    writeIfChanged(P.deploy, readFileSync(join(SERVER_SRC, 'deploy.sh'), 'utf8'), 0o755);
    writeIfChanged(P.supervise, readFileSync(join(SERVER_SRC, 'supervise.sh'), 'utf8'), 0o755);
    writeIfChanged(
      P.createSession,
      readFileSync(join(SERVER_SRC, 'create-session.sh'), 'utf8'),
      0o755,
    );
    const supervisorSrc = join(SOURCE_REPO, 'harness', 'reference-site', 'supervisor.mjs');
    if (writeIfChanged(P.supervisor, readFileSync(supervisorSrc, 'utf8'), 0o644)) {
      console.log(`[up]   installed ${P.supervisor} (from harness/reference-site/supervisor.mjs)`);
    }
    return `${fresh ? `created ${STATE}` : `${STATE} (existing)`}; ${prebuild}`;
  });

  await steps.step('keys', () => {
    const made: string[] = [];
    // An ed25519 key pair without a passphrase, made once and kept with the state.
    const makeKey = (file: string, comment: string, what: string) => {
      if (existsSync(file)) return;
      run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file]);
      made.push(what);
    };
    makeKey(P.hostKey, 'superlists-server host', 'host key');
    makeKey(P.deployKey, `superlists-deploy@${USER}`, 'deploy key');
    chmodSync(P.hostKey, 0o600);
    chmodSync(P.deployKey, 0o600);
    const deployPub = readFileSync(`${P.deployKey}.pub`, 'utf8').trim();
    writeIfChanged(P.authorizedKeys, `${deployPub}\n`, 0o600);
    const hostPub = readFileSync(`${P.hostKey}.pub`, 'utf8')
      .trim()
      .split(/\s+/)
      .slice(0, 2)
      .join(' ');
    writeIfChanged(P.knownHosts, `[${LOOPBACK}]:${PORTS.ssh} ${hostPub}\n`, 0o644);
    return `${made.length ? `made ${made.join(', ')}` : 'existing'}; host key ${hostKeyFingerprint()}`;
  });

  await steps.step('tls certificate', () => {
    if (existsSync(P.cert) && existsSync(P.certKey)) return `existing ${P.cert}`;
    run('openssl', [
      'req',
      '-x509',
      '-nodes',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-keyout',
      P.certKey,
      '-out',
      P.cert,
      '-days',
      '825',
      '-subj',
      `/CN=${LOOPBACK}`,
      '-addext',
      `subjectAltName=IP:${LOOPBACK},DNS:localhost`,
    ]);
    chmodSync(P.certKey, 0o600);
    return `self-signed ${P.cert} (CN=${LOOPBACK})`;
  });

  await steps.step('sshd', async () => {
    const changed = writeIfChanged(P.sshdConfig, sshdConfig());
    run(SSHD, ['-t', '-f', P.sshdConfig]);
    let pid = livePid(P.sshdPid);
    if (pid && !changed) return `running (pid ${pid}) on ${LOOPBACK}:${PORTS.ssh}`;
    if (pid) {
      process.kill(pid, 'SIGHUP'); // sshd re-executes itself with the new configuration
      await waitFor('for sshd to come back', () => portOpen(PORTS.ssh), 10_000);
      return `config changed: reloaded (pid ${pid})`;
    }
    if (await portOpen(PORTS.ssh))
      throw new StepError(`port ${PORTS.ssh} is taken by another process`);
    run('setsid', [SSHD, '-f', P.sshdConfig, '-E', P.sshdLog]);
    await waitFor(
      `for sshd on ${LOOPBACK}:${PORTS.ssh}`,
      async () => !!livePid(P.sshdPid) && (await portOpen(PORTS.ssh)),
      10_000,
    );
    pid = livePid(P.sshdPid);
    return `started (pid ${pid}) on ${LOOPBACK}:${PORTS.ssh}, log ${P.sshdLog}`;
  });

  await steps.step('postgres', async () => {
    const pg = (cmd: string, a: string[], opts: { input?: string } = {}) => {
      const [c, rest] = asPostgres(cmd.includes('/') ? cmd : join(PG_BIN, cmd), a);
      return run(c, rest, { cwd: '/', ...opts });
    };
    let note = '';
    if (!existsSync(join(P.pgData, 'PG_VERSION'))) {
      pg('initdb', [
        '-D',
        P.pgData,
        '-U',
        PG_SUPERUSER,
        '-E',
        'UTF8',
        '--no-locale',
        '--auth-local=peer',
        '--auth-host=scram-sha-256',
      ]);
      const conf = join(P.pgData, 'postgresql.conf');
      const text = readFileSync(conf, 'utf8');
      writeFileSync(conf, `${text}\n# added by server/up.ts\ninclude = '${P.pgConf}'\n`);
      note = 'initdb; ';
    }
    const c1 = writeIfChanged(P.pgConf, postgresConf());
    const hbaText = pgHba();
    const hbaPath = join(P.pgData, 'pg_hba.conf');
    let c2 = false;
    if (readFileSync(hbaPath, 'utf8') !== hbaText) {
      // pg_hba.conf lives in the postgres-owned data folder: write it as that user.
      pg('/bin/sh', ['-c', `cat > '${hbaPath}'`], { input: hbaText });
      c2 = true;
    }
    const pidfile = join(P.pgData, 'postmaster.pid');
    const pid = livePid(pidfile);
    if (pid) {
      if (c1) {
        pg('pg_ctl', ['-D', P.pgData, '-l', P.pgLog, '-w', '-t', '60', 'restart', '-m', 'fast']);
        return `${note}config changed: restarted`;
      }
      if (c2) pg('pg_ctl', ['-D', P.pgData, 'reload']);
      return `${note}running (pid ${pid}) on ${LOOPBACK}:${PORTS.postgres}`;
    }
    if (await portOpen(PORTS.postgres))
      throw new StepError(`port ${PORTS.postgres} is taken by another process`);
    const [c, rest] = asPostgres(join(PG_BIN, 'pg_ctl'), [
      '-D',
      P.pgData,
      '-l',
      P.pgLog,
      '-w',
      '-t',
      '60',
      'start',
    ]);
    run('setsid', [c, ...rest], { cwd: '/' });
    return `${note}started (pid ${livePid(pidfile)}) on ${LOOPBACK}:${PORTS.postgres}, log ${P.pgLog}`;
  });

  await steps.step('databases', () => {
    const sql: string[] = [];
    for (const site of SITES) {
      const pw = secret(sitePaths(site.name).dbPassword);
      const r = site.dbName;
      sql.push(
        `SELECT 'CREATE ROLE ${r} LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '${r}') \\gexec`,
        `ALTER ROLE ${r} WITH LOGIN PASSWORD '${pw}';`,
        `SELECT 'CREATE DATABASE ${r} OWNER ${r}' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '${r}') \\gexec`,
      );
    }
    const [c, rest] = asPostgres(join(PG_BIN, 'psql'), [
      '-h',
      P.pgSocketDir,
      '-p',
      String(PORTS.postgres),
      '-U',
      PG_SUPERUSER,
      '-d',
      'postgres',
      '-v',
      'ON_ERROR_STOP=1',
      '-qAt',
    ]);
    run(c, rest, { cwd: '/', input: sql.join('\n') + '\n' });
    return SITES.map((s) => `${s.dbName}`).join(', ') + ' (role + database, password auth)';
  });

  if (MAIL) {
    await steps.step('mail', async () => {
      const notes: string[] = [];
      // Dovecot: LMTP in, IMAP out, one maildir owned by `mail`.
      const password = secret(P.imapPassword);
      const passwdChanged = writeIfChanged(P.dovecotPasswd, dovecotPasswd(password), 0o640);
      const dovecotGid = Number(run('id', ['-g', 'dovecot']).stdout.trim());
      chownSync(P.dovecotPasswd, 0, dovecotGid);
      const dcChanged = writeIfChanged(P.dovecotConf, dovecotConf());
      run(DOVECOT, ['-c', P.dovecotConf, '-n'], { cwd: '/' });
      const dpid = livePid(P.dovecotPid);
      if (dpid) {
        if (dcChanged || passwdChanged) {
          run(DOVECOT, ['-c', P.dovecotConf, 'reload'], { cwd: '/' });
          notes.push(`dovecot config changed: reloaded (pid ${dpid})`);
        } else notes.push(`dovecot running (pid ${dpid})`);
      } else {
        for (const p of [PORTS.imap, PORTS.lmtp]) {
          if (await portOpen(p)) throw new StepError(`port ${p} is taken by another process`);
        }
        // -F: in the foreground (of its own session), so that it never holds our pipes.
        startDetached(DOVECOT, ['-F', '-c', P.dovecotConf], P.dovecotLog);
        await waitFor(
          `for dovecot on ${LOOPBACK}:${PORTS.imap} and ${LOOPBACK}:${PORTS.lmtp}`,
          async () =>
            !!livePid(P.dovecotPid) && (await portOpen(PORTS.imap)) && (await portOpen(PORTS.lmtp)),
          10_000,
        ).catch((e: unknown) => {
          throw new StepError(`${(e as Error).message}; ${P.dovecotLog}:\n${tail(P.dovecotLog)}`);
        });
        notes.push(`dovecot started (pid ${livePid(P.dovecotPid)})`);
      }
      // OpenSMTPD: SMTP in from the sites, every message to Dovecot's LMTP.
      const scChanged = writeIfChanged(P.smtpdConf, smtpdConf());
      run(SMTPD, ['-n', '-f', P.smtpdConf], { cwd: '/' });
      let spid = livePid(P.smtpdPid);
      if (spid && scChanged) {
        // OpenSMTPD has no reload: stop it, then start it below with the new configuration.
        process.kill(spid, 'SIGTERM');
        const was = spid;
        await waitFor(`for smtpd (pid ${was}) to exit`, () => !livePid(P.smtpdPid), 10_000);
        spid = undefined;
        notes.push('smtpd config changed: restarted');
      }
      if (spid) notes.push(`smtpd running (pid ${spid})`);
      else {
        if (await portOpen(PORTS.smtp))
          throw new StepError(`port ${PORTS.smtp} is taken by another process`);
        startDetached(SMTPD, ['-d', '-f', P.smtpdConf], P.smtpdLog, P.smtpdPid);
        await waitFor(
          `for smtpd on ${LOOPBACK}:${PORTS.smtp}`,
          async () => !!livePid(P.smtpdPid) && (await portOpen(PORTS.smtp)),
          10_000,
        ).catch((e: unknown) => {
          throw new StepError(`${(e as Error).message}; ${P.smtpdLog}:\n${tail(P.smtpdLog)}`);
        });
        notes.push(`smtpd started (pid ${livePid(P.smtpdPid)})`);
      }
      return `${notes.join(', ')}; smtp ${LOOPBACK}:${PORTS.smtp} -> lmtp ${LOOPBACK}:${PORTS.lmtp} -> imap ${LOOPBACK}:${PORTS.imap} (user ${IMAP_USER})`;
    });
  } else {
    console.log('[up] mail: skipped (OpenSMTPD and Dovecot run only as root: no stage 3)');
  }

  await steps.step('sites', () => {
    for (const site of SITES) {
      const sp = sitePaths(site.name);
      for (const d of [sp.dir, sp.releases, sp.shared, sp.logs]) mkdir(d);
      const managed = siteEnv(site, secret(sp.dbPassword), secret(sp.secretKey, 32));
      // Keep lines someone added (e.g. SUPERLISTS_FAULT=...), refresh the managed ones.
      let extra: string[];
      try {
        extra = readFileSync(sp.env, 'utf8')
          .split('\n')
          .filter((l) => /^[A-Za-z_][A-Za-z0-9_]*=/.test(l) && !(l.split('=')[0]! in managed));
      } catch {
        extra = [];
      }
      const lines = Object.entries(managed).map(([k, v]) => `${k}=${v}`);
      const envChanged = writeIfChanged(
        sp.env,
        [
          '# the site environment: written by server/up.ts, re-read by the supervisor at each (re)start',
          ...lines,
          ...extra,
        ].join('\n') + '\n',
        0o600,
      );
      if (envChanged) envChangedSites.add(site.name);
    }
    const changed = [...envChangedSites];
    return (
      SITES.map((s) => `${s.name} (app ${LOOPBACK}:${s.appPort})`).join(', ') +
      (changed.length ? `; env changed: ${changed.join(', ')}` : '')
    );
  });

  await steps.step('nginx', async () => {
    const changed = writeIfChanged(P.nginxConf, nginxConf());
    const base = ['-p', `${P.nginx}/`, '-c', P.nginxConf, '-e', P.nginxErrorLog];
    run(NGINX, [...base, '-q', '-t']);
    const pid = livePid(P.nginxPid);
    if (pid) {
      if (!changed) return `running (pid ${pid})`;
      run(NGINX, [...base, '-s', 'reload']);
      return `config changed: reloaded (pid ${pid})`;
    }
    const ports = [PORTS.stagingHttp, PORTS.productionHttp, PORTS.productionHttps];
    for (const p of ports) {
      if (await portOpen(p)) throw new StepError(`port ${p} is taken by another process`);
    }
    run('setsid', [NGINX, ...base]);
    await waitFor(
      'for nginx to listen',
      async () => (await Promise.all(ports.map((p) => portOpen(p)))).every(Boolean),
      10_000,
    );
    return `started (pid ${livePid(P.nginxPid)}) on ${ports.map((p) => `${LOOPBACK}:${p}`).join(', ')}`;
  });

  await steps.step('supervisors', () => {
    const notes = SITES.map((site) => {
      if (!currentRelease(site.name)) return `${site.name}: no release yet (the deploy starts it)`;
      // The deploy below starts (or reloads) it with the new release: no need to start the old one.
      if (!noDeploy && !livePid(sitePaths(site.name).pidfile)) {
        return `${site.name}: left to the deploy (it starts the supervisor)`;
      }
      // A running app re-reads its env only when (re)started: reload it when the env changed.
      const action =
        envChangedSites.has(site.name) && livePid(sitePaths(site.name).pidfile)
          ? 'reload'
          : 'start';
      const r = run(P.supervise, [site.name, action]);
      return r.stdout.trim().split('\n').pop() ?? '';
    });
    return notes.join('; ');
  });

  if (noDeploy) {
    console.log('[up] deploy: skipped (--no-deploy)');
  } else {
    for (const site of SITES) {
      await steps.step(`deploy ${site.name}`, async () => {
        console.log(
          `[up] deploy ${site.name}: ssh -p ${PORTS.ssh} ${USER}@${LOOPBACK} ${P.deploy} ${site.name} ${headSha.slice(0, 12)}`,
        );
        const code = await stream('ssh', [...sshArgs(), `${P.deploy} ${site.name} ${headSha}`]);
        if (code !== 0)
          throw new StepError(`the deploy script exited ${code} (its output is above)`);
        return `${currentRelease(site.name)} live at ${site.url}`;
      });
    }
  }

  await steps.step('.env.server', () => {
    writeFileSync(P.envServer, envServer(), { mode: 0o600 });
    return P.envServer;
  });

  // The third-edition target: one container, SQLite, no nginx (server/container.ts).
  if (noContainer) return;
  await steps.step('container: podman', async () => {
    const where = provisionContainer();
    writeIfChanged(
      CP.deploy,
      readFileSync(join(SERVER_SRC, 'container', 'deploy.sh'), 'utf8'),
      0o755,
    );
    return `${where}; ${await startService()}`;
  });
  if (noDeploy) {
    await steps.step('container: start', () => startContainer());
  } else {
    await steps.step('container: deploy', async () => {
      console.log(
        `[up] container: deploy: ssh -p ${PORTS.ssh} ${USER}@${LOOPBACK} ${CP.deploy} ${headSha.slice(0, 12)}`,
      );
      const code = await stream('ssh', [...sshArgs(), `${CP.deploy} ${headSha}`]);
      if (code !== 0)
        throw new StepError(`the container deploy exited ${code} (its output is above)`);
      return `${readFileSync(CP.deployed, 'utf8').trim()} live at ${CONTAINER_URL}`;
    });
  }
  await steps.step('.env.container', () => {
    writeFileSync(CP.envContainer, envContainer({ user: USER, hostKey: hostKeyFingerprint() }), {
      mode: 0o600,
    });
    return CP.envContainer;
  });
}

function envServer(): string {
  const fp = hostKeyFingerprint();
  const lines = [
    `# written by server/up.ts at ${new Date().toISOString()} for the local server in ${STATE}`,
    '# (git-ignored; npm run server:up rewrites it). Read by helpers/config.ts.',
  ];
  for (const site of SITES) {
    const sp = sitePaths(site.name);
    const K = site.name.toUpperCase();
    lines.push('', `${K}_URL=${site.url}`);
    if (site.httpUrl) {
      lines.push(`${K}_HTTP_URL=${site.httpUrl}`);
      lines.push(`${K}_IGNORE_HTTPS_ERRORS=true`);
    }
    lines.push(
      `${K}_SSH=${USER}@${LOOPBACK}:${PORTS.ssh}`,
      `${K}_SSH_KEY=${P.deployKey}`,
      `${K}_SSH_HOST_KEY=${fp}`,
      `${K}_DATABASE_URL=${databaseUrl(site, readFileSync(sp.dbPassword, 'utf8').trim())}`,
      `${K}_DEPLOY=ssh:${P.deploy} ${site.name} HEAD`,
      // A code rollback: the release folder before the live one, the database kept.
      `${K}_ROLLBACK=ssh:${P.deploy} ${site.name} --rollback`,
      `${K}_ROLLBACK_KEEPS_DATA=true`,
      `${K}_RELEASE_PROBE=ssh:cat ${sp.current}/RELEASE`,
      `${K}_LOGS=${[sp.appLog, sp.nginxAccessLog, sp.nginxErrorLog].join(',')}`,
      `${K}_SERVER_CHECKS=harness/server/checks.json`,
    );
    if (MAIL) {
      const imapPassword = readFileSync(P.imapPassword, 'utf8').trim();
      lines.push(
        `${K}_STAGE3=true`,
        `${K}_CREATE_SESSION=ssh:${P.createSession} ${site.name} {email}`,
        `${K}_MAILBOX=imap://${IMAP_USER}:${imapPassword}@${LOOPBACK}:${PORTS.imap}/INBOX`,
        `${K}_TEST_EMAIL=edith+{tag}@${MAIL_DOMAIN}`,
        `${K}_SESSION_COOKIE=sessionid`,
      );
    }
    // What this server has, the gate must run (helpers/config: <TARGET>_REQUIRE). Production is
    // read-only: no stories, accounts or deploy there.
    const required =
      site.name === 'production'
        ? ['smoke', 'server']
        : [
            'stories',
            'smoke',
            'deploy',
            'rollback',
            'server',
            'database',
            ...(MAIL ? ['accounts'] : []),
          ];
    lines.push(`${K}_REQUIRE=${required.join(',')}`);
  }
  return lines.join('\n') + '\n';
}

main().then(
  () => {
    const secs = ((performance.now() - t0) / 1000).toFixed(1);
    console.log(
      `[up] server ready in ${secs}s: ${SITES.map((s) => `${s.name} ${s.url}`).join(', ')}; env in ${P.envServer}`,
    );
  },
  (err: unknown) => fail(TAG, steps.current, err),
);
