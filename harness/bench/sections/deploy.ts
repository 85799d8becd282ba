/**
 * The deploy section, against the real server (harness/server/), under
 * `flock /tmp/superlists-server.lock`: server:up, the deploy spec next to the deploy command it
 * runs, the same command run directly over ssh, the stories against staging, server:down (always).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import dotenv from 'dotenv';
import { ROOT } from '../../../helpers/config/paths.ts';
import { baseEnv, exec } from '../exec.ts';
import { LOCK, lockedPart } from '../locked-part.ts';
import { testsOf } from '../json-report.ts';
import { say, table } from '../output.ts';
import { playwright, type PwRun } from '../playwright.ts';
import { problems, state, targets } from '../state.ts';
import { med, median, seconds } from '../stats.ts';
import { benchStaging, printStaging, type StagingFigures } from './staging.ts';

/** The issue's target: the deploy spec's wall time at most this much above its deploy command's. */
const DEPLOY_TARGET_MS = 2_000;
/** Issue 16's target: the pictures add at most this much to the deploy spec's wall time. */
const PICTURES_TARGET_MS = 1_000;

/** One deploy's own account of itself: its steps and total, from deploy.sh's output. */
interface DeployOutput {
  totalMs?: number;
  steps: { name: string; ms: number }[];
}

function parseDeployOutput(text: string): DeployOutput {
  const steps: DeployOutput['steps'] = [];
  let name: string | undefined;
  for (const line of text.split('\n')) {
    const announce = /^==> \[[^\]]+\] (.+)$/.exec(line);
    if (announce) name = announce[1];
    const ok = /^\s+ok \(([\d.]+)s\)/.exec(line);
    if (ok && name) {
      steps.push({ name, ms: Number(ok[1]) * 1000 });
      name = undefined;
    }
  }
  const total = /^deployed \S+ \S+ in ([\d.]+)s$/m.exec(text);
  return { totalMs: total ? Number(total[1]) * 1000 : undefined, steps };
}

interface SpecRun {
  label: string;
  wallMs: number;
  pwMs: number;
  code: number;
  passed: boolean;
  /** The deploy command's time, from the test's annotation `deploy: trigger`. */
  triggerMs?: number;
  /** The deploy test's own duration (fixtures and steps; no runner, worker or browser start). */
  testMs?: number;
  /** deploy.sh's own figures, from the attachment "deploy output". */
  deploy: DeployOutput;
  /** The spec's test.step()s, in order. */
  steps: { title: string; ms: number }[];
  availability?: string;
  logFile: string;
}

interface DirectRun {
  label: string;
  wallMs: number;
  code: number;
  deploy: DeployOutput;
  logFile: string;
}

/** What the server part measured (it writes this as JSON for the main process). */
export interface ServerFigures {
  upMs: number;
  upCode: number;
  downMs: number;
  downCode: number;
  specs: SpecRun[];
  /** The same deploy spec with DEPLOY_VISUAL=off (issue 16: the pictures' cost), alternating. */
  plainSpecs: SpecRun[];
  direct: DirectRun[];
  /** The staging section's runs (staging.ts): stories, plain port, gate, stage 3, workers, scale. */
  staging?: StagingFigures;
  error?: string;
}

function specRun(run: PwRun): SpecRun {
  const test = testsOf(run.report)[0];
  const result = test?.results.at(-1);
  const annotations = [...(test?.annotations ?? []), ...(result?.annotations ?? [])];
  const trigger = annotations.find((a) => a.type === 'deploy: trigger')?.description ?? '';
  const seconds = /exit \d+ in ([\d.]+) s$/.exec(trigger)?.[1];
  const attachment = result?.attachments.find((a) => a.name === 'deploy output');
  const output = attachment?.body
    ? Buffer.from(attachment.body, 'base64').toString()
    : attachment?.path && existsSync(attachment.path)
      ? readFileSync(attachment.path, 'utf8')
      : '';
  return {
    label: run.label,
    wallMs: run.wallMs,
    pwMs: run.pwMs,
    code: run.code,
    passed: run.code === 0 && run.passed === 1,
    triggerMs: seconds ? Number(seconds) * 1000 : undefined,
    testMs: result?.duration,
    deploy: parseDeployOutput(output),
    steps: (result?.steps ?? []).map((step) => ({ title: step.title, ms: step.duration })),
    availability: annotations.find((a) => a.type === 'deploy: availability')?.description,
    logFile: run.logFile,
  };
}

/**
 * The part that needs the real server, run under `flock /tmp/superlists-server.lock` by the main
 * process: server:up, the deploy spec and the direct deploy, then server:down, always.
 */
export async function serverPart(outFile: string, runs: number): Promise<void> {
  const figures: ServerFigures = {
    upMs: NaN,
    upCode: -1,
    downMs: NaN,
    downCode: -1,
    specs: [],
    plainSpecs: [],
    direct: [],
  };
  const npm = (label: string, script: string) =>
    exec(label, ['npm', 'run', '--silent', script], baseEnv());
  let downDone = false;
  const downNow = (signal: NodeJS.Signals) => {
    if (state.current?.pid) {
      try {
        process.kill(-state.current.pid, 'SIGTERM');
      } catch {
        // already gone
      }
    }
    if (!downDone) {
      say('  interrupted: npm run server:down');
      spawnSync('npm', ['run', '--silent', 'server:down'], {
        cwd: ROOT,
        stdio: 'inherit',
        env: baseEnv(),
      });
    }
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.on('SIGINT', () => downNow('SIGINT'));
  process.on('SIGTERM', () => downNow('SIGTERM'));
  try {
    say('  npm run server:up');
    const up = await npm('server-up', 'server:up');
    figures.upMs = up.wallMs;
    figures.upCode = up.code;
    say(`  ${'server-up'.padEnd(34)} ${seconds(up.wallMs).padStart(6)} s wall, exit ${up.code}`);
    if (up.code !== 0) throw new Error(`server:up failed (log: ${up.logFile}):\n${up.tail}`);

    // .env.server holds database passwords: read the four values needed here, print none of it.
    const server = dotenv.parse(readFileSync(path.join(ROOT, '.env.server')));
    const ssh = /^([^@]+)@([^:]+):(\d+)$/.exec(server.STAGING_SSH ?? '');
    const key = server.STAGING_SSH_KEY;
    const deploy = /^ssh:(.+)$/.exec(server.STAGING_DEPLOY ?? '')?.[1];
    if (!ssh || !key || !deploy)
      throw new Error('.env.server lacks STAGING_SSH, _SSH_KEY or an ssh: _DEPLOY');
    const [, user, host, port] = ssh as unknown as [string, string, string, string];
    const sshCommand = [
      'ssh',
      '-F',
      '/dev/null',
      '-i',
      key,
      '-p',
      port,
      '-o',
      `UserKnownHostsFile=${path.join(path.dirname(key), 'known_hosts')}`,
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      'BatchMode=yes',
      `${user}@${host}`,
      deploy,
    ];

    // The site runs: the gate's measurements first (they leave staging as it was deployed).
    figures.staging = await benchStaging(runs, '.env.server');

    for (let r = 1; r <= runs && !state.interrupted; r++) {
      const run = await playwright(`deploy-spec-${r}`, ['--project=staging', 'tests/deploy'], {
        ...baseEnv(),
        ENV_FILE: '.env.server',
      });
      const spec = specRun(run);
      figures.specs.push(spec);
      say(
        `  ${spec.label.padEnd(34)} ${seconds(spec.wallMs).padStart(6)} s wall, ${seconds(spec.pwMs).padStart(6)} s playwright, deploy command ${seconds(spec.triggerMs ?? NaN)} s, ${spec.passed ? 'passed' : `FAILED (exit ${spec.code})`}`,
      );
      if (!spec.passed) {
        problems.push(`${spec.label}: exit ${spec.code} (log: ${spec.logFile})`);
        say(run.tail.split('\n').slice(-15).join('\n'));
      }

      // The same spec without its pictures, right after: what the pictures cost, in one run.
      const plain = specRun(
        await playwright(`deploy-spec-no-pictures-${r}`, ['--project=staging', 'tests/deploy'], {
          ...baseEnv(),
          ENV_FILE: '.env.server',
          DEPLOY_VISUAL: 'off',
        }),
      );
      figures.plainSpecs.push(plain);
      say(
        `  ${plain.label.padEnd(34)} ${seconds(plain.wallMs).padStart(6)} s wall, ${seconds(plain.pwMs).padStart(6)} s playwright, ${plain.passed ? 'passed' : `FAILED (exit ${plain.code})`}`,
      );
      if (!plain.passed)
        problems.push(`${plain.label}: exit ${plain.code} (log: ${plain.logFile})`);

      const direct = await exec(`deploy-ssh-${r}`, sshCommand, baseEnv());
      figures.direct.push({
        label: direct.label,
        wallMs: direct.wallMs,
        code: direct.code,
        deploy: parseDeployOutput(direct.stdout),
        logFile: direct.logFile,
      });
      say(
        `  ${direct.label.padEnd(34)} ${seconds(direct.wallMs).padStart(6)} s wall, exit ${direct.code}`,
      );
      if (direct.code !== 0) {
        problems.push(`${direct.label}: exit ${direct.code} (log: ${direct.logFile})`);
        say(direct.tail.split('\n').slice(-15).join('\n'));
      }
    }
  } catch (error) {
    figures.error = error instanceof Error ? error.message : String(error);
    say(`  !! ${figures.error}`);
  } finally {
    say('  npm run server:down');
    const down = await npm('server-down', 'server:down');
    downDone = true;
    figures.downMs = down.wallMs;
    figures.downCode = down.code;
    say(
      `  ${'server-down'.padEnd(34)} ${seconds(down.wallMs).padStart(6)} s wall, exit ${down.code}`,
    );
    if (down.code !== 0) say(down.tail);
    writeFileSync(outFile, JSON.stringify({ figures, problems }));
  }
}

/** Runs the server part in a child process that holds the server lock for its whole life. */
export async function benchDeploy(runs: number): Promise<ServerFigures | undefined> {
  say(`Deploy against the real server (server/), under flock ${LOCK}`);
  const figures = await lockedPart<ServerFigures>('deploy', 'server-part', [
    '--runs',
    String(runs),
    ...(state.compare ? ['--compare', state.compare.rev, '--compare-dir', state.compare.dir] : []),
  ]);
  if (!figures) return undefined;
  if (figures.error) problems.push(`deploy: ${figures.error.split('\n')[0]}`);
  if (figures.downCode !== 0)
    problems.push(`deploy: server:down exit ${figures.downCode}: the server may be left up`);
  return figures;
}

/** Prints the deploy tables; returns their medians for reports/bench.json. */
export function printDeploy(deploy: ServerFigures) {
  say('Deploy spec against the real server (staging), next to the deploy command it runs');
  const specs = deploy.specs.filter((s) => s.passed);
  const over = median(specs.map((s) => s.wallMs - (s.triggerMs ?? NaN)));
  targets.push({
    what: 'deploy spec wall - its deploy command, real server',
    figure: Number.isFinite(over)
      ? `${seconds(over)} s (${med(specs.map((s) => s.wallMs))} - ${med(specs.map((s) => s.triggerMs ?? NaN))})`
      : 'not measured (no passing deploy spec run)',
    limit: `<= ${seconds(DEPLOY_TARGET_MS)} s`,
    met: Number.isFinite(over) ? over <= DEPLOY_TARGET_MS : undefined,
  });
  const plainSpecs = deploy.plainSpecs.filter((s) => s.passed);
  const picturesCost = median(specs.map((s) => s.wallMs)) - median(plainSpecs.map((s) => s.wallMs));
  targets.push({
    what: 'deploy spec with its pictures - without (DEPLOY_VISUAL=off), real server',
    figure: Number.isFinite(picturesCost)
      ? `${seconds(picturesCost)} s (${med(specs.map((s) => s.wallMs))} - ${med(plainSpecs.map((s) => s.wallMs))})`
      : 'not measured (no passing pair of deploy spec runs)',
    limit: `<= ${seconds(PICTURES_TARGET_MS)} s`,
    met: Number.isFinite(picturesCost) ? picturesCost <= PICTURES_TARGET_MS : undefined,
  });
  const ratio = specs.map((s) => s.wallMs / (s.triggerMs ?? NaN));
  const testRatio = specs.map((s) => (s.testMs ?? NaN) / (s.triggerMs ?? NaN));
  const directRatio =
    median(specs.map((s) => s.wallMs)) / median(deploy.direct.map((d) => d.wallMs));
  table([
    ['', 'wall'],
    [
      'deploy spec (npx playwright test --project=staging tests/deploy)',
      med(deploy.specs.map((s) => s.wallMs)),
    ],
    [
      '  its deploy command (annotation "deploy: trigger")',
      med(deploy.specs.map((s) => s.triggerMs ?? NaN)),
    ],
    [
      '  deploy.sh\'s own total ("deployed ... in")',
      med(deploy.specs.map((s) => s.deploy.totalMs ?? NaN)),
    ],
    [
      'the same deploy run directly (ssh ... bin/deploy staging HEAD)',
      med(deploy.direct.map((d) => d.wallMs)),
    ],
    ["  deploy.sh's own total", med(deploy.direct.map((d) => d.deploy.totalMs ?? NaN))],
    ['ratio: spec / its deploy command', ratio.length ? `${median(ratio).toFixed(2)} x` : '-'],
    ['the deploy test itself (its duration in the report)', med(specs.map((s) => s.testMs ?? NaN))],
    [
      'ratio: the test itself / its deploy command',
      testRatio.length ? `${median(testRatio).toFixed(2)} x` : '-',
    ],
    [
      'the deploy spec minus its deploy command',
      med(specs.map((s) => s.wallMs - (s.triggerMs ?? NaN))),
    ],
    [
      'ratio: spec / direct deploy',
      Number.isFinite(directRatio) ? `${directRatio.toFixed(2)} x` : '-',
    ],
    ['npm run server:up (deploys staging and production)', med([deploy.upMs])],
    ['npm run server:down', med([deploy.downMs])],
  ]);
  say();
  const stepTitles = [...new Set(specs.flatMap((s) => s.steps.map((st) => st.title)))];
  if (stepTitles.length) {
    say(
      '  the deploy spec, step by step (test.step durations; the rest is fixtures, browser and teardown)',
    );
    table(
      stepTitles.map((title) => [
        title,
        med(specs.map((s) => s.steps.find((st) => st.title === title)?.ms ?? NaN)),
      ]),
      '    ',
    );
    say();
  }
  const deploySteps = [
    ...new Set(deploy.direct.flatMap((d) => d.deploy.steps.map((st) => st.name))),
  ];
  if (deploySteps.length) {
    say('  deploy.sh, step by step (direct runs)');
    table(
      deploySteps.map((name) => [
        name,
        med(deploy.direct.map((d) => d.deploy.steps.find((st) => st.name === name)?.ms ?? NaN)),
      ]),
      '    ',
    );
    say();
  }
  return {
    specWallMs: median(deploy.specs.map((s) => s.wallMs)),
    picturesCostMs: picturesCost,
    triggerMs: median(deploy.specs.map((s) => s.triggerMs ?? NaN)),
    directMs: median(deploy.direct.map((d) => d.wallMs)),
    ratioToTrigger: median(ratio),
    testMs: median(specs.map((s) => s.testMs ?? NaN)),
    testRatioToTrigger: median(testRatio),
    overTriggerMs: over,
    staging: deploy.staging && printStaging(deploy.staging),
    ratioToDirect: directRatio,
    upMs: deploy.upMs,
    downMs: deploy.downMs,
  };
}
