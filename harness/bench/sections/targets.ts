/**
 * The targets section: the gate and the deploy spec against each kind of real deployment this
 * machine runs (harness/server/: the second edition, nginx + PostgreSQL + release folders, from
 * .env.server; the third edition, one podman container + SQLite, from .env.container), side by side,
 * under `flock /tmp/superlists-server.lock`: server:up, per target the whole gate
 * (`--project=staging`) then the deploy spec alone, server:down (always). The redeploy's outage is
 * the deploy spec's own availability measurement (its longest gap, failed probes).
 */
import { writeFileSync } from 'node:fs';
import { baseEnv, exec } from '../exec.ts';
import { LOCK, lockedPart } from '../locked-part.ts';
import { testsOf, type JSONReport } from '../json-report.ts';
import { say, table } from '../output.ts';
import { playwright, type PwRun } from '../playwright.ts';
import { problems, state } from '../state.ts';
import { med, seconds } from '../stats.ts';

/** The two deployments of harness/server/, as the env files server:up writes name them. */
const TARGETS = [
  { name: 'second edition (nginx, PostgreSQL)', envFile: '.env.server' },
  { name: 'third edition (container, SQLite)', envFile: '.env.container' },
] as const;

/** What the deploy test of one run measured (its annotations), and how long it took. */
interface DeployFigures {
  testMs?: number;
  triggerMs?: number;
  longestGapMs?: number;
  probes?: number;
  failedProbes?: number;
}

interface TargetRun {
  label: string;
  wallMs: number;
  code: number;
  passed: number;
  failed: number;
  skipped: number;
  deploy: DeployFigures;
}

/** One target's figures: the gate, and the deploy spec run alone. */
export interface TargetFigures {
  name: string;
  envFile: string;
  gate?: TargetRun;
  deploySpec?: TargetRun;
}

function deployFigures(report: JSONReport | undefined): DeployFigures {
  const test = testsOf(report).find((t) => t.annotations.some((a) => a.type === 'deploy: trigger'));
  const result = test?.results.at(-1);
  if (!test || !result) return {};
  const annotations = [...test.annotations, ...result.annotations];
  const trigger = annotations.find((a) => a.type === 'deploy: trigger')?.description ?? '';
  const triggerSeconds = /exit \d+ in ([\d.]+) s$/.exec(trigger)?.[1];
  const availability = annotations
    .filter((a) => a.type === 'measurement' && a.description)
    .map((a) => JSON.parse(a.description!) as Record<string, unknown>)
    .find((m) => m.kind === 'availability');
  return {
    testMs: result.duration,
    triggerMs: triggerSeconds ? Number(triggerSeconds) * 1000 : undefined,
    longestGapMs: availability?.longestGapMs as number | undefined,
    probes: availability?.probes as number | undefined,
    failedProbes: availability?.failedProbes as number | undefined,
  };
}

function targetRun(run: PwRun): TargetRun {
  return {
    label: run.label,
    wallMs: run.wallMs,
    code: run.code,
    passed: run.passed,
    failed: run.failed,
    skipped: run.skipped,
    deploy: deployFigures(run.report),
  };
}

/**
 * The part that needs the real server, run under the lock by the main process (see
 * `benchTargets`): writes its figures and problems to `outFile` as JSON.
 */
export async function targetsPart(outFile: string): Promise<void> {
  const figures: TargetFigures[] = [];
  const npm = (label: string, script: string) =>
    exec(label, ['npm', 'run', '--silent', script], baseEnv());
  try {
    say('  npm run server:up');
    const up = await npm('server-up', 'server:up');
    if (up.code !== 0) throw new Error(`server:up failed (log: ${up.logFile}):\n${up.tail}`);
    for (const { name, envFile } of TARGETS) {
      if (state.interrupted) break;
      const env = { ...baseEnv(), ENV_FILE: envFile };
      const gate = targetRun(await playwright(`gate-${envFile}`, ['--project=staging'], env));
      const deploySpec = targetRun(
        await playwright(`deploy-spec-${envFile}`, ['--project=staging', 'tests/deploy'], env),
      );
      figures.push({ name, envFile, gate, deploySpec });
      for (const run of [gate, deploySpec]) {
        say(
          `  ${run.label.padEnd(34)} ${seconds(run.wallMs).padStart(6)} s wall, ${run.passed} passed, ${run.failed} failed, exit ${run.code}`,
        );
        if (run.code !== 0) problems.push(`${name}: ${run.label} exit ${run.code}`);
      }
    }
  } catch (error) {
    problems.push(
      `targets: ${(error instanceof Error ? error.message : String(error)).split('\n')[0]}`,
    );
  } finally {
    say('  npm run server:down');
    const down = await npm('server-down', 'server:down');
    if (down.code !== 0) problems.push(`targets: server:down exit ${down.code}`);
    writeFileSync(outFile, JSON.stringify({ figures, problems }));
  }
}

/** Runs the targets part in a child process that holds the server lock for its whole life. */
export async function benchTargets(): Promise<TargetFigures[] | undefined> {
  say(`Both real targets (second and third edition), under flock ${LOCK}`);
  return lockedPart<TargetFigures[]>('targets', 'targets-part');
}

/** Prints the two targets side by side; returns the figures for reports/bench.json. */
export function printTargetsTable(figures: TargetFigures[]) {
  say('The gate and the deploy spec on each real target (one run each)');
  const cell = (ms: number | undefined) => (ms === undefined ? '-' : med([ms]));
  const row = (what: string, pick: (f: TargetFigures) => string) => [what, ...figures.map(pick)];
  table([
    ['', ...figures.map((f) => f.name)],
    row('gate (--project=staging): wall', (f) => cell(f.gate?.wallMs)),
    row('  tests passed / failed / skipped', (f) =>
      f.gate ? `${f.gate.passed} / ${f.gate.failed} / ${f.gate.skipped}` : '-',
    ),
    row('deploy spec alone (tests/deploy): wall', (f) => cell(f.deploySpec?.wallMs)),
    row('  the deploy test itself', (f) => cell(f.deploySpec?.deploy.testMs)),
    row('  its deploy command', (f) => cell(f.deploySpec?.deploy.triggerMs)),
    row('  the redeploy outage (longest gap)', (f) => cell(f.deploySpec?.deploy.longestGapMs)),
    row('  failed probes / probes', (f) =>
      f.deploySpec?.deploy.probes === undefined
        ? '-'
        : `${f.deploySpec.deploy.failedProbes} / ${f.deploySpec.deploy.probes}`,
    ),
  ]);
  say();
  return figures;
}
