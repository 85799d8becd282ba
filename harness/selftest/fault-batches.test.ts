/**
 * The fault catalogue's batches (harness/faults/batch.ts): which faults share one run of the
 * built-in site, each on a port of its own, and the projects such a run has.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CATALOGUE } from '../faults/catalogue.ts';
import { CONTROL, batchProjects, batchable, faultPorts } from '../faults/batch.ts';
import { parseFaultPorts } from '../reference-site/src/faults.ts';

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
});
