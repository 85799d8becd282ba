/**
 * A Playwright reporter used only by `npm run bench` (`--reporter=./harness/bench/timing-reporter.ts,json`):
 * it records, with the time each arrived, the lines the built-in site prints, and each test's
 * start, duration and worker, then writes them as JSON to the file named by BENCH_TIMING_FILE.
 *
 * How the target's side is measured, and why this way: the bench starts the built-in site with
 * `ACCESS_LOG=1`, so the site prints one line per request, `IP "METHOD URL" STATUS 1.2ms`, where
 * the time is Fastify's `reply.elapsedTime` (from the request's arrival to the last byte of the
 * answer: the time the target spent answering). With `DEBUG=pw:webserver` Playwright hands the
 * webServer's stdout to the reporters (`onStdOut` without a test), so nothing in the suite (no
 * fixture, no spec) changes for the measurement. The arrival time of each line marks the end of
 * its request, so `[arrival - elapsed, arrival]` is when the target was busy with it; the bench
 * merges these intervals (parallel workers overlap) into the time the target was answering.
 * The browser's Navigation and Resource Timing would need a fixture in every test; the access log
 * sees every request the tests waited on (pages, static files, the API client's checks) with no
 * change to the product.
 */
import { writeFileSync } from 'node:fs';
import { stripVTControlCharacters } from 'node:util';
import type { FullResult, TestCase, TestResult } from '@playwright/test/reporter';

/** One request the site answered: when its access-log line arrived (epoch ms) and how long it took. */
export interface AccessLogEntry {
  at: number;
  method: string;
  url: string;
  status: number;
  ms: number;
}

/** One test's run, from Playwright. */
export interface TestTiming {
  title: string;
  file: string;
  workerIndex: number;
  parallelIndex: number;
  status: string;
  start: number;
  durationMs: number;
  retry: number;
}

/** What the reporter writes to BENCH_TIMING_FILE. */
export interface TimingFile {
  /** onBegin: the runner has loaded the config and is about to start the tests. */
  beganAt: number;
  endedAt: number;
  /** The site's "ready" line: when it arrived, and the launcher's own startup time in seconds. */
  siteReady?: { at: number; launcherSeconds: number; line: string };
  requests: AccessLogEntry[];
  /** The site's other lines (the launcher's progress), with the time each arrived. */
  lines: { at: number; line: string }[];
  tests: TestTiming[];
  status: FullResult['status'];
  runnerStart: number;
  runnerDurationMs: number;
}

const ACCESS_LINE = /^\S+ "([A-Z]+) (\S+)" (\d{3}) ([\d.]+)ms$/;
const READY_LINE = /superlists local target ready .* in ([\d.]+) s/;

/**
 * A reporter in Playwright's internal "v2" form (`version() === 'v2'`): Playwright holds back the
 * output a classic reporter receives before `onBegin` (the webServer's startup lines) and hands
 * it over all at once, which would date the site's "ready" line to when the tests begin. A v2
 * reporter gets each line as it comes. Should a later Playwright drop the v2 form, it wraps this
 * as a classic reporter: the figures stay right except the time the site was ready.
 */
export default class TimingReporter {
  private readonly file = process.env.BENCH_TIMING_FILE;
  private readonly requests: AccessLogEntry[] = [];
  private readonly tests: TestTiming[] = [];
  private readonly lines: { at: number; line: string }[] = [];
  private siteReady: TimingFile['siteReady'];
  private beganAt = 0;
  private partial = '';

  version(): 'v2' {
    return 'v2';
  }

  printsToStdio(): boolean {
    return false;
  }

  onBegin(): void {
    this.beganAt = Date.now();
  }

  onStdOut(chunk: string | Buffer, test?: TestCase): void {
    if (test) return; // a test's own output, not the webServer's
    const at = Date.now();
    const lines = (this.partial + chunk.toString()).split('\n');
    this.partial = lines.pop() ?? '';
    for (const raw of lines) {
      // Playwright prefixes each webServer line with a dimmed "[superlists] ".
      const line = stripVTControlCharacters(raw)
        .replace(/^\[[^\]]*\] /, '')
        .trim();
      const access = ACCESS_LINE.exec(line);
      if (access) {
        const [, method = '', url = '', status = '0', ms = '0'] = access;
        this.requests.push({ at, method, url, status: Number(status), ms: Number(ms) });
        continue;
      }
      const ready = READY_LINE.exec(line);
      if (ready) this.siteReady = { at, launcherSeconds: Number(ready[1]), line };
      if (line) this.lines.push({ at, line });
    }
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    this.tests.push({
      title: test.titlePath().slice(3).join(' › '),
      file: test.location.file,
      workerIndex: result.workerIndex,
      parallelIndex: result.parallelIndex,
      status: result.status,
      start: result.startTime.getTime(),
      durationMs: result.duration,
      retry: result.retry,
    });
  }

  onEnd(result: FullResult): void {
    if (!this.file) return;
    const timing: TimingFile = {
      beganAt: this.beganAt,
      endedAt: Date.now(),
      siteReady: this.siteReady,
      requests: this.requests,
      lines: this.lines,
      tests: this.tests,
      status: result.status,
      runnerStart: result.startTime.getTime(),
      runnerDurationMs: result.duration,
    };
    writeFileSync(this.file, `${JSON.stringify(timing, null, 1)}\n`);
  }
}
