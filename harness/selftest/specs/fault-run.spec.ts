/**
 * A fault run's two outcomes (fixtures/target.ts, `faultRun`): one test that catches the fault,
 * one that does not. Used only by selftest/fault-batches.test.ts, through fault-run.config.ts.
 */
import { expect } from '@playwright/test';
import { test } from '../../../fixtures/target.ts';

test('a check that catches the fault', () => {
  expect(1, 'the fault shows').toBe(2);
});

test('a check that does not', () => {
  expect(1).toBe(1);
});
