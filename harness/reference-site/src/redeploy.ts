// The built-in target's deploy command: asks the running local.ts launcher for a graceful reload
// (SIGHUP: collectstatic, a new worker with a new RELEASE_ID that migrates, then the old one retires)
// and waits until GET /__release__ shows the new release.
// With `rollback`: asks it to start the release before the live one again (SIGUSR2) and waits
// until the launcher says the rollback is done.
// Usage: node --import tsx harness/reference-site/src/redeploy.ts [rollback]   (SUPERLISTS_LOCAL_DATA as for local.ts)
import { readFileSync } from 'node:fs';
import http from 'node:http';
import { type LauncherState, isLauncher, launcherFile, localDataDir } from './localpaths.ts';

const TIMEOUT_MS = 30_000;

function fail(message: string): never {
  process.stderr.write(`redeploy: ${message}\n`);
  process.exit(1);
}

function readState(file: string): LauncherState | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as LauncherState;
  } catch {
    return null;
  }
}

/** The live release, over a fresh connection (a kept-alive one could still reach the old worker). */
function liveRelease(url: string): Promise<string | null> {
  return new Promise((resolve) => {
    const request = http.get(`${url}/__release__`, { agent: false, timeout: 2000 }, (response) => {
      let body = '';
      response.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
      response.on('end', () => {
        try {
          resolve(
            response.statusCode === 200
              ? ((JSON.parse(body) as { release?: string }).release ?? null)
              : null,
          );
        } catch {
          resolve(null);
        }
      });
    });
    request.on('timeout', () => request.destroy()).on('error', () => resolve(null));
  });
}

const file = launcherFile(localDataDir().dataDir);
const state = readState(file);
if (!state)
  fail(
    `no local target is running (no ${file}); start it with: node --import tsx harness/reference-site/src/local.ts`,
  );
if (!isLauncher(state.pid))
  fail(`no local target is running (launcher pid ${state.pid} from ${file} is gone)`);

const rollback = process.argv[2] === 'rollback';
const before = (await liveRelease(state.url)) ?? state.release;
const sentAt = new Date().toISOString();
const started = Date.now();
process.kill(state.pid, rollback ? 'SIGUSR2' : 'SIGHUP');
for (;;) {
  await new Promise((resolve) => setTimeout(resolve, 100));
  const now = readState(file);
  const done = now?.lastReload && now.lastReload.at >= sentAt ? now.lastReload : undefined;
  const release = (await liveRelease(state.url)) ?? now?.release ?? null;
  if (rollback && done?.ok) {
    // As a rollback script says it: what it switched to is the release probe's to check.
    console.log(
      `rolled back from ${before}, now serving ${release ?? done.release} (${Date.now() - started} ms)`,
    );
    process.exit(0);
  }
  if (!rollback && release && release !== before) {
    console.log(`redeployed ${before} -> ${release} (${Date.now() - started} ms)`);
    process.exit(0);
  }
  if (done && !done.ok) {
    fail(
      `${done.error ?? `the new release did not start (see the launcher's output)`}; ${before} keeps serving`,
    );
  }
  if (!isLauncher(state.pid)) fail(`the launcher (pid ${state.pid}) exited during the redeploy`);
  if (Date.now() - started > TIMEOUT_MS)
    fail(`timed out after ${TIMEOUT_MS / 1000} s: ${state.url} still serves ${before}`);
}
