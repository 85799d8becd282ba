import { expect, test } from '../../fixtures/index.ts';
import { HEADINGS, ITEM_PLACEHOLDER, PAGE_TITLE } from '../../pages/contract.ts';
import { TEXT_THAT_RUNS, TEXT_WITH_MARKUP } from '../../pages/typed-texts.ts';

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
      await expect(home.page).toHaveTitle(PAGE_TITLE);
      await expect(home.heading).toHaveText(HEADINGS.home);
      await expect(home.itemInput).toHaveAttribute('placeholder', ITEM_PLACEHOLDER);
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

  test('sees what she typed exactly as she typed it', async ({
    openHome,
    openList,
    uniqueText,
  }) => {
    const markup = uniqueText(TEXT_WITH_MARKUP);
    const script = uniqueText(TEXT_THAT_RUNS);

    const list =
      await test.step('Edith starts a list with markup, quotes, accents and an emoji', () =>
        openHome().then((home) => home.startList(markup)));

    await test.step('she adds an item that would run as a script if read as HTML', async () => {
      await list.addItem(script);
      await expect(list).toShowItems([markup, script]);
      await list.expectNoTypedTextRan();
    });

    await test.step('back at her list address, both still read exactly as typed', async () => {
      const again = await openList(list.url);
      await expect(again).toShowItems([markup, script]);
      await again.expectNoTypedTextRan();
    });
  });
});
