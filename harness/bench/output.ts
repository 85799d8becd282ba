/** The bench's terminal output: lines and aligned tables. */
import type { Exec } from './exec.ts';
import type { PwRun } from './playwright.ts';
import { targets } from './state.ts';

/** Prints one line. */
export const say = (line = '') => process.stdout.write(`${line}\n`);

/** Prints `rows` as a table: the first column left-aligned, the others right-aligned. */
export function table(rows: string[][], indent = '  '): void {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => (row[i] ?? '').length)));
  for (const row of rows) {
    say(
      indent +
        row
          .map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!)))
          .join('   ')
          .trimEnd(),
    );
  }
}

/** A run's figures without the bulky parts (the JSON report, stdout), for reports/bench.json. */
export function slim(run: PwRun | Exec) {
  const { stdout: _stdout, tail: _tail, ...rest } = run as PwRun;
  void _stdout;
  void _tail;
  if ('report' in rest) delete rest.report;
  return rest;
}

/** Prints every target the sections measured, each with its figure and met / MISSED. */
export function printTargets(): void {
  if (!targets.length) return;
  say('Targets (issue 15), from this run');
  const verdict = (met: boolean | 'stated' | undefined) =>
    met === undefined ? 'not measured' : met === 'stated' ? 'stated' : met ? 'met' : 'MISSED';
  table([
    ['', 'figure', 'target', ''],
    ...targets.map((t) => [t.what, t.figure, t.limit, verdict(t.met)]),
  ]);
  say();
}
