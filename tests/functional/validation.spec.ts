import { expect, test } from '../../fixtures/index.ts';
import { ERRORS, LIST_PATH } from '../../pages/contract.ts';

test.describe('Item validation', { tag: ['@story', '@writes'] }, () => {
  test('an empty item is refused, then a real one is accepted', async ({
    openHome,
    uniqueText,
  }) => {
    const milk = uniqueText('Buy milk');
    const tea = uniqueText('Make tea');
    const home = await openHome();

    await test.step('Edith submits an empty item: the browser refuses it', async () => {
      await home.typeAndPressEnter('');
      await home.expectInputRefusedByBrowser();
    });

    const list =
      await test.step('she types something: the input is valid and submits', async () => {
        await home.itemInput.fill(milk);
        await home.expectInputAccepted();
        return home.startList(milk);
      });

    await test.step('a second empty item is refused too', async () => {
      await list.typeAndPressEnter('');
      await list.expectInputRefusedByBrowser();
    });

    await test.step('she fills it in and it becomes item 2', async () => {
      await list.addItem(tea);
      await expect(list).toShowItems([milk, tea]);
    });
  });

  test('the site refuses an empty item even when the browser lets it through', async ({
    openHome,
  }) => {
    const home = await openHome();

    await test.step('a browser without form validation submits an empty item', async () => {
      await home.itemInput.evaluate((input) => input.removeAttribute('required'));
      await home.submitItem('');
    });

    await test.step('the site answers with its own error and saves nothing', async () => {
      await home.expectError(ERRORS.emptyItem);
      await expect(home.page).not.toHaveURL(LIST_PATH);
    });
  });

  test('a duplicate item is refused with a message', async ({ openHome, uniqueText }) => {
    const wellies = uniqueText(`Buy "wellies" <size 9> & l'écharpe 🧣`);
    const list = await (await openHome()).startList(wellies);

    await test.step('Edith enters the same item again', () => list.submitItem(wellies));

    await test.step('she sees a helpful error and the list is unchanged', async () => {
      await list.expectError(ERRORS.duplicateItem);
      await expect(list).toShowItems([wellies]);
    });
  });

  test('the error message disappears as soon as she types', async ({ openHome, uniqueText }) => {
    const banter = uniqueText('Banter too thick');
    const list = await (await openHome()).startList(banter);
    await list.submitItem(banter);
    await list.expectError(ERRORS.duplicateItem);

    await test.step('she starts typing to fix it: the error is hidden', async () => {
      await list.itemInput.press('a');
      await expect(list.feedback).toBeHidden();
      await expect(list.itemInput).not.toHaveClass(/\bis-invalid\b/);
    });
  });
});
