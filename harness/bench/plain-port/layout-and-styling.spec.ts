import { randomUUID } from 'node:crypto';
import { expect, test, type Page } from '@playwright/test';
import { LIST_PATH } from '../../../pages/contract.ts';

/** The input's horizontal centre is within 10 px of the window's. */
async function expectInputCentred(page: Page) {
  const box = await page.locator('#id_text').boundingBox();
  const width = page.viewportSize()?.width ?? NaN;
  expect(box).not.toBeNull();
  expect(Math.abs(box!.x + box!.width / 2 - width / 2)).toBeLessThanOrEqual(10);
}

test('the item input is centred on the home page', async ({ page }) => {
  await page.goto('/');
  await expectInputCentred(page);
});

test('the item input is centred on a list page', async ({ page }) => {
  await page.goto('/');
  await page.locator('#id_text').fill(`testing ${randomUUID().slice(0, 8)}`);
  await page.locator('#id_text').press('Enter');
  await expect(page).toHaveURL(LIST_PATH);
  await expectInputCentred(page);
});
