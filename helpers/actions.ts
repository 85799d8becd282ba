/**
 * Runs a configured action (a deploy trigger or a release probe): a command over SSH, a local
 * command, or an HTTP call. The form comes from configuration; nothing about the site is assumed.
 */
import { spawn } from 'node:child_process';
import type { NodeSSH } from 'node-ssh';
import type { Action } from './config/index.ts';
import { ROOT } from './config/paths.ts';
import { withRetries } from './retry.ts';
import { runRemote, type CommandResult } from './ssh.ts';
import { firstLine } from './errors.ts';

/** Runs `command` in a local shell from the repository root (env: this process's by default). */
export function runLocal(
  command: string,
  env?: NodeJS.ProcessEnv,
  stdin?: string,
): Promise<CommandResult> {
  return new Promise((resolve) => {
    const child = spawn(command, {
      shell: true,
      cwd: ROOT,
      env,
      stdio: [stdin === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    child.stdin?.on('error', () => undefined); // a command that exits early: its close says why
    child.stdin?.end(stdin);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', (error) =>
      resolve({ command, code: 127, stdout, stderr: stderr + error.message }),
    );
    child.on('close', (code) =>
      resolve({ command, code, stdout: stdout.trim(), stderr: stderr.trim() }),
    );
  });
}

function pick(body: string, how: { json?: string; regex?: string } | undefined): string {
  if (how?.json) {
    let value: unknown = JSON.parse(body);
    for (const key of how.json.split('.'))
      value = (value as Record<string, unknown> | undefined)?.[key];
    if (typeof value === 'string') return value;
    return value === undefined || value === null ? '' : JSON.stringify(value);
  }
  if (how?.regex) {
    const match = new RegExp(how.regex).exec(body);
    return match ? (match[1] ?? match[0]) : '';
  }
  return body.trim();
}

export { firstLine };

/**
 * What a release probe's result says: the release it printed, or what is wrong with it
 * (`failed with exit N: <stderr>`, `printed nothing`).
 */
export function releaseFrom(result: CommandResult): { release: string } | { problem: string } {
  if (result.code !== 0) {
    return {
      problem: `failed with exit ${result.code}${result.stderr ? `: ${result.stderr}` : ''}`,
    };
  }
  const release = result.stdout.trim();
  return release ? { release } : { problem: 'printed nothing' };
}

/**
 * fetch(), sent again on a fresh connection when a GET or HEAD meets a network hiccup: a server
 * that is reloading closes idle keep-alive connections, and a request sent on one just as it
 * closes fails through no fault of the site (browsers resend these too). The policy is
 * helpers/retry.ts's.
 */
function fetchResendingOnce(
  url: string,
  method: string,
  headers: Record<string, string> | undefined,
): Promise<Response> {
  return withRetries(
    (attempt) =>
      fetch(url, { method, headers: attempt ? { ...headers, connection: 'close' } : headers }),
    { method, retries: 1 },
  );
}

/**
 * Runs `action` and returns its result; for http, `stdout` is the picked value (json path or
 * regex) and `code` is 0 on a 2xx answer. `ssh` is needed for ssh actions.
 */
export async function runAction(
  action: Action,
  options: { ssh?: () => Promise<NodeSSH>; headers?: Record<string, string>; stdin?: string } = {},
): Promise<CommandResult> {
  switch (action.kind) {
    case 'cmd':
      return runLocal(action.command, undefined, options.stdin);
    case 'ssh': {
      if (!options.ssh)
        throw new Error(`"ssh:${action.command}" needs the target's *_SSH settings`);
      return runRemote(await options.ssh(), action.command, options.stdin);
    }
    case 'http': {
      const label = `${action.method} ${action.url}`;
      try {
        const response = await fetchResendingOnce(action.url, action.method, options.headers);
        const body = await response.text();
        return {
          command: label,
          code: response.ok ? 0 : response.status,
          stdout: response.ok ? pick(body, action.pick) : body.slice(0, 2000),
          stderr: response.ok ? '' : `HTTP ${response.status}`,
        };
      } catch (error) {
        // fetch() says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND...) is its cause.
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        const why = cause?.code ?? cause?.message;
        return {
          command: label,
          code: 1,
          stdout: '',
          stderr: `${firstLine(error)}${why ? ` (${why})` : ''}`,
        };
      }
    }
  }
}

/** One block of text for a report: the command, its exit status and its output. */
export function describeResult(result: CommandResult): string {
  return [`$ ${result.command}`, `exit ${result.code}`, result.stdout, result.stderr]
    .filter(Boolean)
    .join('\n');
}
