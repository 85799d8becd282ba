// The built-in target's log since a moment, for the suite's evidence (LOCAL_LOGS): the launcher's
// lines in <data>/site.log (redeploys, rollbacks, a new release that could not start and why).
// Usage: node --import tsx harness/reference-site/src/site-log.ts SINCE   (RFC 3339, e.g. 2026-12-05T07:30:42Z)
import { readFileSync } from 'node:fs';
import { localDataDir, siteLogFile } from './localpaths.ts';

const since = Date.parse(process.argv[2] ?? '');
if (Number.isNaN(since)) {
  process.stderr.write(
    'site-log: give the moment to start from (RFC 3339), e.g. 2026-12-05T07:30:42Z\n',
  );
  process.exit(2);
}
let text = '';
try {
  text = readFileSync(siteLogFile(localDataDir().dataDir), 'utf8');
} catch {
  process.exit(0); // no log yet: nothing happened
}
for (const line of text.split('\n')) {
  if (line && Date.parse(line.slice(0, line.indexOf(' '))) >= since) console.log(line);
}
