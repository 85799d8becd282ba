/**
 * The run's facts folder (`reports/.run/<runId>/`): what workers record while the suite runs (a
 * service's failure line, so the next test fails fast). Workers share it through the run id; the
 * verdict's global teardown removes it.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './config/paths.ts';

/** The facts folder of run `runId` (made on first use). */
export function runFactsDir(runId: string): string {
  const dir = path.join(ROOT, 'reports', '.run', runId);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Writes `value` as JSON to `name` in the run's facts folder. */
export function writeFact(runId: string, name: string, value: unknown): void {
  writeFileSync(path.join(runFactsDir(runId), name), `${JSON.stringify(value, null, 2)}\n`);
}

/** Reads fact `name` of the run, or undefined when nobody recorded it. */
export function readFact<T>(runId: string, name: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path.join(runFactsDir(runId), name), 'utf8')) as T;
  } catch {
    return undefined;
  }
}

/** Removes the run's facts folder, once the verdict has been written. */
export function removeRunFacts(runId: string): void {
  rmSync(runFactsDir(runId), { recursive: true, force: true });
}

/**
 * The annotation type of a measurement a test made (its description is JSON: the deploy spec's
 * gap and failed probes, each picture's pixels changed): the verdict lists every one, whatever
 * the test's outcome, with the budget it was held to.
 */
export const MEASUREMENT = 'measurement';
