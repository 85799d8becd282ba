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
} = { workDir: '', current: undefined, interrupted: false };

/** Every command run, for the check of what other jobs used meanwhile. */
export const executed: Exec[] = [];

/** Runs that should have passed and did not, and other reasons the figures are not trustworthy. */
export const problems: string[] = [];

/** Runs repeated because other jobs used the machine meanwhile (by log file: one per run). */
export const discarded = new Map<string, { label: string; wallMs: number; othersCpu: number }>();
