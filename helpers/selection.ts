/**
 * Which tests the command line selected, read from the runner's argv: `--grep`, `--grep-invert`
 * and file filters. Global setup runs before Playwright has listed the tests, so preflight uses
 * this to check the database and SSH only when a chosen test needs them. It errs towards "selected"
 * (an option it does not know counts as a flag): the worst a wrong guess does is check a service
 * that is configured anyway.
 */
import path from 'node:path';
import { ROOT } from './config/paths.ts';

/** Options of `playwright test` that take a value (the value is not a file filter). */
const WITH_VALUE = new Set([
  '--add-reporter',
  '--browser',
  '-c',
  '--config',
  '-g',
  '--grep',
  '-G',
  '--grep-invert',
  '--global-timeout',
  '-j',
  '--workers',
  '--last-failed-file',
  '--max-failures',
  '--output',
  '--repeat-each',
  '--reporter',
  '--retries',
  '--run-agents',
  '--shard',
  '--test-list',
  '--test-list-invert',
  '--timeout',
  '--trace',
  '--tsconfig',
  '--ui-host',
  '--ui-port',
  '--update-source-method',
]);

interface Filters {
  grep: RegExp[];
  grepInvert: RegExp[];
  files: RegExp[];
}

function parse(argv: readonly string[]): Filters {
  const filters: Filters = { grep: [], grepInvert: [], files: [] };
  const at = argv.indexOf('test');
  for (let i = at < 0 ? argv.length : at + 1; i < argv.length; i++) {
    const arg = argv[i]!;
    const [option, inline] = arg.startsWith('--') ? arg.split(/=(.*)/s, 2) : [arg, undefined];
    if (option === '--project' || option === '-p') {
      if (inline === undefined) while (argv[i + 1] && !argv[i + 1]!.startsWith('-')) i++;
      continue;
    }
    if (WITH_VALUE.has(option)) {
      const value = inline ?? argv[++i] ?? '';
      if (option === '-g' || option === '--grep') filters.grep.push(new RegExp(value));
      if (option === '-G' || option === '--grep-invert') filters.grepInvert.push(new RegExp(value));
      continue;
    }
    if (arg.startsWith('-')) continue;
    // A file filter: a regular expression on the absolute path, perhaps with :line[:column].
    filters.files.push(new RegExp(arg.replace(/(:\d+){1,2}$/, '')));
  }
  return filters;
}

/**
 * Whether the command line selects a test in `file` (relative to the repository) whose title,
 * with its tags, is `title`.
 */
export function isSelected(
  file: string,
  title: string,
  argv: readonly string[] = process.argv,
): boolean {
  let filters: Filters;
  try {
    filters = parse(argv);
  } catch {
    return true; // a pattern Playwright will complain about itself
  }
  const absolute = path.join(ROOT, file);
  const full = `${file} ${title}`;
  return (
    (filters.files.length === 0 || filters.files.some((re) => re.test(absolute))) &&
    (filters.grep.length === 0 || filters.grep.some((re) => re.test(full))) &&
    !filters.grepInvert.some((re) => re.test(full))
  );
}
