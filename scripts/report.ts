/**
 * `npm run report`: builds the Allure HTML report of each target from allure-results/<target>/
 * into reports/allure/<target>/, keeping that target's history in reports/allure-history/.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { childEnvironment } from '../helpers/config/index.ts';
import { ROOT } from '../helpers/config/paths.ts';

const results = path.join(ROOT, 'allure-results');
const runs = existsSync(results) ? readdirSync(results) : [];
if (runs.length === 0) {
  console.error(
    'report: no allure-results/ yet: run the suite with FULL_REPORTS=true (CI does) first',
  );
  process.exit(2);
}
mkdirSync(path.join(ROOT, 'reports', 'allure-history'), { recursive: true });
let failed = 0;
for (const target of runs) {
  const output = path.join('reports', 'allure', target);
  const generated = spawnSync(
    'npx',
    [
      'allure',
      'generate',
      path.join('allure-results', target),
      '--output',
      output,
      '--config',
      'allurerc.mjs',
    ],
    {
      cwd: ROOT,
      stdio: ['ignore', 'ignore', 'inherit'],
      env: childEnvironment({
        ALLURE_TARGET: target,
        ALLURE_HISTORY_PATH: path.join('reports', 'allure-history', `${target}.jsonl`),
      }),
    },
  );
  if (generated.status === 0) console.log(`report: ${target}: ${output}/index.html`);
  else {
    failed++;
    console.error(`report: ${target}: allure generate failed (exit ${generated.status})`);
  }
}
process.exit(failed ? 1 : 0);
