import { test } from '../../fixtures/index.ts';

test.describe('Rolling back', { tag: ['@deploy', '@writes', '@rollback'] }, () => {
  // Three deploys in one story: the deploy, the rollback and the deploy forward.
  test.setTimeout(420_000);
  // Nothing runs beside the drill, as beside the deploy spec: its deploys would be releases the
  // other's probe never asked for, and on a container target each deploy is an outage by design.
  test.describe.configure({ lock: '-exclusive-' });

  // eslint-disable-next-line playwright/expect-expect -- each step of the drill asserts (fixtures/rollback.ts)
  test('a rollback brings the previous release back with every list and session, and the site deploys forward again', async ({
    drill,
  }) => {
    await drill.seed();

    await drill.deploy();
    await drill.expectEverythingThere('after the deploy');
    await drill.writeBetween();

    await drill.rollBack();
    await drill.expectEverythingThere('after the rollback');
    await drill.expectWrittenBetween('after the rollback');

    await drill.deployForward();
    await drill.expectEverythingThere('after deploying forward');
    await drill.expectWrittenBetween('after deploying forward');

    await drill.expectAvailableThroughout();
  });
});
