/**
 * The target's logs behind one interface, for the evidence a failing test gets: files on the
 * server tailed over SSH (`<TARGET>_LOGS=/path/a.log,/path/b.log`), or a command that prints the
 * lines written since a moment (`<TARGET>_LOGS=ssh:docker logs --since {since} superlists`, the
 * book's third edition). A new kind is one function returning a {@link LogSource} plus one row of
 * {@link LOG_SOURCES}.
 */
import type { NodeSSH } from 'node-ssh';
import { runAction } from './actions.ts';
import type { CommandAction, TargetSettings } from './config/index.ts';
import { runRemote } from './ssh.ts';

/** Lines a log received, named for the attachment. */
export interface LogExcerpt {
  name: string;
  text: string;
}

export interface LogSource {
  /** Notes where each log stands now (when a test starts); resolves undefined if it cannot. */
  mark(): Promise<unknown>;
  /** What each log received since `mark` (at most 200 lines each), empty logs left out. */
  since(mark: unknown): Promise<LogExcerpt[]>;
}

/** A shell-quoted word. */
const quote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;
const MAX_LINES = 200;

/** Log files on the server: their sizes at the mark, the bytes after them at the end. */
function files(paths: readonly string[], ssh: () => Promise<NodeSSH>): LogSource {
  const run = async (command: string) => runRemote(await ssh(), command);
  return {
    mark: () =>
      run(paths.map((file) => `stat -c %s ${quote(file)} 2>/dev/null || echo 0`).join('; ')).then(
        (result) => result.stdout.split('\n').map(Number),
      ),
    since: async (mark) => {
      const sizes = mark as number[];
      const excerpts: LogExcerpt[] = [];
      for (const [index, file] of paths.entries()) {
        const from = (sizes[index] ?? 0) + 1;
        const result = await run(`tail -c +${from} ${quote(file)} | tail -n ${MAX_LINES}`);
        if (result.stdout) excerpts.push({ name: file, text: result.stdout });
      }
      return excerpts;
    },
  };
}

/**
 * A command printing the log since `{since}` (the server's clock at the mark, RFC 3339 UTC, as
 * `docker logs --since` and `journalctl --since` take it); its stdout and stderr both count
 * (`docker logs` replays the container's stderr on its own).
 */
function command(action: CommandAction, ssh: (() => Promise<NodeSSH>) | undefined): LogSource {
  const clock = { kind: action.kind, command: 'date -u +%Y-%m-%dT%H:%M:%SZ' };
  return {
    mark: () => runAction(clock, { ssh }).then((result) => result.stdout.trim()),
    since: async (mark) => {
      const run = { ...action, command: action.command.replaceAll('{since}', String(mark)) };
      const result = await runAction(run, { ssh });
      const text = [result.stdout, result.stderr]
        .filter(Boolean)
        .join('\n')
        .split('\n')
        .slice(-MAX_LINES)
        .join('\n');
      return text.trim() ? [{ name: `${action.kind}:${action.command}`, text }] : [];
    },
  };
}

/** Which source a target's settings give, in order; undefined when it has none. */
const LOG_SOURCES: ((
  target: TargetSettings,
  ssh: (() => Promise<NodeSSH>) | undefined,
) => LogSource | undefined)[] = [
  (target, ssh) => (target.logsCommand ? command(target.logsCommand, ssh) : undefined),
  (target, ssh) => (ssh && target.logs.length > 0 ? files(target.logs, ssh) : undefined),
];

/** The target's log source, or undefined when it has none (or files without SSH). */
export function logSourceOf(
  target: TargetSettings,
  ssh: (() => Promise<NodeSSH>) | undefined,
): LogSource | undefined {
  for (const make of LOG_SOURCES) {
    const source = make(target, ssh);
    if (source) return source;
  }
  return undefined;
}
