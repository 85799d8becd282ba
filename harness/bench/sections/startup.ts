/**
 * The startup section: `npx playwright --version`, the floor under every command the bench runs,
 * and the same without npx.
 */
import path from 'node:path';
import { baseEnv, exec, type Exec } from '../exec.ts';
import { say, slim, table } from '../output.ts';
import { state } from '../state.ts';
import { med, median, seconds } from '../stats.ts';

/** The startup runs, by way of starting the CLI. */
export interface StartupFigures {
  npx: Exec[];
  direct: Exec[];
}

/** The floor under every command: starting Playwright's CLI through npx, and directly. */
export async function benchStartup(runs: number): Promise<StartupFigures> {
  say('Startup floor (npx playwright --version; node_modules/.bin/playwright --version)');
  const figures: StartupFigures = { npx: [], direct: [] };
  for (let r = 1; r <= runs && !state.interrupted; r++) {
    for (const [name, command] of [
      ['npx', ['npx', 'playwright', '--version']],
      ['direct', [path.join('node_modules', '.bin', 'playwright'), '--version']],
    ] as const) {
      const run = await exec(`startup-${name}-${r}`, [...command], baseEnv());
      say(
        `  ${run.label.padEnd(34)} ${seconds(run.wallMs, 2).padStart(6)} s wall, exit ${run.code}, others' CPU ${run.othersCpu.toFixed(0)} %`,
      );
      figures[name].push(run);
    }
  }
  return figures;
}

/** Prints the startup table; returns its medians for reports/bench.json. */
export function printStartup(startup: StartupFigures) {
  say('Startup floor');
  table([
    ['', 'wall'],
    ['npx playwright --version', med(startup.npx.map((r) => r.wallMs))],
    ['node_modules/.bin/playwright --version', med(startup.direct.map((r) => r.wallMs))],
  ]);
  say();
  return {
    npxMs: median(startup.npx.map((r) => r.wallMs)),
    directMs: median(startup.direct.map((r) => r.wallMs)),
  };
}

/** The startup runs for reports/bench.json. */
export function rawStartup(startup: StartupFigures) {
  return { npx: startup.npx.map(slim), direct: startup.direct.map(slim) };
}
