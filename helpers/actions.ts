/**
 * Runs a configured action (a deploy trigger or a release probe): a command over SSH, a local
 * command, or an HTTP call. The form comes from configuration; nothing about the site is assumed.
 */
import { spawn } from 'node:child_process';
import type { NodeSSH } from 'node-ssh';
import type { Action } from './config/index.ts';
import { ROOT } from './config/paths.ts';
import { type Answer, sendFollowing } from './http.ts';
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
    child.on('close', (code, signal) =>
      resolve({
        command,
        code,
        ...(signal ? { signal } : {}),
        stdout: stdout.trim(),
        stderr: stderr.trim(),
      }),
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
 * An `http:` action's request (helpers/http.ts, redirects followed as fetch would), sent again on
 * a fresh connection when a GET or HEAD meets a network hiccup: a server that is reloading closes
 * idle keep-alive connections, and a request sent on one just as it closes fails through no fault
 * of the site (browsers resend these too). The policy is helpers/retry.ts's.
 */
function sendResendingOnce(
  url: string,
  method: string,
  headers: Record<string, string> | undefined,
  timeoutMs: number | undefined,
): Promise<Answer> {
  return withRetries(
    (attempt) =>
      sendFollowing(url, {
        method,
        headers: attempt ? { ...headers, connection: 'close' } : headers,
        maxBodyBytes: 1_000_000,
        timeoutMs,
      }),
    { method, retries: 1 },
  );
}

/**
 * Runs `action` and returns its result; for http, `stdout` is the picked value (json path or
 * regex), `code` is 0 on a 2xx answer, and `timeoutMs` (none by default) bounds the request.
 * `ssh` is needed for ssh actions.
 */
export async function runAction(
  action: Action,
  options: {
    ssh?: () => Promise<NodeSSH>;
    headers?: Record<string, string>;
    stdin?: string;
    timeoutMs?: number;
  } = {},
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
        const answer = await sendResendingOnce(
          action.url,
          action.method,
          options.headers,
          options.timeoutMs,
        );
        const ok = answer.status >= 200 && answer.status < 300;
        return {
          command: label,
          code: ok ? 0 : answer.status,
          stdout: ok ? pick(answer.body, action.pick) : answer.body.slice(0, 2000),
          stderr: ok ? '' : `HTTP ${answer.status}`,
        };
      } catch (error) {
        const code = (error as { code?: string }).code;
        const line = firstLine(error);
        return {
          command: label,
          code: 1,
          stdout: '',
          stderr: code && !line.includes(code) ? `${line} (${code})` : line,
        };
      }
    }
  }
}

/** Lines that say why a command failed: Python's, Node's and Ansible's wording, and a command's own. */
const ERROR_LINE = /error\b|exception\b|fatal\b|failed\b/i;

/**
 * The line of a failed command's output that says why (`...IntegrityError: ...` at the end of a
 * Django traceback): the last line naming an error, in stderr then stdout, else the last line.
 */
export function errorLine(result: CommandResult): string {
  const lines = [result.stderr, result.stdout].map((text) =>
    text
      .split('\n')
      .map((line) => line.trim())
      .filter(Boolean),
  );
  const named = lines.map((some) => some.findLast((line) => ERROR_LINE.test(line)));
  return named[0] ?? named[1] ?? lines[0]!.at(-1) ?? lines[1]!.at(-1) ?? '(no output)';
}

/** One block of text for a report: the command, its exit status and its output. */
export function describeResult(result: CommandResult): string {
  const status = result.signal ? `killed by ${result.signal}` : `exit ${result.code}`;
  return [`$ ${result.command}`, status, result.stdout, result.stderr].filter(Boolean).join('\n');
}
