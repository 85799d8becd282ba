import { expect, test } from '../../fixtures/index.ts';
import { HomePage } from '../../pages/home-page.ts';

test.describe('CSS', { tag: '@smoke' }, () => {
  test.use({ viewport: { width: 1024, height: 768 } });

  test("Bootstrap's styles reach the page and centre the input", async ({ page, smokePages }) => {
    for (const { name, path } of smokePages) {
      await test.step(`${name} (${path})`, async () => {
        await page.goto(path);
        const input = new HomePage(page).itemInput;
        // Bootstrap 5 defines its variables on :root and styles .form-control: proof the CSS parsed.
        await expect
          .poll(
            () =>
              page.evaluate(() =>
                getComputedStyle(document.documentElement)
                  .getPropertyValue('--bs-body-font-family')
                  .trim(),
              ),
            {
              message: `${path}: expected Bootstrap's --bs-body-font-family on :root (is the CSS applied?)`,
            },
          )
          .not.toBe('');
        await expect(
          input,
          `${path}: expected .form-control's rounded border on the input`,
        ).not.toHaveCSS('border-top-left-radius', '0px');
        await expect(input).toBeCentredAt(512, { tolerance: 10 });
      });
    }
  });
});
