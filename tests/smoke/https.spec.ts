import type { Cookie, Page } from '@playwright/test';
import { linkedAssetUrls } from '../../helpers/assets.ts';
import { cookieFlagProblems, hstsMaxAge } from '../../helpers/http.ts';
import { expect, test, type SmokePage } from '../../fixtures/index.ts';

/** The cookies the site set while `page` visited each smoke page (GETs only). */
async function cookiesOfVisit(
  page: Page,
  visit: (path: string) => Promise<void>,
  pages: SmokePage[],
): Promise<Cookie[]> {
  for (const { path } of pages) await visit(path);
  return page.context().cookies();
}

/** How to turn the cookie checks off for a target that rightly does not use https. */
function switchOff(name: string): string {
  return `set ${name.toUpperCase()}_SECURE_COOKIES=false if ${name} is rightly not served over https`;
}

test.describe('HTTPS', { tag: '@smoke' }, () => {
  // A skip decided from a worker fixture, before the test's own fixtures: a skip then costs nothing.
  test.skip(
    ({ target }) => !target.requireHttps,
    'not applicable: the target is not required to serve https (<TARGET>_REQUIRE_HTTPS)',
  );

  test('plain http redirects to https', async ({ target, playwright }) => {
    const httpUrl = target.httpUrl ?? target.url.replace(/^https:/, 'http:');
    const client = await playwright.request.newContext({
      ignoreHTTPSErrors: target.ignoreHttpsErrors,
    });
    const response = await client.get(`${httpUrl}/`, { maxRedirects: 0 });
    const location = response.headers()['location'] ?? '';
    expect(
      [301, 302, 307, 308],
      `${httpUrl}/: expected a redirect, got ${response.status()}`,
    ).toContain(response.status());
    expect(
      location,
      `${httpUrl}/: expected a redirect to https, got Location "${location}"`,
    ).toMatch(/^https:\/\//);
    // https somewhere else (localhost, another name) passes the scheme but loses the visitor.
    const site = new URL(target.url).hostname;
    expect(
      new URL(location, `${httpUrl}/`).hostname,
      `${httpUrl}/: expected a redirect to https on the site's own host ${site}, got Location "${location}"`,
    ).toBe(site);
    await client.dispose();
  });

  test('the site is served over https with HSTS', async ({ request, target }) => {
    const response = await request.get('/');
    // Where the home page came from, after any redirect: the site's answer, not its configuration.
    const servedFrom = response.url();
    expect(
      servedFrom,
      `${target.url}/: expected the home page over https, it was served from ${servedFrom}`,
    ).toMatch(/^https:\/\//);
    const hsts = response.headers()['strict-transport-security'];
    expect(
      hstsMaxAge(hsts),
      `${servedFrom}: expected a Strict-Transport-Security header with a max-age above 0 (0 turns HSTS off), got ${hsts === undefined ? 'none' : `"${hsts}"`}`,
    ).toBeGreaterThan(0);
  });

  test('pages load nothing over plain http (no mixed content)', async ({
    page,
    smokePages,
    visit,
  }) => {
    const insecure = new Set<string>();
    page.on('request', (req) => {
      if (req.url().startsWith('http:')) insecure.add(req.url());
    });
    for (const { path } of smokePages) {
      await visit(path);
      // The browser blocks (and never requests) an insecure script: the document still names it.
      const linked = await linkedAssetUrls(page);
      for (const url of linked.filter((u) => u.startsWith('http:'))) insecure.add(url);
    }
    expect(
      [...insecure],
      `expected every asset over https, these are not:\n${[...insecure].join('\n')}`,
    ).toEqual([]);
  });
});

test.describe('HTTPS cookies', { tag: '@smoke' }, () => {
  test.skip(
    ({ target }) => !target.secureCookies,
    "not applicable: the target's cookies are not required to be Secure (<TARGET>_SECURE_COOKIES, default: <TARGET>_REQUIRE_HTTPS)",
  );

  test('the CSRF cookie is Secure', async ({ page, target, smokePages, visit }) => {
    const cookies = await cookiesOfVisit(page, visit, smokePages);
    const csrf = cookies.filter((cookie) => /csrf/i.test(cookie.name));
    test.skip(
      csrf.length === 0,
      `not applicable: ${target.name} set no CSRF cookie on a read-only visit (${smokePages.map((p) => p.path).join(', ')})`,
    );
    const problems = csrf.flatMap((cookie) =>
      cookieFlagProblems(cookie, { secure: true, httpOnly: false }).map(
        (problem) => `${cookie.name}: ${problem}`,
      ),
    );
    expect(
      problems,
      `${target.url}: the CSRF cookie must be Secure and not SameSite=None (CSRF_COOKIE_SECURE = True, CSRF_COOKIE_SAMESITE = 'Lax'), it is ${problems.join(', ')}; ${switchOff(target.name)}`,
    ).toEqual([]);
  });

  test('the session cookie is Secure and HttpOnly', async ({ page, target, smokePages, visit }) => {
    const cookies = await cookiesOfVisit(page, visit, smokePages);
    const session = cookies.find((cookie) => cookie.name === target.sessionCookie);
    test.skip(
      !session,
      `not applicable: ${target.name} set no ${target.sessionCookie} cookie on a read-only visit (${target.name.toUpperCase()}_SESSION_COOKIE names it)`,
    );
    const problems = cookieFlagProblems(session!, { secure: true, httpOnly: true });
    expect(
      problems,
      `${target.url}: the session cookie ${target.sessionCookie} must be Secure, HttpOnly and not SameSite=None (SESSION_COOKIE_SECURE, SESSION_COOKIE_HTTPONLY = True, SESSION_COOKIE_SAMESITE = 'Lax'), it is ${problems.join(', ')}; ${switchOff(target.name)}`,
    ).toEqual([]);
  });
});
