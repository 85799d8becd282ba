/**
 * Bad input end to end, through the real command a user types: one clear line, exit 2, no stack
 * trace, never a secret. The rules themselves are unit-tested in config.test.ts; these prove the
 * line reaches the user, and that preflight stops a broken site within seconds. Each target here
 * is a tiny local server this test starts itself.
 */
import { execFileSync } from 'node:child_process';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HEADINGS } from '../../pages/contract.ts';
import { assertOneClearLine, playwright, playwrightStartMs, scratch, SECRET } from './run.ts';

type Handler = http.RequestListener;

/** Starts a server answering with `handler`; returns its base URL. */
async function serve(handler: Handler, servers: http.Server[]): Promise<string> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('bad input, end to end', { concurrency: 1 }, () => {
  const servers: http.Server[] = [];
  const urls: Record<string, string> = {};
  before(async () => {
    urls.bad400 = await serve((_req, res) => res.writeHead(400).end('Bad Request (400)'), servers);
    urls.loop = await serve((req, res) => {
      // An https redirect behind a proxy that hides the scheme: / -> /next/ -> / ...
      res.writeHead(301, { location: req.url === '/' ? '/next/' : '/' }).end();
    }, servers);
    urls.notHome = await serve(
      (_req, res) => res.writeHead(200).end('<h1>Welcome to nginx!</h1>'),
      servers,
    );
    // A self-signed https site answering 400: the HTTP step must run there too.
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-keyout',
        path.join(scratch, 'key.pem'),
        '-out',
        path.join(scratch, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    const { readFileSync } = await import('node:fs');
    const tlsServer = https.createServer(
      {
        key: readFileSync(path.join(scratch, 'key.pem')),
        cert: readFileSync(path.join(scratch, 'cert.pem')),
      },
      (_req, res) => res.writeHead(400).end(),
    );
    servers.push(tlsServer);
    await new Promise<void>((resolve) => tlsServer.listen(0, '127.0.0.1', resolve));
    urls.tls400 = `https://127.0.0.1:${(tlsServer.address() as AddressInfo).port}`;
  });
  after(() => servers.forEach((server) => server.close()));

  it('a bad value: one line naming it, exit 2, no secret', async () => {
    const run = await playwright(['--project=staging'], {
      STAGING_URL: 'http://127.0.0.1:1',
      STAGING_DATABASE_URL: `mysql://u:${SECRET}@h/db`,
    });
    assertOneClearLine(
      run,
      /STAGING_DATABASE_URL: unknown scheme 'mysql:'; known: postgres:\/\/\S+, sqlite:\/\/\/\//,
    );
    assert.equal(run.code, 2);
  });

  it('a bad visual budget: one line naming it and the syntax, exit 2', async () => {
    const run = await playwright(['--project=staging'], {
      STAGING_URL: 'http://127.0.0.1:1',
      DEPLOY_VISUAL_BUDGET: 'home=lots',
    });
    assertOneClearLine(
      run,
      /DEPLOY_VISUAL_BUDGET=home=lots: give a share of pixels \(0\.01 or 1%\)/,
    );
    assert.equal(run.code, 2);
  });

  it('a target that is down stops the run within seconds', async () => {
    const start = await playwrightStartMs();
    const run = await playwright(['--project=staging'], { STAGING_URL: 'http://127.0.0.1:9' });
    assertOneClearLine(run, /staging http:\/\/127\.0\.0\.1:9 unreachable: connection refused/);
    assert.ok(run.ms - start < 3_000, `took ${run.ms} ms (Playwright's start ${start} ms)`);
  });

  it('a / answering 400 is red in under 3 s, with the likely cause', async () => {
    // Playwright's own start (about 0.5 s on an idle machine) is measured and allowed on top:
    // on a machine shared by several runs it alone can exceed 3 s.
    const start = await playwrightStartMs();
    const run = await playwright(['--project=staging'], { STAGING_URL: urls.bad400! });
    assertOneClearLine(
      run,
      /: \/ answers 400: is nginx forwarding the Host header \/ is ALLOWED_HOSTS right\?/,
    );
    const own = run.ms - start;
    console.log(`a / answering 400: red in ${run.ms} ms wall (Playwright's start ${start} ms)`);
    assert.ok(own < 3_000, `took ${run.ms} ms, ${own} ms beyond Playwright's own start`);
  });

  it('a redirect loop lists its hops', async () => {
    const run = await playwright(['--project=staging'], { STAGING_URL: urls.loop! });
    assertOneClearLine(run, /: \/ redirects in a loop: \/ -> \/next\/ -> \/ \(behind a proxy\?/);
  });

  it("a / that is not the site's home page", async () => {
    const run = await playwright(['--project=staging'], { STAGING_URL: urls.notHome! });
    assertOneClearLine(
      run,
      new RegExp(`answers 200 but is not the site's home page \\(no "${HEADINGS.home}"`),
    );
  });

  it('a self-signed https site is still checked over HTTP', async () => {
    const run = await playwright(['--project=production'], {
      PRODUCTION_URL: urls.tls400!,
      PRODUCTION_IGNORE_HTTPS_ERRORS: 'true',
    });
    assertOneClearLine(run, /production https:\/\/127\.0\.0\.1:\d+: \/ answers 400/);
  });
});
