/**
 * Ctrl-C, as a terminal sends it (SIGINT to the whole process group): the run stops within 5 s,
 * leaves nothing running (the built-in site, its PostgreSQL, a deploy command), and reports the
 * stopped tests as interrupted, never as product failures. Each case starts a real run in its own
 * process group and waits for a moment worth interrupting (a test running; the deploy command).
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readVerdict, ROOT, scratch } from './run.ts';

const CLI = path.join(ROOT, 'node_modules', '@playwright', 'test', 'cli.js');
const STOP_WITHIN_MS = 5000;

/** The processes (pid, command line) whose environment carries `marker`: a run's every descendant. */
function processesWith(marker: string): { pid: number; cmd: string }[] {
  const found: { pid: number; cmd: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (!readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0').includes(marker)) continue;
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ').trim();
      if (cmd) found.push({ pid: Number(entry), cmd });
    } catch {
      // gone, or not ours
    }
  }
  return found;
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 100));

/** Runs the suite, sends SIGINT to its group once `ready(output, processes)`, and measures the stop. */
async function interruptedRun(
  args: string[],
  ready: (output: string, processes: { cmd: string }[]) => boolean,
) {
  const runId = `interrupt-${process.pid}-${Date.now()}`;
  const marker = `SUPERLISTS_RUN_ID=${runId}`;
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !/^(STAGING|PRODUCTION|LOCAL)_|^SUPERLISTS_|^ENV_FILE$/.test(name),
    ),
  );
  const child = spawn(process.execPath, [CLI, 'test', ...args], {
    cwd: ROOT,
    env: { ...clean, ENV_FILE: path.join(scratch, 'empty.env'), SUPERLISTS_RUN_ID: runId },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, as a terminal gives a command
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  let running = true;
  void exited.then(() => (running = false));
  while (running && !ready(output, processesWith(marker))) await tick();
  assert.ok(running, `the run ended before the moment to interrupt it:\n${output}`);
  const sent = Date.now();
  process.kill(-child.pid!, 'SIGINT');
  const code = await exited;
  const stopMs = Date.now() - sent;
  // What the run left: give a process that is exiting a moment, no more.
  let left = processesWith(marker);
  for (const until = Date.now() + 1000; left.length && Date.now() < until; await tick())
    left = processesWith(marker);
  const verdict = readVerdict('local', runId);
  console.log(`# stopped ${stopMs} ms after SIGINT (${args.join(' ')})`);
  return { code, output, stopMs, left, verdict };
}

function assertStoppedCleanly(run: Awaited<ReturnType<typeof interruptedRun>>): void {
  assert.equal(run.code, 130, run.output);
  assert.ok(run.stopMs <= STOP_WITHIN_MS, `stopped ${run.stopMs} ms after SIGINT:\n${run.output}`);
  assert.deepEqual(run.left, [], 'processes left running');
  assert.equal(run.verdict.status, 'interrupted', JSON.stringify(run.verdict));
  assert.equal(run.verdict.counts.failed, 0, JSON.stringify(run.verdict.failed));
  assert.ok(run.verdict.counts.interrupted + run.verdict.counts.didNotRun > 0);
  assert.match(run.output, /^superlists-live-tests: verdict interrupted/m);
}

describe('Ctrl-C', { concurrency: 1 }, () => {
  it('during the deploy command: stops within 5 s, nothing left, interrupted not failed', async () => {
    const run = await interruptedRun(['tests/deploy'], (_output, processes) =>
      processes.some((p) => p.cmd.includes('redeploy.ts')),
    );
    assertStoppedCleanly(run);
    assert.equal(run.verdict.counts.interrupted, 1, JSON.stringify(run.verdict.counts));
    assert.doesNotMatch(run.output, /the deploy command failed/);
  });

  it('during the stories: stops within 5 s, nothing left, interrupted not failed', async () => {
    const run = await interruptedRun(['tests/functional'], (_output, processes) =>
      processes.some((p) => /headless_shell|chrom/.test(p.cmd)),
    );
    assertStoppedCleanly(run);
  });
});
