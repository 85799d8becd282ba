/** The safety rules for writes and redeploys, shared by the test guard and preflight. */
import type { TargetSettings } from './config/index.ts';

/**
 * Why a test tagged `tags` must not run against `target` (it would redeploy a target that does
 * not allow it, or write to a read-only one), or undefined when it may run.
 */
export function refusalFor(target: TargetSettings, tags: readonly string[]): string | undefined {
  const variable = target.name.toUpperCase();
  if (tags.includes('@deploy') && !target.allowDeploy) {
    return `redeploys ${target.name}, which does not allow it (a person may set ${variable}_ALLOW_DEPLOY=true)`;
  }
  if (tags.includes('@writes') && target.readOnly) {
    return `writes data to ${target.name}, which is read-only (a person may set ${variable}_ALLOW_WRITES=true)`;
  }
  return undefined;
}

/** The methods a read-only target may receive: they read, never write. */
const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Whether a request with `method` may write (anything but GET, HEAD and OPTIONS). */
export function isWrite(method: string): boolean {
  return !READ_METHODS.has(method.toUpperCase());
}
