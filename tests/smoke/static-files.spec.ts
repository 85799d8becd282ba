import { assetProblems, loadPageAssets } from '../../helpers/assets.ts';
import { expect, test } from '../../fixtures/index.ts';

test.describe('Static files', { tag: '@smoke' }, () => {
  test('every stylesheet, script, image and font each page loads arrives intact', async ({
    page,
    request,
    smokePages,
  }) => {
    for (const { name, path } of smokePages) {
      await test.step(`${name} (${path})`, async () => {
        const assets = await loadPageAssets(page, request, path);
        await test.info().attach(`assets ${name}.json`, {
          body: JSON.stringify(assets, null, 2),
          contentType: 'application/json',
        });
        const kinds = new Set(assets.map((asset) => asset.kind));
        expect
          .soft(kinds.has('stylesheet'), `${path}: expected the page to load a stylesheet`)
          .toBe(true);
        expect.soft(kinds.has('script'), `${path}: expected the page to load a script`).toBe(true);
        const problems = assets.flatMap(assetProblems);
        expect.soft(problems, `${path}: broken static files:\n${problems.join('\n')}`).toEqual([]);
      });
    }
  });
});
