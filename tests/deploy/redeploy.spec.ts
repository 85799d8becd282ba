/* eslint-disable playwright/no-conditional-in-test, playwright/no-conditional-expect --
   which checks apply is configuration: the database checks need <TARGET>_DATABASE_URL, the
   session checks stage 3; without them the site-level checks still run. */
import { assetProblems, loadPageAssets } from '../../helpers/assets.ts';
import { describeResult, errorLine } from '../../helpers/actions.ts';
import { checkReport } from '../../helpers/server-checks.ts';
import { watchAvailability } from '../../helpers/availability.ts';
import { expect, test } from '../../fixtures/index.ts';
import { loggedInAs } from '../../pages/contract.ts';

test.describe('Deploying', { tag: ['@deploy', '@writes'] }, () => {
  // One ordered story; a redeploy takes longer than a page visit.
  test.setTimeout(240_000);
  // Nothing runs beside a redeploy (Playwright's exclusive lock): on a container target every
  // deploy recreates the container, an outage by design that would fail the other tests.
  test.describe.configure({ lock: '-exclusive-' });

  test('a redeploy keeps every list and its items, the styling, and the site working', async ({
    suite,
    deployer,
    pictures,
    acrossDeploy,
    database,
    sessionsIfAny,
    olderRows,
    serverChecksIfAny,
    openHome,
    openList,
    newVisitor,
    request,
    uniqueText,
  }) => {
    if (!database.available) {
      test.info().annotations.push({
        type: 'deploy: database checks',
        description: `not run: ${database.reason}`,
      });
    }
    const seeder = database.available ? database.seeder : undefined;
    if (!sessionsIfAny.available) {
      test.info().annotations.push({
        type: 'deploy: session checks',
        description: `not run: ${sessionsIfAny.reason}`,
      });
    }
    const accounts = sessionsIfAny.available ? sessionsIfAny.accounts : undefined;
    const verdict = (phase: string, description: string) =>
      test.info().annotations.push({ type: `deploy: ${phase}`, description });
    const uiItems = [
      uniqueText('Buy peacock feathers'),
      uniqueText('Make a fly'),
      uniqueText('Go fishing'),
    ];
    const dbItems = [uniqueText('Seeded in the database'), uniqueText('Second seeded item')];

    // Before the deploy, at once: a list through the site, a list in the database, the release,
    // and a picture of each page. After it, the list and Edith's page are pictured in the same tabs
    // (a returning visitor: cookies and HTTP cache kept), the home page by another new visitor (no
    // cache: a stylesheet the deploy broke shows even where a cached copy hides it).
    const [uiList, dbList, before, edith] = await Promise.all([
      test.step('seed: a list with three items through the site', async () => {
        const list = await (await openHome()).startList(uiItems[0]!);
        for (const item of uiItems.slice(1)) await list.addItem(item);
        await expect(list).toShowItems(uiItems);
        await pictures.before('list', list.page);
        await acrossDeploy.before('list', list.page);
        const id = Number(/\/lists\/(\d+)\//.exec(list.url)?.[1]);
        seeder?.track(id);
        return { url: list.url, id };
      }),
      seeder
        ? test.step('seed: a list written straight into the database', () => seeder.list(dbItems))
        : undefined,
      test.step('release before', () => deployer.release()),
      accounts
        ? test.step('seed: Edith logs in (a session made on the server) and starts a list', async () => {
            const { email, home } = await accounts.logIn('edith');
            const list = await home.startList(uniqueText('Edith owns this list'));
            await pictures.before('logged-in', list.page);
            await acrossDeploy.before('logged-in', list.page);
            seeder?.track(list.id);
            return { email, list };
          })
        : undefined,
      test.step('picture: the home page, to a new visitor', async () => {
        // A context of its own: two first visits in one context race for its CSRF cookie.
        const visitor = (await newVisitor()).page;
        await pictures.before('home', visitor);
        await acrossDeploy.before('home', visitor);
      }),
      olderRows?.seed(),
    ]);
    verdict('seed', `list ${uiList.url} (site)${dbList ? `, list ${dbList.id} (database)` : ''}`);
    verdict('release before', before);

    const watcher = watchAvailability(request);
    const started = Date.now();

    // The chart is drawn however the deploy ends: a failed deploy is when it is read most.
    let triggered: number | undefined;
    let releaseSeen: number | undefined;
    let availability: Awaited<ReturnType<typeof watcher.stop>>;
    try {
      const result = await test.step('trigger the redeploy', async () => {
        // While the deploy runs, the pictures' comparisons are made ready (the worker only waits).
        const [outcome] = await Promise.all([deployer.trigger(), pictures.prepare()]);
        return outcome;
      });

      triggered = Date.now();
      const deploySeconds = (triggered - started) / 1000;
      await test
        .info()
        .attach('deploy output', { body: describeResult(result), contentType: 'text/plain' });
      // The message is also the step's title in a passing report: it says what failed only on failure.
      expect(
        result.code,
        result.code === 0
          ? 'the deploy command exits 0'
          : `the deploy command failed: ${errorLine(result)}\n${describeResult(result)}`,
      ).toBe(0);
      verdict('trigger', `${result.command}: exit 0 in ${deploySeconds.toFixed(1)} s`);

      await test.step('wait for the new release to be live', async () => {
        // A probe that fails while the site restarts is asked again until the deadline; the last
        // failure (or the unchanged release) is what the report shows.
        await expect(async () => {
          expect(
            await deployer.release(),
            `the deploy command finished but the release is still ${before}: nothing was deployed`,
          ).not.toBe(before);
        }).toPass({ timeout: suite.deployTimeoutMs });
        releaseSeen = Date.now();
        await expect
          .poll(async () => (await request.get('/')).status(), {
            message: 'the new release does not answer / with 200',
            timeout: suite.deployTimeoutMs,
          })
          .toBe(200);
      });
    } finally {
      availability = await watcher.stop();
      await pictures.availability(availability, {
        deployStart: started,
        deployEnd: triggered ?? Date.now(),
        releaseSeen,
      });
    }

    const after = await deployer.release();
    verdict('release after', after);

    verdict(
      'availability',
      `${availability.probes} probes, ${availability.failures} failed, longest gap ${availability.longestGapMs} ms${availability.failureSamples.length ? ` (${[...new Set(availability.failureSamples)].join('; ')})` : ''}`,
    );
    expect
      .soft(
        availability.longestGapMs,
        `the site was unavailable for ${availability.longestGapMs} ms during the deploy (budget DEPLOY_GAP_BUDGET_MS=${suite.deployGapBudgetMs}; loosen it there if that is acceptable)`,
      )
      .toBeLessThanOrEqual(suite.deployGapBudgetMs);

    if (!serverChecksIfAny.available)
      verdict('server checks', `not run: ${serverChecksIfAny.reason}`);

    // After the deploy, at once, each in its own tab: the site's list (then a new item in it),
    // the database's list and both lists' rows, the static files and the styling; and the server
    // checks, here because only here do they surely read the new release (tests/server may run
    // beside this spec, before or during the redeploy).
    const added = uniqueText('Added after the deploy');
    await Promise.all([
      serverChecksIfAny.available
        ? test.step('survived: the server checks pass on the new release', async () => {
            const outcomes = await serverChecksIfAny.runAll();
            const failed = outcomes.filter((o) => o.problems.length);
            verdict(
              'server checks',
              `${outcomes.length - failed.length} of ${outcomes.length} passed on release ${after}`,
            );
            const reports = failed.map((o) =>
              checkReport(o.check, `release ${after}`, o.result, o.problems),
            );
            expect(reports, `after the deploy:\n${reports.join('\n')}`).toEqual([]);
          })
        : undefined,
      test.step('survived: the list made through the site, and it still takes items', async () => {
        const list = await openList(uiList.url);
        await expect(
          list.heading,
          `the list ${uiList.url} seeded before the deploy is gone after it (was the database recreated?)`,
        ).toHaveText('Your To-Do list');
        await expect(list, `the items of ${uiList.url} changed in the deploy`).toShowItems(uiItems);
        await pictures.after('list', list.page);
        await acrossDeploy.after('list', list.page);
        await list.addItem(added);
        await expect(list).toShowItems([...uiItems, added]);
        await list.submitItem(added);
        await expect(
          list.feedback,
          'after the deploy the site accepts a duplicate item: is a migration missing from the database?',
        ).toHaveText("You've already got this in your list");
        await expect(list).toShowItems([...uiItems, added]);
      }),
      olderRows?.check(),
      seeder && dbList
        ? test.step('survived: both lists, in the database', async () => {
            expect(
              await seeder.itemsOf(dbList.id),
              `list ${dbList.id} seeded in the database lost its items in the deploy`,
            ).toEqual(dbItems);
            // The other tab may have added its item already: either way, no item was lost.
            expect(
              [uiItems, [...uiItems, added]],
              `list ${uiList.id} made through the site lost its items in the deploy`,
            ).toContainEqual(await seeder.itemsOf(uiList.id));
            const list = await openList(`/lists/${dbList.id}/`, { newTab: true });
            await expect(
              list,
              `list ${dbList.id} seeded in the database is not shown after the deploy`,
            ).toShowItems(dbItems);
          })
        : undefined,
      test.step('survived: the static files, the styling and the looks of the home page', async () => {
        const visitor = (await newVisitor()).page;
        const problems = (await loadPageAssets(visitor, request, '/')).flatMap(assetProblems);
        expect(problems, `static files broken after the deploy:\n${problems.join('\n')}`).toEqual(
          [],
        );
        await expect(
          visitor,
          'the CSS is no longer applied after the deploy',
        ).toBeStyledByBootstrap();
        await pictures.after('home', visitor);
        await acrossDeploy.after('home', visitor);
      }),
      edith
        ? test.step('survived: Edith is still logged in, and her list is still hers', async () => {
            await edith.list.reload();
            await expect(
              edith.list.navbar.root,
              'Edith was logged in before the deploy and is not after it: was the signing secret (SECRET_KEY) or the session store replaced?',
            ).toContainText(loggedInAs(edith.email));
            await expect(
              edith.list.owner,
              `the list Edith started before the deploy is no longer hers after it`,
            ).toHaveText(edith.email);
            await pictures.after('logged-in', edith.list.page);
            await acrossDeploy.after('logged-in', edith.list.page);
          })
        : undefined,
    ]);

    // What the pages loaded before and after: no file linked and missing, none served stale.
    await test.step("survived: the static files the pages load are the new release's", () =>
      acrossDeploy.staticFiles(after));
  });
});
