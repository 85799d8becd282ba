/**
 * Reading Playwright's JSON report (`--reporter=json`), with Playwright's own types for it.
 */
import { readFileSync } from 'node:fs';
import type {
  JSONReport,
  JSONReportSpec,
  JSONReportSuite,
  JSONReportTest,
  JSONReportTestResult,
} from '@playwright/test/reporter';

export type { JSONReport, JSONReportSpec, JSONReportSuite, JSONReportTest, JSONReportTestResult };

/** The report in `file`, or undefined when there is none (e.g. the preflight stopped the run). */
export function readJsonReport(file: string): JSONReport | undefined {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as JSONReport;
  } catch {
    return undefined;
  }
}

/** Every spec of `suites`, depth first. */
export function* specsOf(suites: JSONReportSuite[]): Generator<JSONReportSpec> {
  for (const suite of suites) {
    yield* suite.specs;
    yield* specsOf(suite.suites ?? []);
  }
}

/** Every test (one per project and repeat) of a report. */
export function testsOf(report: JSONReport | undefined): JSONReportTest[] {
  return [...specsOf(report?.suites ?? [])].flatMap((spec) => spec.tests);
}

/** Every result (one per attempt) of a report's tests. */
export function resultsOf(report: JSONReport | undefined): JSONReportTestResult[] {
  return testsOf(report).flatMap((test) => test.results);
}
