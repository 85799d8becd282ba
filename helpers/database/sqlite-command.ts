/**
 * SQLite on the server, where there may be no sqlite3 command but there is Python (the book's
 * image has /venv/bin/python): each batch is ./sqlite-runner.py plus one line naming the batch,
 * sent on stdin to the command <TARGET>_DATABASE_COMMAND names (`ssh:docker exec -i superlists
 * /venv/bin/python -`, or `cmd:python3 -` for a file on this machine); it prints one line of JSON.
 */
import { readFileSync } from 'node:fs';
import { runAction } from '../actions.ts';
import { firstLine } from '../errors.ts';
import type { Connection, DatabaseSource, Row } from './connection.ts';
import { explainSqlite } from './sqlite.ts';

const RUNNER = readFileSync(new URL('./sqlite-runner.py', import.meta.url), 'utf8');

/** A failure the command reported (not SQLite's): explained as it is. */
class CommandFailed extends Error {}

export function sqliteOverCommand(file: string, source: DatabaseSource): Connection {
  const command = source.command!;
  return {
    run: async (steps, { write }) => {
      const batch = { path: file, readOnly: source.readOnly, write, steps };
      const encoded = Buffer.from(JSON.stringify(batch)).toString('base64');
      const result = await runAction(command, {
        ssh: source.ssh,
        stdin: `${RUNNER}\nmain("${encoded}")\n`,
      });
      const last = result.stdout.trim().split('\n').pop() ?? '';
      let answer: { ok: boolean; results?: Row[][]; error?: string } | undefined;
      try {
        answer = JSON.parse(last) as typeof answer;
      } catch {
        answer = undefined;
      }
      if (!answer) {
        const why = firstLine(result.stderr || result.stdout || 'printed nothing');
        throw new CommandFailed(
          `${command.kind}:${command.command} (exit ${result.code}) did not run the SQLite program: ${why}`,
        );
      }
      if (!answer.ok) throw new Error(answer.error ?? 'failed');
      return answer.results ?? [];
    },
    explain: (error) => (error instanceof CommandFailed ? error.message : explainSqlite(error)),
    close: () => Promise.resolve(),
  };
}
