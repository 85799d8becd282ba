/** Preflight's reading of the command line: which tests a run selects. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { isSelected } from '../../helpers/selection.ts';

const deploy = ['tests/deploy/redeploy.spec.ts', 'Deploying @deploy @writes'] as const;
const cli = (...args: string[]) => ['node', 'playwright', 'test', ...args];

it('selects the deploy spec unless a filter leaves it out', () => {
  assert.equal(isSelected(...deploy, cli('--project=staging')), true);
  assert.equal(isSelected(...deploy, cli('--project', 'staging', 'production')), true);
  assert.equal(isSelected(...deploy, cli('--grep', '@deploy')), true);
  assert.equal(isSelected(...deploy, cli('--grep=@story')), false);
  assert.equal(isSelected(...deploy, cli('-g', '@smoke', '--workers', '1')), false);
  assert.equal(isSelected(...deploy, cli('--grep-invert', '@deploy')), false);
  assert.equal(isSelected(...deploy, cli('-G', '@writes')), false);
  assert.equal(isSelected(...deploy, cli('tests/deploy')), true);
  assert.equal(isSelected(...deploy, cli('redeploy.spec.ts:10')), true);
  assert.equal(isSelected(...deploy, cli('tests/functional', '--reporter', 'dot')), false);
  assert.equal(isSelected(...deploy, cli('--reporter', 'dot')), true);
});
