import type { Page } from '@playwright/test';
import { expect, test } from '../../../fixtures/index.ts';
import { HomePage } from '../../../pages/home-page.ts';

// Deliberately NOT tagged @writes: tests that write while claiming they do not, one per way a
// spec can reach the site. On a read-only target the guards must block each write and fail the
// test, whatever its tags say (selftest/read-only.test.ts checks every one of them).

const form = { item_text: 'must never reach a read-only site' };

/** Submits the new-list form in `page` and waits for the list page it must never get. */
async function submitNewList(page: Page): Promise<void> {
  const home = await new HomePage(page).open();
  await home.submitItem(form.item_text);
  await expect(page).toHaveURL(/\/lists\/\d+\/$/);
}

test.describe('A test that writes without saying so', () => {
  test('the test page submits the form', async ({ page }) => {
    await submitNewList(page);
  });

  test('a second visitor submits the form', async ({ newVisitor }) => {
    await submitNewList((await newVisitor()).page);
  });

  test('a context from browser.newContext() submits the form', async ({ browser }) => {
    const context = await browser.newContext();
    await submitNewList(await context.newPage());
  });

  test('a page from browser.newPage() submits the form', async ({ browser }) => {
    await submitNewList(await browser.newPage());
  });

  test('page.request posts', async ({ page }) => {
    await page.request.post('/lists/new', { form });
  });

  test('context.request posts', async ({ context }) => {
    await context.request.post('/lists/new', { form });
  });

  test('request posts', async ({ request }) => {
    await request.post('/lists/new', { form });
  });

  test('request.fetch posts', async ({ request }) => {
    await request.fetch('/lists/new', { method: 'POST', form });
  });

  test('playwright.request.newContext() posts', async ({ playwright, baseURL }) => {
    const client = await playwright.request.newContext({ baseURL });
    await client.post('/lists/new', { form });
  });

  test('a write whose refusal the test catches still fails it', async ({ request }) => {
    await request.post('/lists/new', { form }).catch(() => undefined);
  });
});
