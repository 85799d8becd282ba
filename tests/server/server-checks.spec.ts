import { currentSettings, type ServerCheck } from '../../helpers/config/index.ts';
import type { CommandResult } from '../../helpers/ssh.ts';
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

/** How many lines of each output stream a failure message quotes. */
const TAIL_LINES = 20;

function tail(label: string, text: string): string {
  const lines = text.replace(/\s+$/, '').split('\n');
  if (lines.length === 1 && lines[0] === '') return `${label}: (empty)`;
  const shown = lines.slice(-TAIL_LINES);
  const head =
    shown.length < lines.length
      ? `${label} (last ${shown.length} of ${lines.length} lines):`
      : `${label}:`;
  return [head, ...shown.map((line) => `  | ${line}`)].join('\n');
}

function exitStatus(code: number | null): string {
  return code === null ? 'no exit status (killed by a signal?)' : `exit status ${code}`;
}

/** What is wrong with `result` for `check`; empty when the check passes. */
function problems(check: ServerCheck, result: CommandResult): string[] {
  const { exitCode, stdout, stdoutNot, atLeast } = check.expect;
  const found: string[] = [];
  if (result.code !== exitCode) found.push(`${exitStatus(result.code)}, expected ${exitCode}`);
  if (stdout && !stdout.test(result.stdout)) found.push(`stdout does not match ${String(stdout)}`);
  if (stdoutNot && stdoutNot.test(result.stdout)) found.push(`stdout matches ${String(stdoutNot)}`);
  if (atLeast !== undefined) {
    const text = result.stdout.trim();
    const value = Number(text);
    if (text === '' || !Number.isFinite(value)) {
      found.push(`stdout is not a number (expected one >= ${atLeast})`);
    } else if (value < atLeast) {
      found.push(`stdout is ${value}, expected at least ${atLeast}`);
    }
  }
  return found;
}

function report(check: ServerCheck, target: string, result: CommandResult, found: string[]) {
  return [
    `server check "${check.name}" failed on ${target}: ${found.join('; ')}`,
    `$ ${result.command}`,
    exitStatus(result.code),
    tail('stdout', result.stdout),
    tail('stderr', result.stderr),
  ].join('\n');
}

test.describe('Server', { tag: '@server' }, () => {
  // Not applicable (skipped with the reason) without <TARGET>_SSH, <TARGET>_SERVER_CHECKS, or a
  // check of this test's name on this target: the serverCheck fixture owns that rule.
  for (const title of titles) {
    test(title, async ({ target, server, serverCheck: check }) => {
      const result = await server.run(check.command);
      await test.info().attach('output', {
        body: [
          `$ ${result.command}`,
          exitStatus(result.code),
          `--- stdout\n${result.stdout}`,
          `--- stderr\n${result.stderr}`,
        ].join('\n'),
        contentType: 'text/plain',
      });
      const found = problems(check, result);
      expect(found, report(check, target.name, result, found)).toEqual([]);
    });
  }
});
