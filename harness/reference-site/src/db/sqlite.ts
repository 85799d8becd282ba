// The site's database on SQLite (better-sqlite3): one connection per process, as Django's. SQLite
// locks the file itself, so the supervisor's workers, create-session and a test's seeder can share
// it; a writer waits up to 5 s for another's lock (busy_timeout) instead of failing at once.
// better-sqlite3 is synchronous: a transaction whose body awaits only this Db runs to its end
// before any other request's query, so BEGIN ... COMMIT never takes in a stranger's statement.
import Database from 'better-sqlite3';
import type { Db, Rows } from './index.ts';

/** `$1`, `$2`... (pg's placeholders) as the positional `?` SQLite binds, with the values in order. */
function positional(sql: string, params: unknown[]): { text: string; values: unknown[] } {
  const values: unknown[] = [];
  const text = sql.replace(/\$(\d+)/g, (_match, index: string) => {
    values.push(params[Number(index) - 1]);
    return '?';
  });
  return { text, values };
}

/** `run()` as a promise (a throw becomes a rejection), for the Db interface's async methods. */
const settled = <T>(run: () => T): Promise<T> => new Promise((resolve) => resolve(run()));

export function openSqlite(file: string): Db {
  const connection = new Database(file, { timeout: 5_000 });
  connection.pragma('foreign_keys = ON');
  const db: Db = {
    kind: 'sqlite',
    query: <T>(sql: string, params: unknown[] = []): Promise<Rows<T>> =>
      settled(() => {
        const { text, values } = positional(sql, params);
        const statement = connection.prepare(text);
        if (statement.reader) {
          const rows = statement.all(...values) as T[];
          return { rows, rowCount: rows.length };
        }
        return { rows: [], rowCount: statement.run(...values).changes };
      }),
    exec: (script) => settled(() => void connection.exec(script)),
    transaction: async (body) => {
      connection.exec('BEGIN IMMEDIATE');
      try {
        const result = await body(db);
        connection.exec('COMMIT');
        return result;
      } catch (error) {
        if (connection.inTransaction) connection.exec('ROLLBACK');
        throw error;
      }
    },
    violation: (error) => {
      const code = (error as { code?: string }).code;
      return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
        ? 'unique'
        : code === 'SQLITE_CONSTRAINT_FOREIGNKEY'
          ? 'foreign-key'
          : undefined;
    },
    migrationLock: 'SELECT 1',
    migrationsFolder: 'sqlite',
    end: () => settled(() => void connection.close()),
  };
  return db;
}
