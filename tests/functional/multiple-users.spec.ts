import { expect, test } from '../../fixtures/index.ts';

test.describe('Several visitors', { tag: ['@story', '@writes'] }, () => {
  test('each get a list of their own at its own address', async ({
    openHome,
    newVisitor,
    uniqueText,
  }) => {
    const feathers = uniqueText('Buy peacock feathers');
    const milk = uniqueText(`Buy milk & <i>honey</i> — café "au lait" 🥛`);

    const edithList = await test.step('Edith starts a list: it has its own address', () =>
      openHome().then((home) => home.startList(feathers)));

    const francis =
      await test.step('Francis comes along in a fresh browser: he sees no list at all', async () => {
        const home = await newVisitor();
        await expect(home).toShowItems([]);
        await expect(home.page.locator('body')).not.toContainText(feathers);
        return home;
      });

    await test.step('Francis starts his own list, at another address, still without Edith', async () => {
      const list = await francis.startList(milk);
      expect(list.id).not.toBe(edithList.id);
      await expect(list).toShowItems([milk]);
      await expect(list.page.locator('body')).not.toContainText(feathers);
    });

    await test.step("Edith's list still holds only her item", async () => {
      await edithList.reload();
      await expect(edithList).toShowItems([feathers]);
    });
  });
});
