#!/usr/bin/env node
// supervisor.mjs: a small zero-downtime process manager for one Node web worker, on node:cluster.
// Plain JavaScript without dependencies: copy it to a server's bin folder and run it with `node`.
//
//   SUPERVISOR_APP_LINK=/srv/site/current     symlink to the live release folder (or SUPERVISOR_APP_DIR)
//   SUPERVISOR_ENTRY=harness/reference-site/src/server.ts  the worker script, relative to the release
//   SUPERVISOR_ENV_FILE=/srv/site/env         KEY=VALUE lines, re-read at every (re)start
//   SUPERVISOR_PIDFILE=/srv/site/supervisor.pid   status JSON goes to /srv/site/supervisor.json
//
// SIGHUP: resolve the link again, start a new worker, and once it listens retire the old one
// (SIGTERM: it stops accepting and finishes in-flight requests); if the new worker fails, the old one
// keeps serving. A crashed worker is restarted with backoff. SIGTERM/SIGINT: stop the worker, exit 0.
import cluster from 'node:cluster';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export function parseEnvFile(text) {
  const env = {};
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*(?:export\s+)?([A-Za-z_]\w*)\s*=\s*(.*?)\s*$/.exec(line);
    if (match) env[match[1]] = match[2].replace(/^(['"])(.*)\1$/, '$2');
  }
  return env;
}

function readRelease(dir) {
  try {
    return fs.readFileSync(path.join(dir, 'RELEASE'), 'utf8').trim();
  } catch {
    return '';
  }
}

function writeJson(file, data) {
  fs.writeFileSync(`${file}.tmp`, `${JSON.stringify(data, null, 2)}\n`);
  fs.renameSync(`${file}.tmp`, file);
}

export function startSupervisor(options) {
  const {
    appDir,
    appLink,
    entry = 'harness/reference-site/src/server.ts',
    execArgv = ['--import', 'tsx'],
    env = {},
    envFile,
    pidFile,
    statusFile = pidFile?.replace(/(\.pid)?$/, '.json'),
    signals = true,
    startTimeoutMs = 30_000,
    graceMs = 10_000,
    onStatus,
    log = (message) => console.log(`[supervisor] ${message}`),
  } = options;
  if (!appDir === !appLink)
    throw new Error('startSupervisor: give exactly one of appDir and appLink');
  let live = null; // the worker serving requests
  let liveSince = 0,
    backoff = 250,
    restartTimer = null,
    reloading = null,
    reloadAgain = false;
  let stopping = null,
    status = null;
  if (pidFile) fs.writeFileSync(pidFile, `${process.pid}\n`);

  /** Forks a worker from the release the link points at now; resolves once it listens. */
  async function launch() {
    const cwd = fs.realpathSync(appLink ?? appDir);
    const workerEnv = {
      ...(envFile ? parseEnvFile(fs.readFileSync(envFile, 'utf8')) : {}),
      ...(typeof env === 'function' ? await env() : env),
    };
    const release = workerEnv.RELEASE_ID || readRelease(cwd) || path.basename(cwd);
    cluster.setupPrimary({ exec: path.join(cwd, entry), execArgv, cwd });
    const worker = cluster.fork(workerEnv); // added to the supervisor's own environment
    return new Promise((resolve, reject) => {
      const done = (error) => {
        clearTimeout(timer);
        worker.off('listening', onListening).off('exit', onExit);
        if (!error) return resolve({ worker, release, cwd });
        if (!worker.isDead()) worker.process.kill('SIGKILL');
        reject(new Error(`worker ${worker.process.pid} (${release}) ${error}`));
      };
      const onListening = () => done();
      const onExit = (code, signal) =>
        done(`exited with ${signal ?? `code ${code}`} before listening`);
      const timer = setTimeout(
        () => done(`did not listen within ${startTimeoutMs / 1000} s`),
        startTimeoutMs,
      );
      worker.once('listening', onListening).once('exit', onExit);
    });
  }

  function retire(worker) {
    if (worker.isDead()) return Promise.resolve();
    return new Promise((resolve) => {
      const kill = setTimeout(() => worker.process.kill('SIGKILL'), graceMs);
      worker.once('exit', () => resolve(clearTimeout(kill)));
      worker.process.kill('SIGTERM');
    });
  }

  function goLive({ worker, release, cwd }) {
    const old = live;
    live = worker;
    liveSince = Date.now();
    worker.once('exit', (code, signal) => {
      if (live !== worker || stopping) return;
      live = null;
      log(`worker ${worker.process.pid} died (${signal ?? `code ${code}`})`);
      if (Date.now() - liveSince > 10_000) backoff = 250;
      if (!reloading) scheduleRestart();
    });
    status = {
      pid: process.pid,
      workerPid: worker.process.pid,
      release,
      cwd,
      startedAt: new Date().toISOString(),
    };
    if (statusFile) writeJson(statusFile, status);
    onStatus?.(status);
    log(`worker ${worker.process.pid} serving release ${release} from ${cwd}`);
    if (old) void retire(old);
  }

  function scheduleRestart() {
    log(`restarting in ${backoff} ms`);
    restartTimer = setTimeout(() => void reload('restart'), backoff);
    backoff = Math.min(backoff * 2, 10_000);
  }

  /** Graceful reload; resolves to true when a new worker took over. Reloads asked meanwhile run next. */
  function reload(reason = 'reload') {
    if (stopping) return Promise.resolve(false);
    if (reloading) {
      reloadAgain = true;
      return reloading;
    }
    clearTimeout(restartTimer);
    reloading = launch()
      .then((started) =>
        stopping ? retire(started.worker).then(() => false) : (goLive(started), true),
      )
      .catch((error) => {
        log(`${reason} failed: ${error.message}${live ? '; the old worker keeps serving' : ''}`);
        if (!live && !stopping) scheduleRestart();
        return false;
      })
      .finally(() => {
        reloading = null;
        if (reloadAgain && !stopping) {
          reloadAgain = false;
          void reload(reason);
        }
      });
    return reloading;
  }

  function stop() {
    stopping ??= (async () => {
      clearTimeout(restartTimer);
      await Promise.all(Object.values(cluster.workers ?? {}).map(retire));
      for (const file of [pidFile, statusFile]) if (file) fs.rmSync(file, { force: true });
    })();
    return stopping;
  }

  const ready = launch().then(
    (started) => {
      if (!stopping) return goLive(started);
      void retire(started.worker);
      throw Object.assign(new Error('stopped before the first worker was ready'), {
        stopped: true,
      });
    },
    async (error) => {
      error.stopped = Boolean(stopping);
      await stop();
      throw error;
    },
  );
  if (signals) {
    process.on('SIGHUP', () => {
      log('SIGHUP: reloading');
      void reload('reload');
    });
    for (const signal of ['SIGTERM', 'SIGINT']) {
      process.on(signal, () => {
        log(`${signal}: stopping`);
        void stop().then(() => process.exit(0));
      });
    }
  }
  return { ready, reload, stop, status: () => status };
}

if (process.argv[1] && fs.realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { env } = process;
  const fail = (error) => {
    if (error.stopped) return; // a signal stopped it; the signal handler exits
    console.error(`[supervisor] cannot start: ${error.message}`);
    process.exit(1);
  };
  try {
    startSupervisor({
      appLink: env.SUPERVISOR_APP_LINK || undefined,
      appDir: env.SUPERVISOR_APP_DIR || undefined,
      entry: env.SUPERVISOR_ENTRY || undefined,
      execArgv: env.SUPERVISOR_EXEC_ARGV ? env.SUPERVISOR_EXEC_ARGV.split(/\s+/) : undefined,
      envFile: env.SUPERVISOR_ENV_FILE || undefined,
      pidFile: env.SUPERVISOR_PIDFILE || undefined,
    }).ready.catch(fail);
  } catch (error) {
    fail(error);
  }
}
