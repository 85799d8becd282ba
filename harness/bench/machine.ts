/**
 * The machine: what it is (for the report), its load, and the CPU time other jobs use while a
 * command runs.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../../helpers/config/paths.ts';

/** The 1-minute load average. */
export const loadAverage = () => Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);

/**
 * CPU time, in clock ticks: the machine's busy time (/proc/stat), this process's own, and that of
 * the children it has waited for (/proc/self/stat utime + stime, cutime + cstime). With the CPU
 * time of the command's process tree (bench/proctree.ts), the difference over a command is what
 * other jobs used meanwhile: the load average cannot tell, since the bench loads the machine itself.
 */
export function cpuTicks(): { busy: number; self: number; children: number } {
  const cpu = readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]!
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  // user nice system idle iowait irq softirq steal
  const busy = [0, 1, 2, 5, 6, 7].reduce((sum, i) => sum + (cpu[i] ?? 0), 0);
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat
    .slice(stat.lastIndexOf(')') + 2)
    .split(' ')
    .map(Number);
  // After the comm: state is fields[0] (field 3), so utime..cstime (fields 14-17) are [11]..[14].
  return {
    busy,
    self: (fields[11] ?? 0) + (fields[12] ?? 0),
    children: (fields[13] ?? 0) + (fields[14] ?? 0),
  };
}

/** Clock ticks per second (/proc counts CPU time in them). */
export const CLOCK_TICKS =
  Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout) || 100;

/** The machine's cores. */
export const CORES = os.cpus().length;

/** The machine and the versions that matter, for the report's head and reports/bench.json. */
export function machine() {
  const osName =
    /PRETTY_NAME="([^"]+)"/.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? os.platform();
  const version = (pkg: string) => {
    try {
      return (
        JSON.parse(readFileSync(path.join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as {
          version: string;
        }
      ).version;
    } catch {
      return '?';
    }
  };
  const dpkg = spawnSync('dpkg-query', ['-W', '-f=${Version}', 'chromium-headless-shell'], {
    encoding: 'utf8',
  });
  return {
    os: osName,
    cpu: os.cpus()[0]?.model ?? '?',
    cores: os.cpus().length,
    memoryGb: Math.round(os.totalmem() / 1024 ** 3),
    node: process.version,
    playwright: version('@playwright/test'),
    chromiumHeadlessShell:
      dpkg.status === 0 ? dpkg.stdout : "not installed (Playwright's own Chromium?)",
  };
}
