/**
 * Preflight: before any test, is the chosen target there at all, and is `/` its home page? DNS,
 * TCP, TLS, then GET / following redirects (bounded), each step bounded, so a target that is down
 * or broken in front of the app (nginx dropping the Host header, ALLOWED_HOSTS wrong, an https
 * redirect loop) stops the run within seconds with one line instead of one timeout per test.
 * `/` must stay on the target's own host (an upgrade to https there aside): a redirect to another
 * site would have every test check that site instead.
 */
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import tls from 'node:tls';
import type { TargetSettings } from './config/index.ts';
import { networkReason } from './errors.ts';
import { type Answer, TimedOut, send } from './http.ts';

const STEP_TIMEOUT_MS = 3_000;
/** Redirects followed from `/` before preflight calls it a loop it cannot see the end of. */
const MAX_REDIRECTS = 5;
/** Enough of the home page to find its heading. */
const MAX_BODY_BYTES = 1_000_000;

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

/** A hop as the line shows it: its path when it stays on the target's origin. */
function hop(url: URL, origin: string): string {
  return url.origin === origin ? url.pathname + url.search : url.href;
}

/**
 * Where a redirect from `/` may go: the target's own origin, or https on the target's own host
 * (a scheme upgrade). Anywhere else is another site.
 */
function staysOnTarget(next: URL, target: URL): boolean {
  return (
    next.origin === target.origin ||
    (next.protocol === 'https:' && next.hostname === target.hostname)
  );
}

/**
 * Checks `target` step by step, `/` given `timeoutMs` to answer and expected to show
 * `homeHeading` (the contract's, given by the caller); returns undefined when it answers, else
 * one line saying what failed.
 */
export async function preflight(
  target: TargetSettings,
  timeoutMs: number,
  homeHeading: string,
): Promise<string | undefined> {
  const url = new URL(target.url);
  const secure = url.protocol === 'https:';
  const port = Number(url.port || (secure ? 443 : 80));
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const where = `${target.name} ${target.url}`;
  if (url.pathname !== '/') {
    // The site's links are absolute (/lists/...): a path in the URL is never the site's root.
    return `${target.name.toUpperCase()}_URL=${target.url} has a path (${url.pathname}): the suite tests a site at its root; give ${url.origin}`;
  }
  let address = host;
  try {
    if (!net.isIP(host)) address = (await lookup(host)).address;
  } catch (error) {
    return `${where} unreachable: ${networkReason(error)} (DNS)`;
  }
  try {
    await connect(address, port, false, host);
  } catch (error) {
    return `${where} unreachable: ${networkReason(error)}`;
  }
  if (secure && !target.ignoreHttpsErrors) {
    try {
      await connect(address, port, true, host);
    } catch (error) {
      return `${where}: TLS failed: ${networkReason(error)} (for a self-signed certificate set ${target.name.toUpperCase()}_IGNORE_HTTPS_ERRORS=true)`;
    }
  }
  const hops: URL[] = [new URL(`${target.url}/`)];
  const path = () => hops.map((h) => hop(h, url.origin)).join(' -> ');
  for (;;) {
    const current = hops.at(-1)!;
    let answer: Answer;
    try {
      answer = await send(current, {
        headers: { accept: 'text/html' },
        ignoreHttpsErrors: target.ignoreHttpsErrors,
        timeoutMs,
        maxBodyBytes: MAX_BODY_BYTES,
        readBody: (status) => status >= 200 && status < 300, // a redirect's or an error's is not read
      });
    } catch (error) {
      if (error instanceof TimedOut) {
        return `${where}: ${path()} did not answer within ${timeoutMs} ms (PREFLIGHT_TIMEOUT_MS raises the limit)`;
      }
      return `${where}: GET ${hop(current, url.origin)} failed: ${networkReason((error as { cause?: unknown }).cause ?? error)}`;
    }
    const { status } = answer;
    const at = path(); // '/', or every hop when it was redirected
    if (status >= 300 && status < 400 && answer.location) {
      const next = new URL(answer.location, current);
      if (hops.some((seen) => seen.href === next.href)) {
        hops.push(next);
        return `${where}: / redirects in a loop: ${path()} (behind a proxy? it must pass the scheme on: X-Forwarded-Proto and SECURE_PROXY_SSL_HEADER)`;
      }
      hops.push(next);
      if (!staysOnTarget(next, url)) {
        return `${where}: / redirects off the site, to ${next.href} (${path()}): every test would check that site instead; fix the redirect, or set ${target.name.toUpperCase()}_URL to the site meant`;
      }
      if (hops.length > MAX_REDIRECTS + 1) {
        return `${where}: / redirects more than ${MAX_REDIRECTS} times: ${path()}`;
      }
      continue;
    }
    if (status >= 500) return `${where} is up but ${at} answers ${status}`;
    if (status >= 400) {
      return `${where}: ${at} answers ${status}: is nginx forwarding the Host header / is ALLOWED_HOSTS right?`;
    }
    if (status < 200 || status >= 300 || !answer.body.includes(homeHeading)) {
      return `${where}: ${at} answers ${status} but is not the site's home page (no "${homeHeading}" on it)`;
    }
    return undefined;
  }
}
