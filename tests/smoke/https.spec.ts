import { linkedAssetUrls } from '../../helpers/assets.ts';
import { expect, test } from '../../fixtures/index.ts';

test.describe('HTTPS', { tag: '@smoke' }, () => {
  test.beforeEach(({ target }) => {
    test.skip(
      !target.requireHttps,
      `not applicable: ${target.name} is not required to serve https (${target.name.toUpperCase()}_REQUIRE_HTTPS)`,
    );
  });

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
    await client.dispose();
  });

  test('the site is served over https with HSTS', async ({ request, target }) => {
    expect(target.url, `${target.name}: expected an https:// URL`).toMatch(/^https:\/\//);
    const response = await request.get('/');
    const hsts = response.headers()['strict-transport-security'] ?? '';
    expect(
      hsts,
      `${target.url}/: expected a Strict-Transport-Security header with max-age`,
    ).toMatch(/max-age=\d+/);
  });

  test('pages load nothing over plain http (no mixed content)', async ({ page, smokePages }) => {
    const insecure = new Set<string>();
    page.on('request', (req) => {
      if (req.url().startsWith('http:')) insecure.add(req.url());
    });
    for (const { path } of smokePages) {
      await page.goto(path, { waitUntil: 'load' });
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
