import { expect, test } from '../../fixtures/index.ts';
import { send } from '../../helpers/http.ts';
import { isSitePage, STATIC_PREFIX } from '../../pages/contract.ts';

/** What debug pages of common stacks print; none of it may reach a visitor in production. */
const DEBUG_SIGNS: [RegExp, string][] = [
  [/DEBUG\s*=\s*True/, "Django's DEBUG = True notice"],
  [/Using the URLconf/, "Django's URL pattern list"],
  [/Traceback \(most recent call last\)/, 'a Python traceback'],
  [/^\s+at .+\(.+:\d+:\d+\)$/m, 'a JavaScript stack trace'],
  [/Werkzeug Debugger|Whoops!|Stack trace:/, 'a framework debug page'],
  [/SECRET_KEY|DATABASE_URL|DATABASES\s*=/, 'a settings dump'],
];

/** A name no site serves: requests with it must be refused (Django's ALLOWED_HOSTS). */
const FOREIGN_HOST = 'superlists-live-tests.invalid';

test.describe('Production settings', { tag: '@smoke' }, () => {
  test('an unknown address answers a plain 404 with no debug output', async ({
    request,
    runTag,
  }) => {
    const path = `/no-such-page-${runTag}/`;
    const response = await request.get(path);
    expect(response.status(), `${path}: expected 404, got ${response.status()}`).toBe(404);
    const body = await response.text();
    const leaks = DEBUG_SIGNS.filter(([pattern]) => pattern.test(body)).map(([, what]) => what);
    expect(
      leaks,
      `${path}: expected a plain 404 page, it shows ${leaks.join(', ')} (is DEBUG on?)`,
    ).toEqual([]);
  });

  test('a request for another host name answers 400, never a page of the site', async ({
    target,
    suite,
  }) => {
    const answer = await send(`${target.url}/`, {
      host: FOREIGN_HOST,
      ignoreHttpsErrors: target.ignoreHttpsErrors,
      timeoutMs: suite.expectTimeoutMs,
    });
    const what = `${target.url}/ with Host: ${FOREIGN_HOST} answered ${answer.status} "${answer.contentType}"`;
    expect(
      isSitePage(answer.body),
      `${what} with a page of the site: it answers any Host (ALLOWED_HOSTS "*", or nginx forwarding every name)`,
    ).toBe(false);
    expect(answer.status, `${what}: expected 400 Bad Request (ALLOWED_HOSTS)`).toBe(400);
  });

  test('a missing static file answers 404, never a page', async ({ request, runTag }) => {
    const path = `${STATIC_PREFIX}no-such-file-${runTag}.js`;
    const response = await request.get(path);
    const what = `${path} answered ${response.status()} "${response.headers()['content-type'] ?? 'no Content-Type'}"`;
    expect(
      isSitePage(await response.text()),
      `${what} with a page of the site: /static/ has a catch-all fallback`,
    ).toBe(false);
    expect(response.status(), `${what}: expected 404 for a file that does not exist`).toBe(404);
  });
});
