import { expect, test } from '../../../fixtures/index.ts';

// Deliberately NOT tagged @writes: a test that writes while claiming it does not. On a read-only
// target the network guard must block its writes and fail it, whatever its tags say.
test.describe('A test that writes without saying so', () => {
  test('the browser submits a new item', async ({ openHome, uniqueText }) => {
    const home = await openHome();
    await home.startList(uniqueText('must never reach a read-only site'));
  });

  test('the API client posts a new item', async ({ request }) => {
    const response = await request.post('/lists/new', { form: { item_text: 'never stored' } });
    expect(response.status()).toBeLessThan(500);
  });
});
