import { expect, test } from '../../fixtures/index.ts';
import { ListPage } from '../../pages/list-page.ts';
import { MyListsPage } from '../../pages/my-lists-page.ts';

test.describe('Sharing a list', { tag: ['@story', '@writes', '@accounts'] }, () => {
  test('Edith shares her list with Oni, who adds an item she then sees', async ({
    accounts,
    uniqueText,
  }) => {
    const help = uniqueText('Get help');
    const hello = uniqueText("Oni's item: «à bientôt» & <thanks> 👋");
    const edith = await accounts.logIn('edith');
    const oni = await accounts.logIn('oni'); // a session made on the server: Oni has an account

    const list = await test.step('Edith starts a list and shares it with Oni', async () => {
      const list = await edith.home.startList(help);
      await list.shareWith(oni.email);
      return list;
    });

    await test.step("the list is under Oni's lists shared by other users", async () => {
      const shared = await new MyListsPage(oni.home.page, oni.email, oni.home.hiccups).open();
      await expect.poll(() => shared.sharedLists()).toContain(help);
      await shared.page.getByRole('link', { name: help, exact: true }).click();
    });

    await test.step('Oni adds an item to it', async () => {
      const onisView = new ListPage(oni.home.page, oni.home.hiccups);
      await expect(onisView).toShowItems([help]);
      await onisView.addItem(hello);
    });

    await test.step('Edith sees the item, and Oni among the sharees', async () => {
      await list.reload();
      await expect(list).toShowItems([help, hello]);
      // The book's app lists each sharee twice: once or more is what counts.
      await expect(list.sharees.filter({ hasText: oni.email }).first()).toBeVisible();
    });
  });
});
