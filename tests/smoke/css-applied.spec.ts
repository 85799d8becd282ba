import { expect, test } from '../../fixtures/index.ts';
import { SuperlistsPage } from '../../pages/superlists-page.ts';

test.describe('CSS', { tag: '@smoke' }, () => {
  test.use({ viewport: { width: 1024, height: 768 } });

  test("Bootstrap's styles reach the page and centre the input", async ({
    page,
    smokePages,
    visit,
  }) => {
    for (const { name, path } of smokePages) {
      await test.step(`${name} (${path})`, async () => {
        await visit(path);
        const input = new SuperlistsPage(page).itemInput;
        await expect(page).toBeStyledByBootstrap();
        await expect(
          input,
          `${path}: expected .form-control's rounded border on the input`,
        ).not.toHaveCSS('border-top-left-radius', '0px');
        await expect(input).toBeCentredInViewport();
      });
    }
  });
});
