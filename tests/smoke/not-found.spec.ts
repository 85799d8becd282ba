import { expect, test } from '../../fixtures/index.ts';

/** What debug pages of common stacks print; none of it may reach a visitor in production. */
const DEBUG_SIGNS: [RegExp, string][] = [
  [/DEBUG\s*=\s*True/, "Django's DEBUG = True notice"],
  [/Using the URLconf/, "Django's URL pattern list"],
  [/Traceback \(most recent call last\)/, 'a Python traceback'],
  [/^\s+at .+\(.+:\d+:\d+\)$/m, 'a JavaScript stack trace'],
  [/Werkzeug Debugger|Whoops!|Stack trace:/, 'a framework debug page'],
  [/SECRET_KEY|DATABASE_URL|DATABASES\s*=/, 'a settings dump'],
];

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
});
