/**
 * The server checks read the release under test after a redeploy (issue 24, item 7): the deploy
 * spec runs every `<TARGET>_SERVER_CHECKS` check once the new release is live. Shown on the
 * built-in target, whose "server" is this machine, with one check that passes only on a
 * redeployed release (the first release the launcher starts ends in -1): run alone, before any
 * redeploy, tests/server fails on it (so the check can fail, and it tells the releases apart);
 * the deploy spec runs it after its redeploy and passes, saying on which release; and the
 * opposite check (the first release still live) fails the deploy spec, naming the new release.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { it } from 'node:test';
import type { JSONReport, JSONReportSuite, JSONReportTest } from '@playwright/test/reporter';
import { playwright, scratch } from './run.ts';

/** A checks file with one check of the live release, named `name`, whose stdout must match `release`. */
function checksFile(file: string, name: string, release: string): Record<string, string> {
  const checks = path.join(scratch, file);
  writeFileSync(
    checks,
    JSON.stringify([
      {
        name,
        command: 'curl -sS "http://127.0.0.1:$SUPERLISTS_LOCAL_PORT/__release__"',
        expect: { stdout: `"release":"local-[^"]*-${release}"` },
      },
    ]),
  );
  return { LOCAL_SERVER_CHECKS: checks, TRACE: 'off', DEPLOY_VISUAL: 'off' };
}
const env = checksFile(
  'redeployed.json',
  'the live release is a redeployed one',
  '([2-9]|[1-9][0-9]+)',
);

function testsOf(suites: JSONReportSuite[] = []): JSONReportTest[] {
  return suites.flatMap((s) => [...s.specs.flatMap((spec) => spec.tests), ...testsOf(s.suites)]);
}

it('before a redeploy tests/server reads the first release and fails on it', async () => {
  const run = await playwright(['tests/server', '--reporter=line'], env);
  assert.equal(run.code, 1, run.output);
  assert.match(
    run.output,
    /server check "the live release is a redeployed one" failed on local: stdout does not match/,
  );
});

it('the deploy spec runs the server checks on the new release, after its redeploy', async () => {
  // The JSON goes to a file: the suite's own verdict line follows the reporters on stdout.
  const json = path.join(scratch, 'after-deploy.json');
  const run = await playwright(['tests/deploy', '--reporter=json'], {
    ...env,
    PLAYWRIGHT_JSON_OUTPUT_FILE: json,
  });
  assert.equal(run.code, 0, run.output);
  const report = JSON.parse(readFileSync(json, 'utf8')) as JSONReport;
  const [test] = testsOf(report.suites);
  const annotations = test?.results.at(-1)?.annotations ?? [];
  const after = annotations.find((a) => a.type === 'deploy: release after')?.description;
  const checked = annotations.find((a) => a.type === 'deploy: server checks')?.description;
  assert.match(after ?? '', /^local-.*-2$/, JSON.stringify(annotations));
  assert.equal(checked, `1 of 1 passed on release ${after}`);
});

it('a server check that fails on the new release fails the deploy spec', async () => {
  const first = checksFile('first.json', 'the first release is live', '1');
  const run = await playwright(['tests/deploy', '--reporter=line'], first);
  assert.equal(run.code, 1, run.output);
  assert.match(
    run.output,
    /server check "the first release is live" failed on release local-\S+-2: stdout does not match/,
  );
});
