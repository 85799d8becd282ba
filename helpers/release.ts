/**
 * The live release of a target, read with its release probe (`<TARGET>_RELEASE_PROBE`), and the
 * bounded wait for the release a run is meant to test (`<TARGET>_EXPECT_RELEASE`): a gate started
 * as the deploy ends must not test the release before it.
 */
import { releaseFrom, runAction } from './actions.ts';
import { firstLine } from './errors.ts';
import type { TargetSettings } from './config/index.ts';
import { connectSsh } from './ssh.ts';

/** A release as read: the release, or why there is none. */
export interface ReleaseRead {
  release: string | null;
  releaseError?: string;
}

/** Reads `target`'s live release once (its own SSH connection, closed after). Never throws. */
export async function readRelease(target: TargetSettings): Promise<ReleaseRead> {
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

/** Pause between two reads of the release probe while waiting: short at first, then every 5 s. */
const POLL_INTERVALS_MS = [500, 1_000, 2_000, 5_000];

/**
 * Waits until `target`'s release probe names `target.expectRelease`, reading it again and again
 * for at most `timeoutMs`; returns undefined once it does (or when nothing is expected), else the
 * one line saying which release it found instead and which setting to change.
 */
export async function waitForRelease(
  target: TargetSettings,
  timeoutMs: number,
  read: (target: TargetSettings) => Promise<ReleaseRead> = readRelease,
): Promise<string | undefined> {
  const expected = target.expectRelease;
  if (!expected) return undefined;
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 0; ; attempt++) {
    const last = await read(target);
    if (last.release === expected) return undefined;
    const left = deadline - Date.now();
    if (left <= 0) {
      const found = last.release ?? `no release (${last.releaseError ?? 'unknown'})`;
      return `${target.name} still runs ${found} after ${Math.round(timeoutMs / 1000)} s, not ${target.name.toUpperCase()}_EXPECT_RELEASE=${expected}: the deploy did not make it live (EXPECT_RELEASE_TIMEOUT_MS sets the wait)`;
    }
    const pause = Math.min(
      left,
      POLL_INTERVALS_MS[Math.min(attempt, POLL_INTERVALS_MS.length - 1)]!,
    );
    await new Promise((resolve) => setTimeout(resolve, pause));
  }
}
