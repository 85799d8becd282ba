/**
 * What the deploy spec measured reaches the verdict whatever the test's outcome: the gap, the
 * failed probes by what they got, each picture's pixels changed, with the budget held to.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { failuresByKind } from '../../helpers/availability.ts';
import { MEASUREMENT } from '../../helpers/run-facts.ts';
import { aggregateVerdict, type TestOutcome } from '../../reporters/verdict.ts';

describe('measurements', () => {
  it('failed probes are counted by what they got', () => {
    const samples = [
      { atMs: 0, latencyMs: 5, status: 200 },
      { atMs: 100, latencyMs: 5, status: 500, problem: '500' },
      { atMs: 200, latencyMs: 5, status: 500, problem: '500' },
      { atMs: 300, latencyMs: 5, problem: 'connection refused' },
    ];
    assert.deepEqual(failuresByKind({ samples }), { '500': 2, 'connection refused': 1 });
  });

  it('are in the verdict of a failed test, with their budget', () => {
    const gap = {
      kind: 'availability',
      failedProbes: 35,
      failedBy: { '500': 35 },
      longestGapMs: 11_000,
      budgetMs: 8000,
    };
    const annotations = [
      { type: 'deploy: trigger', description: 'exit 0' },
      { type: MEASUREMENT, description: JSON.stringify(gap) },
    ];
    const outcome: TestOutcome = {
      project: 'staging',
      title: 'deploy › a redeploy',
      outcome: 'unexpected',
      status: 'failed',
      error: 'the site was unavailable for 11000 ms',
      attempts: [annotations],
      annotations: [],
    };
    const verdict = aggregateVerdict({
      runId: 'r',
      startedAt: new Date(0),
      endedAt: new Date(1),
      targets: [],
      releasesAtStart: new Map(),
      tests: [outcome],
    });
    assert.equal(verdict.status, 'failed');
    assert.deepEqual(verdict.measurements, [
      { test: 'deploy › a redeploy', project: 'staging', ...gap },
    ]);
  });
});
