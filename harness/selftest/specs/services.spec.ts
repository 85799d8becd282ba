import { expect, test } from '../../../fixtures/index.ts';

// Two tests of one worker that need the same service (the deployer: its release probe). When the
// service is broken, the first fails with its one line, the second at once with the same line,
// without the probe being run again (selftest/services.test.ts counts its runs). When it works,
// each test asks it twice: a probe that names another release each time (a timestamp, a random
// id) cannot tell the deploy spec whether a new release went live.
test.describe('Two tests that need the deployer', () => {
  for (const name of ['first', 'second']) {
    test(`the ${name} reads the release`, async ({ deployer }) => {
      const first = await deployer.release();
      expect(await deployer.release(), 'the release probe named another release').toBe(first);
    });
  }
});
