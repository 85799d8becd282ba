import { randomUUID } from 'node:crypto';
import { expect, test } from '@playwright/test';
import {
  HEADINGS,
  ITEM_PLACEHOLDER,
  LIST_PATH,
  PAGE_TITLE,
  rowsOf,
} from '../../../pages/contract.ts';

const unique = (text: string) => `${text} ${randomUUID().slice(0, 8)}`;

test('a new visitor can start a to-do list and find it again later', async ({ page }) => {
  const feathers = unique('Buy peacock feathers');
  const fly = unique('Use peacock feathers to make a fly');
  const input = page.locator('#id_text');
  const rows = page.locator('#id_list_table tr');

  await page.goto('/');
  await expect(page).toHaveTitle(PAGE_TITLE);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(HEADINGS.home);
  await expect(input).toHaveAttribute('placeholder', ITEM_PLACEHOLDER);

  await input.fill(feathers);
  await input.press('Enter');
  await expect(page).toHaveURL(LIST_PATH);
  await expect(rows).toHaveText(rowsOf([feathers]));

  await input.fill(fly);
  await input.press('Enter');
  await expect(rows).toHaveText(rowsOf([feathers, fly]));

  await page.goto(page.url());
  await expect(rows).toHaveText(rowsOf([feathers, fly]));
});

test('a new visitor sees what she typed exactly as she typed it', async ({ page }) => {
  const markup = unique(`Buy <b>peacock</b> feathers & "fly" — l'été 🦚`);
  const script = unique(`<img src="x" onerror="document.documentElement.dataset.injected='yes'">`);
  const input = page.locator('#id_text');
  const rows = page.locator('#id_list_table tr');

  await page.goto('/');
  await input.fill(markup);
  await input.press('Enter');
  await expect(rows).toHaveText(rowsOf([markup]));
  await input.fill(script);
  await input.press('Enter');
  await expect(rows).toHaveText(rowsOf([markup, script]));
  await expect(page.locator('#id_list_table td *')).toHaveCount(0);
  await expect(page.locator('html')).not.toHaveAttribute('data-injected');
});
