/**
 * The suite's one plain-HTTP client (node:http), for what a browser or Playwright's API client
 * will not do: preflight's GET of `/` before any browser starts, a request with a chosen `Host`
 * header whose TLS still speaks to the target itself, and `http:` actions (release probe, deploy
 * trigger). One request never follows a redirect ({@link send}); {@link sendFollowing} does, as
 * fetch would.
 */
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import type { Cookie } from '@playwright/test';

/** What a site answered, as far as the checks need it. */
export interface Answer {
  status: number;
  statusText: string;
  contentType: string;
  /** The Location header, for a redirect. */
  location?: string;
  /** The body's first `maxBodyBytes`, as text ('' when `readBody` said no). */
  body: string;
}

/** How to send one request. */
export interface HttpOptions {
  /** GET by default. */
  method?: string;
  headers?: Record<string, string>;
  /** The `Host` header, when it is not the URL's: TLS (SNI, certificate) still uses the URL's name. */
  host?: string;
  /** The target's `<T>_IGNORE_HTTPS_ERRORS`: certificate checks skipped only when it says so. */
  ignoreHttpsErrors?: boolean;
  /** For the answer and its body together: past it, the request fails with {@link TimedOut}. */
  timeoutMs?: number;
  /** How much of the body is read (64 KiB by default); the rest is left unread. */
  maxBodyBytes?: number;
  /** Whether the body of an answer with `status` is read at all (always by default). */
  readBody?: (status: number) => boolean;
}

/** The request took longer than its `timeoutMs`. */
export class TimedOut extends Error {
  readonly code = 'ETIMEDOUT';
  constructor(timeoutMs = 0) {
    super(`no answer within ${timeoutMs} ms`);
  }
}

/** Sends one request to `url`; a redirect is an answer like any other (never followed). */
export function send(url: string | URL, options: HttpOptions): Promise<Answer> {
  const target = new URL(url);
  const secure = target.protocol === 'https:';
  const hostname = target.hostname.replace(/^\[|\]$/g, '');
  const limit = options.maxBodyBytes ?? 64 * 1024;
  const signal = options.timeoutMs ? AbortSignal.timeout(options.timeoutMs) : undefined;
  return new Promise((resolve, reject) => {
    const fail = (error: Error) =>
      reject(signal?.aborted ? new TimedOut(options.timeoutMs) : error);
    const request = (secure ? https : http).request(
      target,
      {
        method: options.method ?? 'GET',
        headers: {
          accept: 'text/html,*/*',
          ...options.headers,
          ...(options.host ? { host: options.host } : {}),
        },
        signal,
        ...(secure
          ? {
              servername: isIP(hostname) ? undefined : hostname,
              rejectUnauthorized: !options.ignoreHttpsErrors,
            }
          : {}),
      },
      (response) => {
        const status = response.statusCode ?? 0;
        const answer = (body: string): Answer => ({
          status,
          statusText: response.statusMessage ?? '',
          contentType: response.headers['content-type'] ?? '',
          location: response.headers.location,
          body,
        });
        if (options.readBody && !options.readBody(status)) {
          response.resume();
          resolve(answer(''));
          return;
        }
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          chunks.push(chunk);
          size += chunk.length;
          if (size >= limit) response.destroy(); // enough read: the rest is not needed
        });
        response.on('close', () =>
          signal?.aborted
            ? fail(new TimedOut(options.timeoutMs))
            : resolve(answer(Buffer.concat(chunks).subarray(0, limit).toString('utf8'))),
        );
        response.on('error', fail);
      },
    );
    request.on('error', fail);
    request.end();
  });
}

/**
 * {@link send}, following at most `maxRedirects` redirects as fetch does (a 303, and a POST's
 * 301 or 302, go on as a GET); the last answer.
 */
export async function sendFollowing(
  url: string | URL,
  options: HttpOptions,
  maxRedirects = 20,
): Promise<Answer> {
  let current = new URL(url);
  let method = options.method ?? 'GET';
  for (let hops = 0; ; hops++) {
    const answer = await send(current, { ...options, method });
    if (answer.status < 300 || answer.status >= 400 || !answer.location || hops >= maxRedirects) {
      return answer;
    }
    current = new URL(answer.location, current);
    if (answer.status === 303 || (method === 'POST' && answer.status < 303)) method = 'GET';
  }
}

/**
 * What is wrong with `cookie`'s flags: one phrase per missing flag (`not Secure`, `not HttpOnly`),
 * and `SameSite=None`, present but turning off what SameSite is for: the browser then sends the
 * cookie with requests from any other site (Django's default, and the browser's, is Lax).
 */
export function cookieFlagProblems(
  cookie: Cookie,
  wanted: { secure: boolean; httpOnly: boolean },
): string[] {
  return [
    ...(wanted.secure && !cookie.secure ? ['not Secure'] : []),
    ...(wanted.httpOnly && !cookie.httpOnly ? ['not HttpOnly'] : []),
    ...(cookie.sameSite === 'None' ? ['SameSite=None (sent with requests from any site)'] : []),
  ];
}

/**
 * The max-age of a Strict-Transport-Security header value, in seconds; 0 when the header is
 * missing, has no valid max-age, or says 0 (which tells browsers to forget HSTS: it turns it off).
 */
export function hstsMaxAge(header: string | undefined): number {
  const match = /(?:^|;)\s*max-age\s*=\s*"?(\d+)"?\s*(?:;|$)/i.exec(header ?? '');
  return match ? Number(match[1]) : 0;
}
