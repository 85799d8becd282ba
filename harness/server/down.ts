// server/down.ts: stops the local Superlists server gracefully (both sites' supervisors, nginx,
// OpenSMTPD, Dovecot, PostgreSQL (fast shutdown), sshd), then verifies that none of its processes remains and none of
// its ports listens. The state (data, keys, releases) is kept so the next up is fast;
// `--purge` also deletes the state folder and .env.server.
//
//   node --import tsx server/down.ts [--purge]
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  ALL_PORTS,
  DOVECOT,
  NGINX,
  P,
  PG_BIN,
  SITES,
  STATE,
  StepError,
  asPostgres,
  fail,
  isAlive,
  livePid,
  openPorts,
  run,
  serverProcesses,
  sitePaths,
  sleep,
  stepper,
  waitFor,
} from './lib.ts';
import { CP, stopContainer } from './container.ts';

const TAG = 'down';
const args = process.argv.slice(2);
const purge = args.includes('--purge');
for (const a of args) {
  if (a !== '--purge') {
    console.error(`[down] FAILED at start: unknown argument ${a} (usage: down.ts [--purge])`);
    process.exit(2);
  }
}
const steps = stepper(TAG);
const t0 = performance.now();

async function waitGone(pid: number, what: string, ms: number): Promise<void> {
  await waitFor(`for ${what} (pid ${pid}) to exit`, () => !isAlive(pid), ms);
}

async function main(): Promise<void> {
  if (!existsSync(P.marker)) {
    const procs = serverProcesses();
    const ports = await openPorts();
    if (!procs.length && !ports.length) {
      console.log(`[down] nothing to do: no server state in ${STATE} and nothing running`);
      return;
    }
  }

  for (const site of SITES) {
    await steps.step(`${site.name} supervisor`, () => {
      const pid = livePid(sitePaths(site.name).pidfile);
      if (!pid) return 'not running';
      if (!existsSync(P.supervise)) throw new StepError(`${P.supervise} is missing`);
      return run(P.supervise, [site.name, 'stop']).stdout.trim().split('\n').pop() ?? 'stopped';
    });
  }

  await steps.step('container', () => stopContainer());

  await steps.step('nginx', async () => {
    const pid = livePid(P.nginxPid);
    if (!pid) return 'not running';
    const base = ['-p', `${P.nginx}/`, '-c', P.nginxConf, '-e', P.nginxErrorLog];
    run(NGINX, [...base, '-s', 'quit'], { allowFail: true });
    try {
      await waitGone(pid, 'nginx', 15_000);
      return `stopped gracefully (was pid ${pid})`;
    } catch {
      process.kill(pid, 'SIGTERM');
      await waitGone(pid, 'nginx', 5_000);
      return `stopped with SIGTERM after a graceful quit timed out (was pid ${pid})`;
    }
  });

  await steps.step('smtpd', async () => {
    const pid = livePid(P.smtpdPid);
    if (!pid) return 'not running';
    process.kill(pid, 'SIGTERM');
    await waitGone(pid, 'smtpd', 10_000);
    rmSync(P.smtpdPid, { force: true });
    return `stopped (was pid ${pid})`;
  });

  await steps.step('dovecot', async () => {
    const pid = livePid(P.dovecotPid);
    if (!pid) return 'not running';
    run(DOVECOT, ['-c', P.dovecotConf, 'stop'], { allowFail: true, cwd: '/' });
    try {
      await waitGone(pid, 'dovecot', 10_000);
      return `stopped (was pid ${pid})`;
    } catch {
      process.kill(pid, 'SIGTERM');
      await waitGone(pid, 'dovecot', 5_000);
      return `stopped with SIGTERM after \`dovecot stop\` timed out (was pid ${pid})`;
    }
  });

  await steps.step('postgres', async () => {
    const pid = livePid(join(P.pgData, 'postmaster.pid'));
    if (!pid) return 'not running';
    const [c, rest] = asPostgres(join(PG_BIN, 'pg_ctl'), [
      '-D',
      P.pgData,
      '-m',
      'fast',
      '-w',
      '-t',
      '60',
      'stop',
    ]);
    run(c, rest, { cwd: '/' });
    await waitGone(pid, 'postgres', 10_000);
    return `stopped (fast shutdown; was pid ${pid})`;
  });

  await steps.step('sshd', async () => {
    const pid = livePid(P.sshdPid);
    if (!pid) return 'not running';
    // Open sessions outlive the listener: end them too (an interrupted deploy, a stray shell).
    const sessions = serverProcesses().filter(
      (p) => p.pid !== pid && p.cmdline.startsWith('sshd:'),
    );
    process.kill(pid, 'SIGTERM');
    await waitGone(pid, 'sshd', 10_000);
    for (const s of sessions) {
      try {
        process.kill(s.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    return `stopped (was pid ${pid})${sessions.length ? `; ended ${sessions.length} open session process(es)` : ''}`;
  });

  await steps.step('verify', async () => {
    let procs = serverProcesses();
    for (let i = 0; i < 30 && procs.length; i++) {
      await sleep(100);
      procs = serverProcesses();
    }
    let note = '';
    if (procs.length) {
      // Leftovers of a crash (e.g. an orphaned app worker): end them, then check again.
      for (const p of procs) {
        try {
          process.kill(p.pid, 'SIGTERM');
        } catch {
          // gone
        }
      }
      await sleep(2000);
      for (const p of serverProcesses()) {
        try {
          process.kill(p.pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
      await sleep(300);
      note = `; ended ${procs.length} leftover process(es): ${procs.map((p) => `${p.pid} ${p.cmdline.slice(0, 60)}`).join(' | ')}`;
      procs = serverProcesses();
    }
    const ports = await openPorts();
    if (procs.length || ports.length) {
      throw new StepError(
        `still running: ${procs.map((p) => `${p.pid} ${p.cmdline}`).join('; ') || 'no process'}; ` +
          `still listening: ${ports.map((p) => `127.0.0.1:${p}`).join(', ') || 'no port'}`,
      );
    }
    return `no server process left, none of ports ${ALL_PORTS.join(', ')} listens${note}`;
  });

  if (purge) {
    await steps.step('purge', () => {
      if (existsSync(STATE) && !existsSync(P.marker)) {
        throw new StepError(`${STATE} has no ${P.marker}: not deleting a folder this did not make`);
      }
      // The container's image layers are mounted only while it runs: stopped above.
      rmSync(STATE, { recursive: true, force: true });
      rmSync(P.envServer, { force: true });
      rmSync(CP.envContainer, { force: true });
      return `deleted ${STATE}, ${P.envServer} and ${CP.envContainer}`;
    });
  } else {
    console.log(`[down] state kept in ${STATE} (down.ts --purge deletes it)`);
  }
}

main().then(
  () => console.log(`[down] server stopped in ${((performance.now() - t0) / 1000).toFixed(1)}s`),
  (err: unknown) => fail(TAG, steps.current, err),
);
