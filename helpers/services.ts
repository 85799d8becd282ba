/**
 * The services a test may need besides the site (SSH, the deploy command and the release probe;
 * the database: helpers/database), checked read-only the first time a test asks for one (worker fixtures in
 * fixtures/): a problem is one line, with the same wording preflight used, never a secret.
 */
import type { NodeSSH } from 'node-ssh';
import { releaseFrom, runAction, runLocal } from './actions.ts';
import { firstLine } from './errors.ts';
import type { Action, TargetSettings } from './config/index.ts';
import { readFact, writeFact } from './run-facts.ts';
import { runRemote } from './ssh.ts';

/** A service that cannot be used: its message is the one line the report shows, with no stack. */
export class ServiceUnavailable extends Error {
  override name = 'ServiceUnavailable';
  constructor(line: string) {
    super(line);
    // The line says it all: where in the suite's code it was noticed would only hide it.
    this.stack = line;
  }
}

/** A service opened once, on first use; later users get the same value, or at once the same failure. */
export interface Service<T> {
  /** The service, opened on the first call; throws {@link ServiceUnavailable} when it cannot be. */
  get: () => Promise<T>;
  /** The service if it was opened, for clean-up. */
  opened: () => Promise<T | undefined>;
}

/**
 * Wraps `open` (which may throw anything) as a {@link Service} whose failure is one cached line.
 * With `cache` (a run fact's name: see helpers/run-facts.ts) the line is cached for the whole run,
 * not just the worker: Playwright replaces a worker after a failed test, and the next worker's
 * tests must fail at once with the same line too.
 */
export function lazyService<T>(
  open: () => Promise<T>,
  cache?: { runId: string; name: string },
): Service<T> {
  let opening: Promise<T> | undefined;
  let failure: string | undefined;
  return {
    get: async () => {
      failure ??= cache && readFact<{ failure: string }>(cache.runId, cache.name)?.failure;
      if (failure !== undefined) throw new ServiceUnavailable(failure);
      opening ??= open();
      try {
        return await opening;
      } catch (error) {
        failure ??= firstLine(error);
        if (cache) writeFact(cache.runId, cache.name, { failure });
        throw new ServiceUnavailable(failure);
      }
    },
    opened: async () => (opening ? await opening.catch(() => undefined) : undefined),
  };
}

/** The program an action's command starts (its first word), for a "command not found" check. */
function programOf(action: Action): string | undefined {
  if (action.kind === 'http') return undefined;
  const first = action.command.trim().split(/\s+/)[0] ?? '';
  return /^[\w./-]+$/.test(first) ? first : undefined; // skip shell syntax we cannot judge
}

/**
 * Checks, read-only, `deploy` (its program exists) and `releaseProbe` (it prints a release) of
 * `target`; one line per problem. `ssh` opens the target's SSH connection (for ssh: actions).
 */
export async function checkDeploy(
  target: TargetSettings,
  deploy: Action,
  releaseProbe: Action,
  ssh: (() => Promise<NodeSSH>) | undefined,
): Promise<string | undefined> {
  const variable = target.name.toUpperCase();
  const program = programOf(deploy);
  if (program) {
    const probe = `command -v '${program}' >/dev/null 2>&1`;
    if (deploy.kind === 'ssh' && !ssh)
      return `${variable}_DEPLOY runs over SSH: set ${variable}_SSH`;
    const found =
      deploy.kind === 'ssh' && ssh ? await runRemote(await ssh(), probe) : await runLocal(probe);
    if (found.code !== 0) {
      const where =
        deploy.kind === 'ssh' && target.ssh ? ` on ${target.ssh.user}@${target.ssh.host}` : '';
      return `${variable}_DEPLOY: command not found${where}: ${program}`;
    }
  }
  const probe = await runAction(releaseProbe, { ssh });
  const read = releaseFrom(probe);
  if ('release' in read) return undefined;
  const hint =
    read.problem === 'printed nothing'
      ? ': it must print the live release (a commit, a tag, a build id)'
      : '';
  return `${variable}_RELEASE_PROBE (${probe.command}) ${firstLine(read.problem)}${hint}`;
}
