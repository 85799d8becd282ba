/**
 * `npm run status-page [-- --out FILE]`: turns the run history (HISTORY_DIR, default
 * reports/history/) into one static HTML page, reports/status-page.html by default: open it from
 * disk, publish it as an artifact or on GitHub Pages. No server, nothing fetched.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ConfigError, loadDailySettings, ROOT } from '../helpers/config/index.ts';
import { readHistories } from '../helpers/daily/history.ts';
import { statusPage } from '../helpers/daily/status-page.ts';

try {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  const daily = loadDailySettings(process.env);
  const histories = readHistories(daily.historyDir);
  const out = path.resolve(ROOT, values.out ?? path.join('reports', 'status-page.html'));
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, statusPage(histories, new Date()));
  const runs = [...histories.values()].reduce((sum, runs) => sum + runs.length, 0);
  console.log(
    `status-page: ${path.relative(ROOT, out)} (${histories.size} target${histories.size === 1 ? '' : 's'}, ${runs} runs from ${path.relative(ROOT, daily.historyDir) || '.'})`,
  );
  if (!runs) {
    console.error(`status-page: no run history in ${daily.historyDir}: run the suite first`);
    process.exit(1);
  }
} catch (error) {
  if (!(
    error instanceof ConfigError ||
    (error as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION'
  ))
    throw error;
  console.error(`status-page: ${(error as Error).message}`);
  process.exit(2);
}
