// The site's database behind one small interface, with two implementations chosen by
// DATABASE_URL's scheme: postgres:// (pg) and sqlite:////absolute/path (better-sqlite3), as
// dj-database-url reads them (four slashes: an absolute path; three: relative to the cwd).
// Queries are written once with $1, $2... placeholders in SQL both dialects accept.

export interface Rows<T> {
  rows: T[];
  /** Rows returned, or changed by an INSERT/UPDATE/DELETE without RETURNING. */
  rowCount: number;
}

export interface Db {
  readonly kind: 'postgres' | 'sqlite';
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<Rows<T>>;
  /** Runs several statements of SQL text (a migration file), no parameters. */
  exec(script: string): Promise<void>;
  /** Runs `body` in one transaction on one connection; rolls back when it throws. */
  transaction<T>(body: (tx: Db) => Promise<T>): Promise<T>;
  /** What a failed write means, in both dialects' terms. */
  violation(error: unknown): 'unique' | 'foreign-key' | undefined;
  /** SQL that serialises migrators inside a migration transaction (none for SQLite: BEGIN IMMEDIATE does). */
  readonly migrationLock: string;
  /** The folder (under migrations/) holding this dialect's migration files. */
  readonly migrationsFolder: string;
  end(): Promise<void>;
}

export class DatabaseUrlError extends Error {}

/** The file a sqlite: URL names, as dj-database-url reads it; throws DatabaseUrlError otherwise. */
export function sqlitePath(url: string): string {
  const rest = url.slice('sqlite://'.length);
  if (!url.startsWith('sqlite:///') || rest.length < 2)
    throw new DatabaseUrlError(
      'a SQLite DATABASE_URL is sqlite:////absolute/path/db.sqlite3 (four slashes for an absolute path)',
    );
  return decodeURIComponent(rest.slice(1));
}

/** Opens the database DATABASE_URL names (the driver is loaded only for its scheme). */
export async function openDb(url: string, options: { max?: number } = {}): Promise<Db> {
  if (url.startsWith('sqlite:')) {
    const { openSqlite } = await import('./sqlite.ts');
    return openSqlite(sqlitePath(url));
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    const { openPostgres } = await import('./postgres.ts');
    return openPostgres(url, options.max ?? 5);
  }
  throw new DatabaseUrlError(
    'DATABASE_URL must be postgres://user:password@host:5432/db or sqlite:////absolute/path/db.sqlite3',
  );
}
