/**
 * The SQLite adapter: `sqlite:////absolute/path/db.sqlite3` (dj-database-url's form, as the book's
 * third edition writes it). Without <TARGET>_DATABASE_COMMAND the file is on this machine and
 * better-sqlite3 opens it; with one, the file is on the server (./sqlite-command.ts).
 */
import type { Adapter, Connection, Row } from './connection.ts';
import { resolveParams } from './connection.ts';
import { firstLine } from '../errors.ts';

/** The file a sqlite: URL names, or undefined unless it is sqlite:////absolute/path. */
export function sqliteFile(url: string): string | undefined {
  const match = /^sqlite:\/\/(\/\/[^?#]+)$/i.exec(url);
  return match ? decodeURIComponent(match[1]!.slice(1)) : undefined;
}

/** One line for a SQLite failure, the same whether better-sqlite3 or Python's sqlite3 said it. */
export function explainSqlite(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/no such table/i.test(message))
    return "it has no lists_item table: is it the site's database, migrated?";
  if (/readonly|read-only/i.test(message))
    return 'the database refused a write: the target is read-only (opened with mode=ro)';
  if (/unable to open|cannot open|SQLITE_CANTOPEN/i.test(message))
    return 'cannot open the database file (check the path and its permissions)';
  if (/locked|busy/i.test(message)) return 'the database stayed locked for 5 s (another writer)';
  return firstLine(message);
}

export const sqlite: Adapter = {
  example: 'sqlite:////absolute/path/db.sqlite3',
  takesCommand: true,
  check: (url, variable, how) => {
    const file = sqliteFile(url);
    if (!file)
      return `${variable} must be sqlite:////absolute/path/db.sqlite3 (four slashes: an absolute path)`;
    if (!how.command && !how.exists(file))
      return `${variable}: no such file ${file} (a database on the server needs the target's DATABASE_COMMAND)`;
    return undefined;
  },
  open: async (source): Promise<Connection> => {
    const file = sqliteFile(source.url)!;
    if (source.command) {
      const { sqliteOverCommand } = await import('./sqlite-command.ts');
      return sqliteOverCommand(file, source);
    }
    const { default: Sqlite } = await import('better-sqlite3');
    const db = new Sqlite(file, { readonly: source.readOnly, fileMustExist: true, timeout: 5_000 });
    db.pragma('foreign_keys = ON');
    return {
      run: (steps, { write }) =>
        new Promise((resolve) => {
          const results: Row[][] = [];
          db.transaction(() => {
            for (const step of steps) {
              const statement = db.prepare(step.sql);
              const params = resolveParams(step.params, results);
              if (statement.reader) results.push(statement.all(...params) as Row[]);
              else results.push((statement.run(...params), []));
            }
          })[write ? 'immediate' : 'deferred']();
          resolve(results);
        }),
      explain: explainSqlite,
      close: () => new Promise((resolve) => resolve(void db.close())),
    };
  },
};
