/**
 * The https smoke checks judge the site's answers, never the configuration: against local servers
 * this test starts (loopback only), a home page with HSTS switched off (max-age=0) or one that an
 * https URL hands over to plain http fails, so does plain http redirected to https on another
 * host, and so does a CSRF cookie marked SameSite=None; a sound https site passes.
 */
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HEADINGS } from '../../pages/contract.ts';
import { playwright, selfSignedCertificate, serve } from './run.ts';

const HOME = `<title>To-Do lists</title><h1>${HEADINGS.home}</h1>`;

/** Starts a self-signed https server on the loopback answering with `handler`; returns its URL. */
async function serveHttps(handler: http.RequestListener, servers: http.Server[]): Promise<string> {
  const server = https.createServer(selfSignedCertificate(), handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Runs the https check(s) matching `grep` against `url` as production, certificate errors ignored. */
function httpsCheck(grep: string, url: string, env: Record<string, string> = {}) {
  return playwright(['--project=production', '--grep', grep, '--reporter=line'], {
    PRODUCTION_URL: url,
    PRODUCTION_IGNORE_HTTPS_ERRORS: 'true',
    ...env,
  });
}

describe('the https checks read the site', { concurrency: 1 }, () => {
  const servers: http.Server[] = [];
  const urls: Record<string, string> = {};
  const home = (hsts: string) => (_req: http.IncomingMessage, res: http.ServerResponse) =>
    res
      .writeHead(200, { 'content-type': 'text/html', 'strict-transport-security': hsts })
      .end(HOME);
  before(async () => {
    urls.sound = await serveHttps(home('max-age=31536000; includeSubDomains'), servers);
    urls.zero = await serveHttps(home('max-age=0'), servers);
    // Secure cookies: SameSite=Lax, or SameSite=None (sent with requests from any site).
    for (const sameSite of ['Lax', 'None']) {
      urls[`csrf${sameSite}`] = await serveHttps(
        (_req, res) =>
          res
            .writeHead(200, {
              'content-type': 'text/html',
              'set-cookie': `csrftoken=t0ken; Path=/; Secure; SameSite=${sameSite}`,
            })
            .end(HOME),
        servers,
      );
    }
    const plain = await serve(home('max-age=31536000'), servers);
    urls.downgrade = await serveHttps(
      (_req, res) => res.writeHead(301, { location: `${plain}/` }).end(),
      servers,
    );
    // Plain http redirecting to https: on the sound site's own host, or on localhost instead.
    const port = new URL(urls.sound).port;
    urls.toHttps = await serve(
      (_req, res) => res.writeHead(301, { location: `https://127.0.0.1:${port}/` }).end(),
      servers,
    );
    urls.toElsewhere = await serve(
      (_req, res) => res.writeHead(301, { location: `https://localhost:${port}/` }).end(),
      servers,
    );
  });
  after(() => servers.forEach((server) => server.close()));

  it('a sound https site with HSTS passes', async () => {
    const run = await httpsCheck('HSTS', urls.sound!);
    assert.equal(run.code, 0, run.output);
    assert.match(run.output, /1 passed/, run.output);
  });

  it('HSTS with max-age=0 (switched off) fails, quoting the header', async () => {
    const run = await httpsCheck('HSTS', urls.zero!);
    assert.equal(run.code, 1, run.output);
    assert.match(run.output, /with a max-age above 0 \(0 turns HSTS off\), got "max-age=0"/);
  });

  it('an https URL whose home page comes over plain http fails, whatever the URL says', async () => {
    // Preflight would stop this run first (a redirect off the target): off, to reach the check.
    const run = await httpsCheck('HSTS', urls.downgrade!, { PREFLIGHT: 'false' });
    assert.equal(run.code, 1, run.output);
    assert.match(run.output, /expected the home page over https, it was served from http:\/\/127/);
  });

  it('plain http redirected to https on the same host passes; to another host fails', async () => {
    const sound = await httpsCheck('plain http redirects', urls.sound!, {
      PRODUCTION_HTTP_URL: urls.toHttps!,
    });
    assert.equal(sound.code, 0, sound.output);
    assert.match(sound.output, /1 passed/, sound.output);
    const elsewhere = await httpsCheck('plain http redirects', urls.sound!, {
      PRODUCTION_HTTP_URL: urls.toElsewhere!,
    });
    assert.equal(elsewhere.code, 1, elsewhere.output);
    assert.match(
      elsewhere.output,
      /expected a redirect to https on the site's own host 127\.0\.0\.1, got Location "https:\/\/localhost:/,
    );
  });

  it('a Secure CSRF cookie passes with SameSite=Lax, fails with SameSite=None', async () => {
    const lax = await httpsCheck('CSRF cookie', urls.csrfLax!);
    assert.equal(lax.code, 0, lax.output);
    assert.match(lax.output, /1 passed/, lax.output);
    const none = await httpsCheck('CSRF cookie', urls.csrfNone!);
    assert.equal(none.code, 1, none.output);
    assert.match(none.output, /csrftoken: SameSite=None \(sent with requests from any site\)/);
  });
});
