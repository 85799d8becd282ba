/**
 * Running one command for the bench: in its own process group from the repo root, with its wall
 * time, the peak memory and CPU time of its process tree (bench/proctree.ts), and the share of the
 * CPU that other jobs used meanwhile.
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../../helpers/config/paths.ts';
import { CLOCK_TICKS, CORES, cpuTicks, loadAverage } from './machine.ts';
import { sampleTree, type MemoryPeak } from './proctree.ts';
import { executed, state } from './state.ts';

/** One command's run. */
export interface Exec {
  label: string;
  command: string;
  wallMs: number;
  code: number;
  logFile: string;
  /** The last lines of stdout + stderr, for a failure message. */
  tail: string;
  stdout: string;
  memory?: MemoryPeak;
  /** The machine's 1-minute load average when the command ended (its own load included). */
  load: number;
  /** The share of the machine's CPU that other jobs used while the command ran, in %. */
  othersCpu: number;
}

/**
 * Runs `command` in its own process group from the repo root; wall time from spawn to exit.
 * Output goes to a log file (and, with `echo`, to this terminal too).
 */
export function exec(
  label: string,
  command: string[],
  env: NodeJS.ProcessEnv,
  options: { memory?: boolean; echo?: boolean; cwd?: string } = { memory: true },
): Promise<Exec> {
  if (state.interrupted) {
    return Promise.resolve({
      load: NaN,
      othersCpu: NaN,
      label,
      command: command.join(' '),
      wallMs: NaN,
      code: 130,
      logFile: '',
      tail: '',
      stdout: '',
    });
  }
  const logFile = path.join(state.workDir, 'logs', `${label}.log`);
  mkdirSync(path.dirname(logFile), { recursive: true });
  const log = createWriteStream(logFile);
  return new Promise((resolve) => {
    const started = performance.now();
    const cpuBefore = cpuTicks();
    const child = spawn(command[0]!, command.slice(1), {
      cwd: options.cwd ?? ROOT,
      env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    state.current = child;
    const sampler = options.memory && child.pid ? sampleTree(child.pid) : undefined;
    let stdout = '';
    let tail = '';
    const take = (chunk: Buffer, isStdout: boolean) => {
      const text = chunk.toString();
      if (isStdout) stdout += text;
      tail = (tail + text).slice(-4000);
      log.write(text);
      if (options.echo) process.stdout.write(text);
    };
    child.stdout.on('data', (chunk: Buffer) => take(chunk, true));
    child.stderr.on('data', (chunk: Buffer) => take(chunk, false));
    let wallMs = 0;
    let memory: MemoryPeak | undefined;
    let settled = false;
    const finish = (code: number) => {
      if (settled) return;
      settled = true;
      state.current = undefined;
      log.end();
      const cpuAfter = cpuTicks();
      const elapsed = wallMs || performance.now() - started;
      // Ours: this process, and the command's tree as sampled (renderers included), or else the
      // children this process waited for.
      const tree = memory ? memory.cpuTicks : cpuAfter.children - cpuBefore.children;
      const others = cpuAfter.busy - cpuBefore.busy - (cpuAfter.self - cpuBefore.self) - tree;
      const result: Exec = {
        load: loadAverage(),
        othersCpu: Math.max(0, (100 * others) / CLOCK_TICKS / (elapsed / 1000) / CORES),
        label,
        command: command.join(' '),
        wallMs: wallMs || performance.now() - started,
        code,
        logFile,
        tail,
        stdout,
        memory,
      };
      executed.push(result);
      resolve(result);
    };
    child.on('exit', (code, signal) => {
      wallMs = performance.now() - started;
      memory = sampler?.stop();
      // A daemon the command started may keep its output open: do not wait for it for ever.
      setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        finish(code ?? (signal ? 128 : 1));
      }, 10_000).unref();
    });
    child.on('error', (error) => {
      take(Buffer.from(`${error.message}\n`), false);
      finish(127);
    });
    child.on('close', (code, signal) => finish(code ?? (signal ? 128 : 1)));
  });
}

/** The environment every run starts from: this one, without what would pin a target or a run. */
export function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, FORCE_COLOR: '0', RETRIES: '0' };
  for (const name of [
    'ENV_FILE',
    'SUPERLISTS_TARGETS',
    'SUPERLISTS_RUN_ID',
    'SUPERLISTS_FAULT',
    'SUPERLISTS_LOCAL_DATA',
    'LOCAL_PORT',
    'PREFLIGHT',
    'WORKERS',
    'TRACE',
    'TRACE_DETAIL',
    'INFRA_RETRIES',
    'FULL_REPORTS',
    'CI',
    'DEBUG',
    'ACCESS_LOG',
  ]) {
    delete env[name];
  }
  return env;
}
