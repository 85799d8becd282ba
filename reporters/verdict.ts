/**
 * The verdict: one JSON file per run (reports/verdict-<projects>.json) that CI reads and people diff:
 * the targets with their URL and live release, the counts, the tests refused for safety, the
 * failures, and the overall status.
 */
import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type {
  FullConfig,
  FullResult,
  Reporter,
  Suite,
  TestCase,
  TestResult,
} from '@playwright/test/reporter';
import { firstLine, releaseFrom, runAction } from '../helpers/actions.ts';
import { currentSettings, ROOT, type TargetSettings } from '../helpers/config/index.ts';
import { connectSsh } from '../helpers/ssh.ts';

interface TargetVerdict {
  name: string;
  url: string;
  readOnly: boolean;
  release: string | null;
  releaseError?: string;
}

async function readRelease(
  target: TargetSettings,
): Promise<Pick<TargetVerdict, 'release' | 'releaseError'>> {
  if (!target.releaseProbe) return { release: null, releaseError: 'no release probe configured' };
  const ssh = target.ssh;
  let connection: ReturnType<typeof connectSsh> | undefined;
  try {
    const result = await runAction(target.releaseProbe, {
      ssh: ssh ? () => (connection ??= connectSsh(ssh)) : undefined,
    });
    const read = releaseFrom(result);
    return 'release' in read
      ? read
      : { release: null, releaseError: `probe ${firstLine(read.problem)}` };
  } catch (error) {
    return { release: null, releaseError: firstLine(error) };
  } finally {
    if (connection) (await connection.catch(() => undefined))?.dispose();
  }
}

export default class VerdictReporter implements Reporter {
  private readonly started = new Date();
  private readonly outcomes = new Map<string, { test: TestCase; result: TestResult }>();
  private suite: Suite | undefined;

  constructor(
    private readonly options: {
      outputFile?: string;
      /** Where allure-playwright writes this run's results: the release joins its environment. */
      allureResultsDir?: string;
    } = {},
  ) {}

  /** Releases read as the run begins: the built-in site is already gone when it ends. */
  private releasesAtStart:
    Promise<Map<string, Awaited<ReturnType<typeof readRelease>>>> | undefined;

  onBegin(_config: FullConfig, suite: Suite): void {
    this.suite = suite;
    this.releasesAtStart = Promise.all(
      currentSettings().chosen.map(
        async (name) => [name, await readRelease(currentSettings().targets[name]!)] as const,
      ),
    ).then((entries) => new Map(entries));
  }

  onTestEnd(test: TestCase, result: TestResult): void {
    this.outcomes.set(test.id, { test, result });
  }

  async onEnd(result: FullResult): Promise<void> {
    const tests = this.suite?.allTests() ?? [];
    const counts = { total: tests.length, passed: 0, failed: 0, flaky: 0, skipped: 0, refused: 0 };
    const refused: { test: string; project: string; reason: string }[] = [];
    const failed: { test: string; project: string; error: string }[] = [];
    // Told apart from product failures: tests that passed only because a request was retried.
    const infrastructureRetries: { test: string; project: string; retries: string[] }[] = [];
    for (const test of tests) {
      const project = test.parent.project()?.name ?? '';
      const title = test.titlePath().slice(2).join(' › ');
      const outcome = test.outcome();
      const refusal = test.annotations.find((a) => a.type === 'refused');
      const retried = (this.outcomes.get(test.id)?.result.annotations ?? test.annotations)
        .filter((a) => a.type === 'infrastructure retry')
        .map((a) => a.description ?? '');
      if (retried.length) infrastructureRetries.push({ test: title, project, retries: retried });
      if (refusal) {
        counts.refused++;
        refused.push({ test: title, project, reason: refusal.description ?? '' });
      } else if (outcome === 'skipped') counts.skipped++;
      else if (outcome === 'flaky') counts.flaky++;
      else if (outcome === 'expected') counts.passed++;
      else {
        counts.failed++;
        const last = this.outcomes.get(test.id)?.result;
        failed.push({
          test: title,
          project,
          error: (last?.error?.message ?? '').split('\n')[0] ?? '',
        });
      }
    }
    const targets: TargetVerdict[] = [];
    const atStart = await this.releasesAtStart;
    for (const name of currentSettings().chosen) {
      const target = currentSettings().targets[name]!;
      // The release live now (a deploy spec may have changed it), else the one read at the start.
      const now = await readRelease(target);
      const start = atStart?.get(name);
      targets.push({
        name,
        url: target.url,
        readOnly: target.readOnly,
        ...(now.release === null && start?.release ? start : now),
      });
    }
    const verdict = {
      runId: currentSettings().suite.runId,
      status: result.status,
      startedAt: this.started.toISOString(),
      durationMs: Math.round(result.duration),
      targets,
      counts,
      refused,
      failed,
      infrastructureRetries,
    };
    this.addReleasesToAllure(targets);
    const file = path.resolve(ROOT, this.options.outputFile ?? 'reports/verdict.json');
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(verdict, null, 2)}\n`);
  }

  /**
   * allure-playwright writes its environment before the run's release is known (listed before this
   * reporter, it ends first): add each target's release to it.
   */
  private addReleasesToAllure(targets: TargetVerdict[]): void {
    if (!this.options.allureResultsDir) return;
    const file = path.resolve(ROOT, this.options.allureResultsDir, 'environment.properties');
    if (!existsSync(file)) return;
    const lines = targets.map(
      (t) => `release.${t.name}=${t.release ?? `unknown (${t.releaseError ?? ''})`}`,
    );
    appendFileSync(file, `\n${lines.join('\n')}\n`);
  }

  printsToStdio(): boolean {
    return false;
  }
}
