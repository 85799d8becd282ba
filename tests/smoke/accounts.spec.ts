import { expect, test } from '../../fixtures/index.ts';
import { ACCOUNTS } from '../../pages/contract.ts';

test.describe('Accounts', { tag: ['@smoke', '@accounts'] }, () => {
  test('a visitor sees the navbar and its login form', async ({ openHome }) => {
    const home = await openHome();
    await expect(home.navbar.root.getByRole('link', { name: ACCOUNTS.brand })).toHaveAttribute(
      'href',
      '/',
    );
    await home.navbar.expectLoggedOut();
  });
});
