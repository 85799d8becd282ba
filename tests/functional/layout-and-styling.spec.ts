import { expect, test } from '../../fixtures/index.ts';

test.describe('Layout and styling', { tag: '@story' }, () => {
  test.use({ viewport: { width: 1024, height: 768 } });

  test('the item input is centred on the home page', async ({ openHome }) => {
    const home = await openHome();
    await expect(home.itemInput).toBeCentredInViewport();
  });

  test(
    'the item input is centred on a list page',
    { tag: '@writes' },
    async ({ openHome, uniqueText }) => {
      const list = await (await openHome()).startList(uniqueText('testing'));
      await expect(list.itemInput).toBeCentredInViewport();
    },
  );
});
