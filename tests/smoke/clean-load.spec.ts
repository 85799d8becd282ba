import { expect, test } from '../../fixtures/index.ts';

test.describe('Page health', { tag: '@smoke' }, () => {
  test('pages load without console errors, page errors or failed requests', async ({
    pageHealth,
    smokePages,
    visit,
  }) => {
    for (const { name, path } of smokePages) {
      await test.step(`${name} (${path})`, async () => {
        const before = pageHealth.unexpected.length;
        await visit(path);
        const problems = pageHealth.unexpected.slice(before);
        expect(
          problems,
          `${path}: expected a clean load, the browser saw:\n${pageHealth.describe(problems)}`,
        ).toEqual([]);
      });
    }
  });
});
