/**
 * Preflight: before any test, is the chosen target there at all? DNS, TCP, TLS and HTTP on `/`,
 * each bounded, so a target that is down stops the run within seconds with one line instead of
 * one timeout per test.
 */
import { lookup } from 'node:dns/promises';
import net from 'node:net';
import tls from 'node:tls';
import type { TargetSettings } from './config.ts';

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
  return (error instanceof Error ? error.message : String(error)).split('\n')[0]!;
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
