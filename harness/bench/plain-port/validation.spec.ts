import { randomUUID } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { ERRORS, LIST_PATH, rowsOf } from '../../../pages/contract.ts';

const unique = (text: string) => `${text} ${randomUUID().slice(0, 8)}`;

test('an empty item is refused, then a real one is accepted', async ({ page }) => {
  const milk = unique('Buy milk');
  const tea = unique('Make tea');
  const input = page.locator('#id_text');

  await page.goto('/');
  await input.press('Enter');
  await expect(page.locator('#id_text:invalid')).toBeVisible();

  await input.fill(milk);
  await expect(page.locator('#id_text:valid')).toBeVisible();
  await input.press('Enter');
  await expect(page).toHaveURL(LIST_PATH);
  await expect(page.locator('#id_list_table tr')).toHaveText(rowsOf([milk]));

  await input.press('Enter');
  await expect(page.locator('#id_text:invalid')).toBeVisible();

  await input.fill(tea);
  await input.press('Enter');
  await expect(page.locator('#id_list_table tr')).toHaveText(rowsOf([milk, tea]));
});

test('the site refuses an empty item even when the browser lets it through', async ({ page }) => {
  await page.goto('/');
  await page.locator('#id_text').evaluate((input) => input.removeAttribute('required'));
  await page.locator('#id_text').press('Enter');
  await expect(page.locator('#id_text_feedback')).toHaveText(ERRORS.emptyItem);
  await expect(page).not.toHaveURL(LIST_PATH);
});

test('a duplicate item is refused with a message', async ({ page }) => {
  const wellies = unique('Buy wellies');
  const input = page.locator('#id_text');
  await page.goto('/');
  await input.fill(wellies);
  await input.press('Enter');
  await expect(page).toHaveURL(LIST_PATH);

  await input.fill(wellies);
  await input.press('Enter');
  await expect(page.locator('#id_text_feedback')).toHaveText(ERRORS.duplicateItem);
  await expect(page.locator('#id_list_table tr')).toHaveText(rowsOf([wellies]));
});

test('the error message disappears as soon as she types', async ({ page }) => {
  const banter = unique('Banter too thick');
  const input = page.locator('#id_text');
  await page.goto('/');
  await input.fill(banter);
  await input.press('Enter');
  await expect(page).toHaveURL(LIST_PATH);
  await input.fill(banter);
  await input.press('Enter');
  await expect(page.locator('#id_text_feedback')).toHaveText(ERRORS.duplicateItem);
  // The script that clears the error runs once the page has loaded.
  await page.waitForLoadState('load');

  await input.press('a');
  await expect(page.locator('#id_text_feedback')).toBeHidden();
  await expect(input).not.toHaveClass(/\bis-invalid\b/);
});
