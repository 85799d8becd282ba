import { expect, test } from '../../fixtures/index.ts';
import { ACCOUNTS } from '../../pages/contract.ts';

test.describe('Logging in by email', { tag: ['@story', '@writes', '@accounts'] }, () => {
  test('Edith logs in with the link the site mails her, then logs out', async ({
    openHome,
    accounts,
    mailbox,
    target,
  }) => {
    const edith = accounts.address('edith');
    const home = await openHome();

    await test.step('she asks for a login link: the site says to check her email', async () => {
      await home.navbar.requestLoginLink(edith);
      await expect(home.navbar.successFlash).toHaveText(ACCOUNTS.sentFlash);
    });

    const mail = await test.step('the email arrives, with a link back to this site', async () => {
      const mail = await mailbox.loginMailFor(edith);
      expect(mail.subject, 'the login mail has the wrong subject').toBe(ACCOUNTS.mail.subject);
      expect(mail.from, 'the login mail comes from the wrong sender').toBe(ACCOUNTS.mail.from);
      expect(mail.text).toContain(ACCOUNTS.mail.intro);
      expect(mail).toLinkBackTo(target.url);
      return mail;
    });

    await test.step('she follows the link: she is logged in', async () => {
      await home.goto(mail.link);
      await home.navbar.expectLoggedInAs(edith);
    });

    await test.step('she logs out: the email form is back', async () => {
      await home.navbar.logOut();
      await home.navbar.expectLoggedOut();
    });
    // As the book's app does, the link she used would log her in again: the contract allows it.
    // Single-use links are a check of their own (below), for a team whose site makes them.
  });

  test.describe('single-use login links', () => {
    // Decided from the target (a worker fixture), before the test's own fixtures: a skip costs nothing.
    test.skip(
      ({ target }) => target.loginLinks !== 'single-use',
      'not applicable: login links may be reused, as in the book (<TARGET>_LOGIN_LINKS=single-use turns this check on)',
    );

    test('a login link works once: used again, it logs no one in', async ({
      openHome,
      accounts,
      mailbox,
    }) => {
      const edith = accounts.address('edith');
      const home = await openHome();

      const link = await test.step('she logs in with the link the site mails her', async () => {
        await home.navbar.requestLoginLink(edith);
        const { link } = await mailbox.loginMailFor(edith);
        await home.goto(link);
        await home.navbar.expectLoggedInAs(edith);
        return link;
      });

      await test.step('she logs out, then opens the same link again: it is refused', async () => {
        await home.navbar.logOut();
        await home.goto(link);
        await expect(home.navbar.warningFlash).toHaveText(ACCOUNTS.invalidLinkFlash);
        await home.navbar.expectLoggedOut();
      });
    });
  });

  test('a made-up login link is refused with a warning', async ({ openHome, runTag }) => {
    const home = await openHome();

    await test.step('a visitor opens a login link with a token the site never made', async () => {
      await home.goto(`/accounts/login?token=${encodeURIComponent(`not-a-token-${runTag}`)}`);
    });

    await test.step('she is told the link is invalid, and is not logged in', async () => {
      await expect(home.navbar.warningFlash).toHaveText(ACCOUNTS.invalidLinkFlash);
      await home.navbar.expectLoggedOut();
    });
  });
});
