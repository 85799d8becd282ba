import { expect, test } from '../../fixtures/index.ts';

test.describe('A new visitor', { tag: ['@story', '@writes'] }, () => {
  test('can start a to-do list and find it again later', async ({
    openHome,
    openList,
    uniqueText,
  }) => {
    const feathers = uniqueText('Buy peacock feathers');
    const fly = uniqueText('Use peacock feathers to make a fly');

    const home = await test.step('Edith opens the home page of the to-do app', async () => {
      const home = await openHome();
      await expect(home.page).toHaveTitle(/To-Do/);
      await expect(home.heading).toContainText('To-Do');
      await expect(home.itemInput).toHaveAttribute('placeholder', 'Enter a to-do item');
      return home;
    });

    const list = await test.step('she types her first item and presses Enter', () =>
      home.startList(feathers));

    await test.step('she adds a second item: both are on her list, numbered', async () => {
      await list.addItem(fly);
      await expect(list).toShowItems([feathers, fly]);
    });

    await test.step('she comes back to her list address: the items are still there', async () => {
      const again = await openList(list.url);
      await expect(again).toShowItems([feathers, fly]);
    });
  });
});
