/**
 * Peak memory of a process tree, sampled from /proc every 100 ms: the summed RSS of a command and
 * all its descendants (npx, the Playwright runner, its workers, the browsers, the built-in site and
 * its PostgreSQL). RSS counts pages shared between processes (Chromium's, PostgreSQL's shared
 * buffers) once per process, so the sum is an upper bound of the memory the run needs.
 */
import { readFileSync, readdirSync } from 'node:fs';

/** What a process is, for the breakdown: the runner side, a test worker, a browser, or the site. */
export type Role = 'runner' | 'worker' | 'browser' | 'site';

export interface MemoryPeak {
  /** The highest summed RSS seen in one sample, in MB. */
  peakMb: number;
  /** The breakdown of that sample by role, in MB. */
  atPeakMb: Record<Role, number>;
  samples: number;
  /** Browser main processes (Chromium without --type=) seen during the run. */
  browsersLaunched: number;
  /** Playwright test worker processes seen during the run. */
  workersStarted: number;
  /**
   * CPU time (utime + stime, clock ticks) the tree used, as last seen of each process: this
   * counts the browsers' renderers too, which end as orphans that no process of the tree waits for.
   */
  cpuTicks: number;
}

interface Proc {
  ppid: number;
  rssPages: number;
  cpuTicks: number;
}

/** Bytes per page: /proc/self/statm counts pages, /proc/self/status says the same RSS in kB. */
function pageBytes(): number {
  try {
    const pages = Number(readFileSync('/proc/self/statm', 'utf8').split(' ')[1]);
    const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]);
    const ratio = Math.round((kb * 1024) / pages / 4096) * 4096;
    return ratio > 0 ? ratio : 4096;
  } catch {
    return 4096;
  }
}

function readProcs(): Map<number, Proc> {
  const procs = new Map<number, Proc>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // pid (comm) state ppid ...: comm may hold spaces and parentheses, so split after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // fields[0] is state (field 3); ppid is field 4, utime and stime 14 and 15, rss (pages) 24.
      procs.set(Number(name), {
        ppid: Number(fields[1]),
        rssPages: Number(fields[21]),
        cpuTicks: Number(fields[11]) + Number(fields[12]),
      });
    } catch {
      // the process ended between readdir and read
    }
  }
  return procs;
}

function classify(cmdline: string): Role {
  if (/chrom/i.test(cmdline)) return 'browser';
  if (/postgres|reference-site/.test(cmdline)) return 'site';
  if (/workerProcessEntry/.test(cmdline)) return 'worker';
  return 'runner';
}

/** Samples the tree under `rootPid` until `stop()`; returns the peak. */
export function sampleTree(rootPid: number, intervalMs = 100): { stop: () => MemoryPeak } {
  const bytes = pageBytes();
  const roles = new Map<number, Role>();
  const commandLines = new Map<number, string>();
  const browsers = new Set<number>();
  const workers = new Set<number>();
  const cpu = new Map<number, number>();
  let peak = 0;
  let atPeak: Record<Role, number> = { runner: 0, worker: 0, browser: 0, site: 0 };
  let samples = 0;

  const tick = () => {
    const procs = readProcs();
    const children = new Map<number, number[]>();
    for (const [pid, proc] of procs) {
      const list = children.get(proc.ppid);
      if (list) list.push(pid);
      else children.set(proc.ppid, [pid]);
    }
    const sample: Record<Role, number> = { runner: 0, worker: 0, browser: 0, site: 0 };
    const queue = procs.has(rootPid) ? [rootPid] : [];
    let total = 0;
    while (queue.length) {
      const pid = queue.pop()!;
      queue.push(...(children.get(pid) ?? []));
      let role = roles.get(pid);
      if (!role) {
        let cmdline: string;
        try {
          cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
        } catch {
          continue;
        }
        if (!cmdline) continue; // a zombie
        role = classify(cmdline);
        // Between fork and exec a child still shows its parent's command line (a worker looks like
        // the runner, a browser's helper like the browser): classify it, but look again next time.
        const parent = procs.get(pid)!.ppid;
        if (cmdline !== commandLines.get(parent)) {
          roles.set(pid, role);
          commandLines.set(pid, cmdline);
          if (role === 'browser' && !cmdline.includes('--type=') && roles.get(parent) !== 'browser')
            browsers.add(pid);
          if (role === 'worker') workers.add(pid);
        }
      }
      cpu.set(pid, Math.max(cpu.get(pid) ?? 0, procs.get(pid)!.cpuTicks));
      const mb = (procs.get(pid)!.rssPages * bytes) / 1024 / 1024;
      sample[role] += mb;
      total += mb;
    }
    samples++;
    if (total > peak) {
      peak = total;
      atPeak = sample;
    }
  };

  tick();
  const timer = setInterval(tick, intervalMs);
  return {
    stop: () => {
      clearInterval(timer);
      const round = (mb: number) => Math.round(mb);
      return {
        peakMb: round(peak),
        atPeakMb: {
          runner: round(atPeak.runner),
          worker: round(atPeak.worker),
          browser: round(atPeak.browser),
          site: round(atPeak.site),
        },
        samples,
        browsersLaunched: browsers.size,
        workersStarted: workers.size,
        cpuTicks: [...cpu.values()].reduce((sum, ticks) => sum + ticks, 0),
      };
    },
  };
}
