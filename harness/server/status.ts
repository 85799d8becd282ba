// server/status.ts: one line per part of the local Superlists server. Exit 0 when everything runs
// and both sites answer with their deployed release, 1 otherwise.
//
//   node --import tsx server/status.ts
import { existsSync, readFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import { join } from 'node:path';
import {
  LOOPBACK,
  MAIL,
  P,
  PORTS,
  SITES,
  STATE,
  currentRelease,
  livePid,
  portOpen,
  sitePaths,
} from './lib.ts';

/** GET url/__release__ over a fresh connection (the production certificate is self-signed). */
function releaseAt(url: string): Promise<string> {
  return new Promise((resolve) => {
    const get = url.startsWith('https:') ? httpsGet : httpGet;
    const req = get(
      `${url}/__release__`,
      { agent: false, timeout: 3000, rejectUnauthorized: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
        res.on('end', () =>
          resolve(res.statusCode === 200 ? body.trim().slice(0, 120) : `HTTP ${res.statusCode}`),
        );
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve(`unreachable (${e.message})`));
  });
}

async function main(): Promise<number> {
  if (!existsSync(P.marker)) {
    console.log(`[status] not provisioned: ${STATE} (run server/up.ts)`);
    return 1;
  }
  let ok = true;
  const line = (name: string, up: boolean, detail: string) => {
    ok &&= up;
    console.log(`[status] ${name}: ${up ? 'up' : 'DOWN'} ${detail}`);
  };
  const svc = async (name: string, pidfile: string, port: number) => {
    const pid = livePid(pidfile);
    const open = await portOpen(port);
    line(
      name,
      !!pid && open,
      `(pid ${pid ?? '-'}, ${LOOPBACK}:${port} ${open ? 'listening' : 'closed'})`,
    );
  };
  await svc('sshd', P.sshdPid, PORTS.ssh);
  await svc('postgres', join(P.pgData, 'postmaster.pid'), PORTS.postgres);
  await svc('nginx', P.nginxPid, PORTS.stagingHttp);
  if (MAIL) {
    await svc('smtpd (smtp)', P.smtpdPid, PORTS.smtp);
    await svc('dovecot (lmtp)', P.dovecotPid, PORTS.lmtp);
    await svc('dovecot (imap)', P.dovecotPid, PORTS.imap);
  }
  for (const site of SITES) {
    const sp = sitePaths(site.name);
    const pid = livePid(sp.pidfile);
    const deployed = existsSync(sp.deployed) ? readFileSync(sp.deployed, 'utf8').trim() : 'none';
    const app = await releaseAt(`http://${LOOPBACK}:${site.appPort}`);
    const web = await releaseAt(site.url);
    const live = !!pid && deployed !== 'none' && app.includes(deployed) && web.includes(deployed);
    line(
      site.name,
      live,
      `(supervisor pid ${pid ?? '-'}, current ${currentRelease(site.name) ?? 'none'}, DEPLOYED ${deployed}; ` +
        `app: ${app}; ${site.url}: ${web})`,
    );
  }
  return ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(`[status] FAILED: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
