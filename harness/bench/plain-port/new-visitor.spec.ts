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
  const input = page.getByRole('textbox');
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
