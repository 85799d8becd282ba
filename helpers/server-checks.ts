/** What a server check's result shows, and the message of one that fails (tests/server, the deploy spec). */
import type { ServerCheck } from './config/index.ts';
import type { CommandResult } from './ssh.ts';

/** How many lines of each output stream a failure message quotes. */
const TAIL_LINES = 20;

function tail(label: string, text: string): string {
  const lines = text.replace(/\s+$/, '').split('\n');
  if (lines.length === 1 && lines[0] === '') return `${label}: (empty)`;
  const shown = lines.slice(-TAIL_LINES);
  const head =
    shown.length < lines.length
      ? `${label} (last ${shown.length} of ${lines.length} lines):`
      : `${label}:`;
  return [head, ...shown.map((line) => `  | ${line}`)].join('\n');
}

function exitStatus(code: number | null): string {
  return code === null ? 'no exit status (killed by a signal?)' : `exit status ${code}`;
}

/** What is wrong with `result` for `check`; empty when the check passes. */
export function checkProblems(check: ServerCheck, result: CommandResult): string[] {
  const { exitCode, stdout, stdoutNot, atLeast } = check.expect;
  const found: string[] = [];
  if (result.code !== exitCode) found.push(`${exitStatus(result.code)}, expected ${exitCode}`);
  if (stdout && !stdout.test(result.stdout)) found.push(`stdout does not match ${String(stdout)}`);
  if (stdoutNot && stdoutNot.test(result.stdout)) found.push(`stdout matches ${String(stdoutNot)}`);
  if (atLeast !== undefined) {
    const text = result.stdout.trim();
    const value = Number(text);
    if (text === '' || !Number.isFinite(value)) {
      found.push(`stdout is not a number (expected one >= ${atLeast})`);
    } else if (value < atLeast) {
      found.push(`stdout is ${value}, expected at least ${atLeast}`);
    }
  }
  return found;
}

export function checkReport(
  check: ServerCheck,
  target: string,
  result: CommandResult,
  found: string[],
) {
  return [
    `server check "${check.name}" failed on ${target}: ${found.join('; ')}`,
    `$ ${result.command}`,
    exitStatus(result.code),
    tail('stdout', result.stdout),
    tail('stderr', result.stderr),
  ].join('\n');
}

/** The command's full output, as attached to the test. */
export function checkOutput(result: CommandResult): string {
  return [
    `$ ${result.command}`,
    exitStatus(result.code),
    `--- stdout\n${result.stdout}`,
    `--- stderr\n${result.stderr}`,
  ].join('\n');
}
