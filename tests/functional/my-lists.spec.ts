import { expect, test } from '../../fixtures/index.ts';
import { ACCOUNTS } from '../../pages/contract.ts';
import { MyListsPage } from '../../pages/my-lists-page.ts';

test.describe('My lists', { tag: ['@story', '@writes', '@accounts'] }, () => {
  test('the lists Edith starts while logged in wait for her under My lists', async ({
    accounts,
    uniqueText,
  }) => {
    const splines = uniqueText('Reticulate splines');
    const eschaton = uniqueText('Immanentize the eschaton');
    const onions = uniqueText("Oni's own list: «oignons» & <herbs> 🧅");
    const { email, home } = await accounts.logIn('edith');

    const first = await test.step('logged in, she starts a list: it is hers', async () => {
      const list = await home.startList(splines);
      await expect(list.owner).toHaveText(email);
      return list.url;
    });

    await test.step('she starts a second list from the home page', async () => {
      await home.open();
      await home.startList(eschaton);
    });

    await test.step('meanwhile Oni, logged in elsewhere, starts a list of his own', async () => {
      const oni = await accounts.logIn('oni');
      await oni.home.startList(onions);
    });

    const myLists =
      await test.step("My lists links to both of hers, by their first items, and to nobody else's", async () => {
        await home.navbar.myListsLink.click();
        const myLists = new MyListsPage(home.page, email, home.hiccups);
        await expect(myLists.heading).toHaveText(ACCOUNTS.myListsHeading);
        await expect
          .poll(() => myLists.ownLists())
          .toEqual(expect.arrayContaining([splines, eschaton]));
        // Edith's account may own other tests' lists too; Oni's list is another user's data.
        expect(await myLists.ownLists(), "My lists shows Oni's list to Edith").not.toContain(
          onions,
        );
        return myLists;
      });

    await test.step('the first link takes her back to her first list', async () => {
      await myLists.page.getByRole('link', { name: splines, exact: true }).click();
      await expect(myLists.page).toHaveURL(first);
    });

    await test.step('she logs out: the My lists link is gone', async () => {
      await home.navbar.logOut();
      await home.navbar.expectLoggedOut();
    });
  });
});
