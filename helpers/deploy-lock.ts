/**
 * One deploy at a time per target: the deploy spec and the rollback drill each hold this lock for
 * their whole test (another deploy in the middle of a drill would be a release the drill never
 * made). Held by a `flock` child process: taken when it prints, released when its stdin closes or
 * the worker dies, so a crashed test never leaves it taken. No polling.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Waits until this process holds the deploy lock of the site at `url`; returns its release. */
export function holdDeployLock(url: string): Promise<() => void> {
  const name = createHash('sha256').update(url).digest('hex').slice(0, 12);
  const file = path.join(tmpdir(), `superlists-deploy-${name}.lock`);
  const child = spawn('flock', [file, '-c', 'echo held; read _'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('error', (error) =>
      reject(
        new Error(`cannot take the deploy lock ${file} (flock, util-linux): ${error.message}`),
      ),
    );
    child.stdout.once('data', () => resolve(() => child.stdin.end()));
  });
}
