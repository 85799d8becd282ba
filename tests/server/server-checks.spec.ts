import { currentSettings } from '../../helpers/config/index.ts';
import { checkOutput, checkProblems, checkReport } from '../../helpers/server-checks.ts';
import { expect, test } from '../../fixtures/index.ts';

/**
 * Server-side checks, over the SSH connection the suite already has (host key pinned): the
 * dependencies, the migrations, nginx, the app process, disk and database, as seen from the server
 * itself, where a browser cannot look. Read-only, so they run on staging and production alike.
 *
 * The checks are configuration, not code: `<TARGET>_SERVER_CHECKS` names a JSON file of
 * `{ name, command, expect }` (see helpers/config/ and harness/server/checks.json), and each check
 * becomes one test.
 *
 * How the tests are generated: Playwright loads this file once for every project, without saying
 * which project it is loading for, so the tests are declared at collection time from every chosen
 * target's checks (currentSettings().chosen / .targets, the same values the runner and each worker
 * compute), one test per check *name*. In a project, the test looks up the check of that name in
 * its own target (the `target` fixture) and runs that target's command. Staging and production
 * usually share a file, so each project lists the same tests with no noise; a check only one
 * target has is skipped as not applicable in the other. When no chosen target has any check, a
 * single test stands in, to say why nothing runs (no `<TARGET>_SSH`, no `<TARGET>_SERVER_CHECKS`).
 */
const checkNames = [
  ...new Set(
    currentSettings().chosen.flatMap(
      (name) => currentSettings().targets[name]?.serverChecks?.map((check) => check.name) ?? [],
    ),
  ),
];
const titles = checkNames.length ? checkNames : ['server checks (none configured)'];

test.describe('Server', { tag: '@server' }, () => {
  // Not applicable (skipped with the reason) without <TARGET>_SSH, <TARGET>_SERVER_CHECKS, or a
  // check of this test's name on this target: the serverCheck fixture owns that rule.
  for (const title of titles) {
    test(title, async ({ target, server, serverCheck: check }) => {
      const result = await server.run(check.command);
      await test.info().attach('output', { body: checkOutput(result), contentType: 'text/plain' });
      const found = checkProblems(check, result);
      expect(found, checkReport(check, target.name, result, found)).toEqual([]);
    });
  }
});
