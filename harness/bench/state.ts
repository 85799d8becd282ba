/**
 * What the bench's modules share during one `npm run bench`: the work folder, the command running
 * now, every command run, whether the run was interrupted, and the problems and discarded runs
 * the report lists at the end.
 */
import type { ChildProcess } from 'node:child_process';
import type { Exec } from './exec.ts';

/** The state of this bench run; set by run.ts, read and appended to by the sections. */
export const state: {
  /** The folder that holds the logs, JSON reports and data folders (removed unless --keep). */
  workDir: string;
  /** The command running now, for an interrupt to stop. */
  current: ChildProcess | undefined;
  /** Set on SIGINT/SIGTERM: no new command starts. */
  interrupted: boolean;
  /** `--accept-noise`: a run during which other jobs used the CPU is kept, not run again. */
  acceptNoise?: boolean;
  /** `--compare REV`: that commit's tree (git archive, this tree's node_modules), for A/B runs. */
  compare?: { rev: string; dir: string };
} = { workDir: '', current: undefined, interrupted: false };

/** Every command run, for the check of what other jobs used meanwhile. */
export const executed: Exec[] = [];

/** Runs that should have passed and did not, and other reasons the figures are not trustworthy. */
export const problems: string[] = [];

/** Runs repeated because other jobs used the machine meanwhile (by log file: one per run). */
export const discarded = new Map<string, { label: string; wallMs: number; othersCpu: number }>();

/** One issue-15 target as the bench measured it: printed together at the end of the run. */
export interface TargetRow {
  /** What is measured, e.g. "stories / plain port, built-in site". */
  what: string;
  /** The figure as printed, e.g. "0.93 x (10.2 s / 11.0 s)". */
  figure: string;
  /** The target, e.g. "<= 0.8 x". */
  limit: string;
  /** Met or missed; `stated` for a figure without a limit; undefined: not measured (the figure says why). */
  met: boolean | 'stated' | undefined;
}

/** The targets, in the order the sections printed them. */
export const targets: TargetRow[] = [];

/** Adds the target "a / b at most `limit` x" (a and b in ms; NaN: not measured). */
export function ratioTarget(what: string, a: number, b: number, limit: number): void {
  const ratio = a / b;
  const known = Number.isFinite(ratio);
  targets.push({
    what,
    figure: known
      ? `${ratio.toFixed(2)} x (${(a / 1000).toFixed(1)} s / ${(b / 1000).toFixed(1)} s)`
      : 'not measured',
    limit: `<= ${limit} x`,
    met: known ? ratio <= limit : undefined,
  });
}
