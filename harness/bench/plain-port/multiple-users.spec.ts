import { randomUUID } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { LIST_PATH, rowsOf } from '../../../pages/contract.ts';

const unique = (text: string) => `${text} ${randomUUID().slice(0, 8)}`;

test('several visitors each get a list of their own at its own address', async ({
  page,
  browser,
  baseURL,
}) => {
  const feathers = unique('Buy peacock feathers');
  const milk = unique('Buy milk');

  await page.goto('/');
  await page.locator('#id_text').fill(feathers);
  await page.locator('#id_text').press('Enter');
  await expect(page).toHaveURL(LIST_PATH);
  await expect(page.locator('#id_list_table tr')).toHaveText(rowsOf([feathers]));
  const edithUrl = page.url();

  const francisContext = await browser.newContext({ baseURL });
  const francis = await francisContext.newPage();
  await francis.goto('/');
  await expect(francis.locator('body')).not.toContainText(feathers);
  await francis.locator('#id_text').fill(milk);
  await francis.locator('#id_text').press('Enter');
  await expect(francis).toHaveURL(LIST_PATH);
  expect(francis.url()).not.toBe(edithUrl);
  await expect(francis.locator('#id_list_table tr')).toHaveText(rowsOf([milk]));
  await expect(francis.locator('body')).not.toContainText(feathers);
  await francisContext.close();

  await page.reload();
  await expect(page.locator('#id_list_table tr')).toHaveText(rowsOf([feathers]));
});
