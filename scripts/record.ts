/**
 * `npm run record -- VERDICT.json...`: records a sharded run (the nightly's `--shard=i/n`), whose
 * shards each wrote a part of the verdict and recorded nothing: merges the shards' verdicts into
 * reports/verdict-<target>.json and records it as any run records itself (history, alert, job
 * summary). An unsharded run needs none of this: its teardown records it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, envFileValues, loadSettings, ROOT } from '../helpers/config/index.ts';
import { mergeVerdicts, recordRun } from '../helpers/daily/record.ts';
import type { Verdict } from '../reporters/verdict.ts';

const files = process.argv.slice(2);
try {
  if (!files.length)
    throw new ConfigError(
      "name the shards' verdict files: npm run record -- shard-*/verdict-production.json",
    );
  const verdicts = files.map((file) => {
    try {
      return JSON.parse(readFileSync(path.resolve(file), 'utf8')) as Verdict;
    } catch {
      throw new ConfigError(
        `${file} is not a verdict file (reports/verdict-<target>.json of a run)`,
      );
    }
  });
  const verdict = mergeVerdicts(verdicts);
  const chosen = verdict.targets.map((t) => t.name);
  const env = {
    ...envFileValues(process.env),
    ...process.env,
    SUPERLISTS_RUN_ID: verdict.runId,
    SUPERLISTS_LOCAL_PORT: '1',
  };
  const settings = loadSettings(env, [`--project=${chosen.join(',')}`]);
  const out = path.join(ROOT, 'reports', `verdict-${chosen.join('+')}.json`);
  writeFileSync(out, `${JSON.stringify(verdict, null, 2)}\n`);
  for (const line of await recordRun(verdict, settings)) console.log(`record: ${line}`);
  console.log(
    `record: ${verdict.status}, ${files.length} shard verdicts merged into ${path.relative(ROOT, out)}`,
  );
  process.exit(verdict.status === 'passed' ? 0 : 1);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(`record: ${error.message}`);
  process.exit(2);
}
