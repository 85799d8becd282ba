/**
 * The fault catalogue's batches (harness/faults/batch.ts): which faults share one run of the
 * built-in site, each on a port of its own, and the projects such a run has.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { CATALOGUE } from '../faults/catalogue.ts';
import { CONTROL, batchProjects, batchable, faultPorts } from '../faults/batch.ts';
import { parseFaultPorts } from '../reference-site/src/faults.ts';
import { freePort } from '../reference-site/src/free-port.ts';
import { narrowed } from '../faults/run.ts';
import { ROOT, playwright, scratch } from './run.ts';

const fault = (name: string) => CATALOGUE.find((f) => f.name === name)!;

describe('fault batches', () => {
  it('batches the faults of one request, never a deploy, a setting or a real server', () => {
    assert.ok(batchable(fault('css-empty')));
    assert.ok(batchable(fault('wrong-title')));
    for (const name of ['deploy-outage', 'rollback-not-switched', 'token-reusable', 'no-hsts'])
      assert.ok(!batchable(fault(name)), name);
    assert.ok(!batchable(fault('shared-list-sqlite')), 'another database is another site');
  });

  it('gives each fault its port and the control a port with none', () => {
    const value = faultPorts([fault('css-empty'), fault('debug-404')], [21000, 21001, 21002]);
    assert.equal(value, '21000=css-empty;21001=debug-404;21002=');
    const ports = parseFaultPorts(value);
    assert.deepEqual([...ports.get(21000)!], ['css-empty']);
    assert.deepEqual([...ports.get(21002)!], []);
    const projects = batchProjects(value);
    assert.deepEqual(
      projects.map((p) => [p.name, p.port]),
      [
        ['css-empty', 21000],
        ['debug-404', 21001],
        [CONTROL, 21002],
      ],
    );
    // The control runs every check of the batch's faults.
    const files = (name: string) => projects.find((p) => p.name === name)!.files!.length;
    assert.equal(
      files(CONTROL),
      new Set([...fault('css-empty').checks!, ...fault('debug-404').checks!]).size,
    );
  });

  it('refuses a fault port for a fault that acts on a release, or a port given twice', () => {
    assert.throws(() => parseFaultPorts('21000=deploy-outage'), /act\(s\) on a release/);
    assert.throws(() => parseFaultPorts('21000=css-empty;21000=js-error'), /new port number/);
    assert.throws(() => parseFaultPorts('x=css-empty'), /new port number/);
    assert.throws(() => parseFaultPorts('21000=no-such-fault'), /unknown SUPERLISTS_FAULT/);
  });

  it("a fault's project keeps its worker through a failure and a pass, and reports what happened", async () => {
    const report = path.join(scratch, 'fault-run.json');
    const run = await playwright(
      ['--config', 'harness/selftest/fault-run.config.ts', '--reporter=json'],
      { PLAYWRIGHT_JSON_OUTPUT_FILE: report },
    );
    const results = (
      JSON.parse(readFileSync(report, 'utf8')) as {
        suites: {
          specs: {
            title: string;
            tests: { projectName: string; results: { status: string; workerIndex: number }[] }[];
          }[];
        }[];
      }
    ).suites
      .flatMap((s) => s.specs)
      .flatMap((spec) =>
        spec.tests.map((t) => ({ project: t.projectName, title: spec.title, ...t.results[0]! })),
      );
    const of = (project: string) => results.filter((r) => r.project === project);
    // The runner reads the status (harness/faults/run.ts): it is what happened, in both projects.
    for (const project of ['fault', 'plain'])
      assert.deepEqual(
        of(project).map((r) => [r.title, r.status]),
        [
          ['a check that catches the fault', 'failed'],
          ['a check that does not', 'passed'],
        ],
        project,
      );
    // A fault's project: one worker for both. A plain one: a new worker after the failure.
    assert.equal(new Set(of('fault').map((r) => r.workerIndex)).size, 1);
    assert.equal(new Set(of('plain').map((r) => r.workerIndex)).size, 2);
    assert.equal(run.code, 1, 'the plain project failed a test: the run is red');
  });

  it("a batch's healthy control fails when the site is broken on its port too, and the run is red", async () => {
    // ALLOWED_HOSTS=* breaks the whole site, every port, the way `any-host` breaks one: as a
    // fault leaking onto the control's port would. The control must fail on it, not pass it by.
    const faultPort = await freePort();
    let controlPort = await freePort();
    while (controlPort === faultPort) controlPort = await freePort();
    const report = path.join(scratch, 'leaky-batch.json');
    const run = await playwright(
      ['--config', 'harness/faults/batch.config.ts', '--reporter=json'],
      {
        SUPERLISTS_FAULT_PORTS: faultPorts([fault('debug-404')], [faultPort, controlPort]),
        ALLOWED_HOSTS: '*',
        PLAYWRIGHT_JSON_OUTPUT_FILE: report,
        RETRIES: '0',
      },
    );
    const statuses = (project: string) =>
      new Map(
        (JSON.parse(readFileSync(report, 'utf8')) as JsonReport).suites
          .flatMap((file) => file.suites ?? [])
          .flatMap((suite) => suite.specs)
          .flatMap((spec) =>
            spec.tests
              .filter((t) => t.projectName === project)
              .map((t) => [spec.title, [t.results.at(-1)!.status, t.expectedStatus]] as const),
          ),
      );
    const HOST_400 = 'a request for another host name answers 400, never a page of the site';
    // The control is a verdict: it failed, unexpectedly, so the run is red.
    assert.deepEqual(statuses(CONTROL).get(HOST_400), ['failed', 'passed'], run.output);
    assert.equal(run.code, 1, run.output);
    // The fault's project still measures its fault.
    assert.equal(
      statuses('debug-404').get('an unknown address answers a plain 404 with no debug output')?.[0],
      'failed',
    );
  });
});

interface JsonReport {
  suites: {
    suites?: {
      specs: {
        title: string;
        tests: { projectName: string; expectedStatus: string; results: { status: string }[] }[];
      }[];
    }[];
  }[];
}

describe('faults that name their checks by title', () => {
  const titled = CATALOGUE.filter((f) => f.checkTitles);
  const checkNames = ['checks.json', 'container-checks.json'].flatMap((file) =>
    (
      JSON.parse(readFileSync(path.join(ROOT, 'harness/server', file), 'utf8')) as {
        name: string;
      }[]
    ).map((check) => check.name),
  );

  it('name checks the real server has, or tests of their spec files (a renamed test fails here)', () => {
    assert.ok(titled.length >= 21, `${titled.length} faults name their checks by title`);
    for (const fault of titled) {
      const files = [...(fault.checks ?? []), ...fault.args.filter((a) => a.endsWith('.spec.ts'))];
      const specs = files.map((spec) => readFileSync(path.join(ROOT, spec), 'utf8'));
      for (const title of fault.checkTitles!) {
        const inSpec = specs.some((text) => text.includes(`test('${title}'`));
        assert.ok(
          checkNames.includes(title) || inSpec,
          `${fault.name}: no check or test '${title}'`,
        );
      }
    }
  });

  it('run only those checks: their titles replace the --grep of the fault', () => {
    const fault = CATALOGUE.find((f) => f.name === 'dependency-missing')!;
    const args = narrowed(fault).args;
    assert.deepEqual(args.slice(0, 2), ['--project=staging', '--grep']);
    const grep = new RegExp(args[2]!);
    assert.ok(grep.test('Server production dependencies are installed (npm ls) @server'));
    assert.ok(grep.test('Server installed packages match package-lock.json @server'));
    assert.ok(!grep.test('Server no database migration is pending @server'));
    assert.ok(!grep.test('Server production dependencies are installed (npm_ls) @server'));
  });
});
