/**
 * Plain HTTP for the smoke checks that need what a browser or Playwright's API client will not
 * do: a request with a chosen `Host` header whose TLS still speaks to the target itself.
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
  /** The body's first 64 KiB, as text. */
  body: string;
}

const BODY_LIMIT = 64 * 1024;

/**
 * GETs `url` with the `Host` header set to `host`. TLS (SNI and the certificate check) uses the
 * URL's own name, as a client attacking the site would; node would otherwise take the server
 * name from the Host header. `ignoreHttpsErrors`: the target's `<T>_IGNORE_HTTPS_ERRORS`.
 */
export function getWithHost(
  url: string,
  host: string,
  options: { ignoreHttpsErrors: boolean; timeoutMs: number },
): Promise<Answer> {
  const target = new URL(url);
  const secure = target.protocol === 'https:';
  const hostname = target.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve, reject) => {
    const request = (secure ? https : http).request(
      target,
      {
        method: 'GET',
        headers: { host, accept: 'text/html,*/*' },
        signal: AbortSignal.timeout(options.timeoutMs),
        ...(secure
          ? {
              servername: isIP(hostname) ? undefined : hostname,
              rejectUnauthorized: !options.ignoreHttpsErrors,
            }
          : {}),
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          if (size < BODY_LIMIT) chunks.push(chunk);
          size += chunk.length;
        });
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            statusText: response.statusMessage ?? '',
            contentType: response.headers['content-type'] ?? '',
            body: Buffer.concat(chunks).subarray(0, BODY_LIMIT).toString('utf8'),
          }),
        );
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end();
  });
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
