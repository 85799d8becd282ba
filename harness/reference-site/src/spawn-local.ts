// The built-in site as a child process, for the harness tools that need one of their own.
import { spawn } from 'node:child_process';
import { freePort } from './free-port.ts';

/** A running built-in site: its address, and how to stop it. */
export interface SpawnedSite {
  url: URL;
  stop: () => Promise<void>;
}

/** Starts the built-in site with its own data folder on a free port; resolves once it is ready. */
export async function spawnLocalSite(root: string, dataDir: string): Promise<SpawnedSite> {
  const child = spawn('node', ['--import', 'tsx', 'harness/reference-site/src/local.ts'], {
    cwd: root,
    env: { ...process.env, PORT: String(await freePort()), SUPERLISTS_LOCAL_DATA: dataDir },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      if (child.exitCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  return new Promise((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      const ready = /ready at (http:\/\/\S+)/.exec(chunk.toString());
      if (ready) resolve({ url: new URL(ready[1]!), stop });
    });
    child.once('exit', (code) => reject(new Error(`the built-in site exited (${code})`)));
  });
}
