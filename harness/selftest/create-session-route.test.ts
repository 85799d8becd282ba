/**
 * The built-in site's sessions come from a request to the site (issue 24: a node process per
 * session took 35-50 s at load 40). That request is bounded: a site that never answers gives one
 * line naming the bound, not a test that hangs until its budget; a refusal is its answer's words.
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { runAction } from '../../helpers/actions.ts';

function site(handler: http.RequestListener): Promise<{ url: string; close: () => void }> {
  const server = http.createServer(handler);
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () => {
          server.closeAllConnections();
          server.close();
        },
      }),
    ),
  );
}

describe('an http create-session', () => {
  it('that gets no answer ends at its bound with one line', async () => {
    const { url, close } = await site(() => undefined); // never answers
    const started = Date.now();
    const result = await runAction(
      { kind: 'http', method: 'POST', url: `${url}/__create_session__?email=a%40b.c` },
      { timeoutMs: 300 },
    );
    close();
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^no answer within 300 ms/);
    assert.ok(Date.now() - started < 5000);
  });

  it('sends its headers once (a POST is never resent) and returns a refusal as the answer', async () => {
    let requests = 0;
    const { url, close } = await site((request, response) => {
      requests++;
      const ok = request.headers.authorization === 'Bearer t';
      response.writeHead(ok ? 409 : 403).end(ok ? 'the user a@b.c already exists\n' : 'no\n');
    });
    const result = await runAction(
      { kind: 'http', method: 'POST', url: `${url}/__create_session__?email=a%40b.c` },
      { headers: { authorization: 'Bearer t' }, timeoutMs: 5000 },
    );
    close();
    assert.equal(requests, 1);
    assert.equal(result.code, 409);
    assert.equal(result.stderr, 'HTTP 409');
    assert.match(result.stdout, /already exists/);
  });
});
