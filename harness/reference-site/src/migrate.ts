// Applies the SQL files of the database's dialect (migrations/ for PostgreSQL, migrations/sqlite/
// for SQLite: the same names, the same tables) in name order, each in its own transaction, once.
// Usage: DATABASE_URL=... node --import tsx harness/reference-site/src/migrate.ts
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { type Db, DatabaseUrlError, openDb } from './db/index.ts';
import { SITE_DIR, SettingsError, isMain, requireDatabaseUrl } from './settings.ts';

export const MIGRATIONS_DIR = path.join(SITE_DIR, 'migrations');

const MIGRATIONS_TABLE = `
  CREATE TABLE IF NOT EXISTS reference_site_migrations (
    name text PRIMARY KEY,
    applied_at timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP
  )`;

/** Applies pending migrations; returns the names applied (empty when up to date). */
export async function migrate(
  db: Db,
  log: (line: string) => void = (line) => console.log(line),
): Promise<string[]> {
  const folder = path.join(MIGRATIONS_DIR, db.migrationsFolder);
  const files = (await readdir(folder)).filter((file) => file.endsWith('.sql')).sort();
  // Read before the transactions: a transaction's body awaits nothing but the database.
  const scripts = new Map(
    await Promise.all(
      files.map(async (file) => [file, await readFile(path.join(folder, file), 'utf8')] as const),
    ),
  );
  const applied: string[] = [];
  let applying: string | undefined;
  for (;;) {
    applying = undefined;
    const name = await db
      .transaction(async (tx) => {
        await tx.query(tx.migrationLock);
        await tx.exec(MIGRATIONS_TABLE);
        const { rows } = await tx.query<{ name: string }>(
          'SELECT name FROM reference_site_migrations',
        );
        const done = new Set(rows.map((row) => row.name));
        const next = files.find((file) => !done.has(file.replace(/\.sql$/, '')));
        if (next === undefined) return undefined;
        applying = next.replace(/\.sql$/, '');
        await tx.exec(scripts.get(next)!);
        await tx.query('INSERT INTO reference_site_migrations (name) VALUES ($1)', [applying]);
        return applying;
      })
      .catch((error: unknown) => {
        // Which migration failed, for the line that says so (as Django's migrate names it).
        if (applying && error instanceof Error) Object.assign(error, { migration: applying });
        throw error;
      });
    if (name === undefined) break;
    log(`  Applying ${name}... OK`);
    applied.push(name);
  }
  return applied;
}

const RETRYABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  '57P03',
  '3D000',
  'SQLITE_BUSY',
]);

/** Waits (bounded) until the database accepts connections: it may still be starting. */
export async function waitForDatabase(
  db: Db,
  timeoutMs: number,
  log: (line: string) => void,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let said = false;
  for (;;) {
    try {
      await db.query('SELECT 1');
      return;
    } catch (error) {
      const code = (error as { code?: string }).code ?? '';
      if (!RETRYABLE.has(code) || Date.now() > deadline) throw error;
      if (!said) log(`superlists: waiting for the database (${code})...`);
      said = true;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

if (isMain(import.meta.url)) {
  let db: Db;
  try {
    db = await openDb(requireDatabaseUrl(), { max: 1 });
  } catch (error) {
    if (!(error instanceof SettingsError || error instanceof DatabaseUrlError)) throw error;
    process.stderr.write(`migrate: ${error.message}\n`);
    process.exit(2);
  }
  try {
    console.log('Running migrations:');
    const applied = await migrate(db);
    if (applied.length === 0) console.log('  No migrations to apply.');
  } catch (error) {
    process.stderr.write(`migrate: ${(error as Error).message}\n`);
    process.exitCode = 1;
  } finally {
    await db.end();
  }
}
