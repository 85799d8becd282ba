// Applies the SQL files in migrations/ in name order, each in its own transaction, once.
// Usage: DATABASE_URL=... node --import tsx harness/reference-site/src/migrate.ts
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { SITE_DIR, SettingsError, isMain, requireDatabaseUrl } from './settings.ts';

export const MIGRATIONS_DIR = path.join(SITE_DIR, 'migrations');
/** pg_advisory_xact_lock key: two processes migrating at once take turns. */
const LOCK_KEY = 7_305_117_001;

const LOCK_AND_LIST = `
  SELECT pg_advisory_xact_lock(${LOCK_KEY});
  CREATE TABLE IF NOT EXISTS reference_site_migrations (
    name text PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now()
  );
  SELECT name FROM reference_site_migrations;`;

async function lockedNames(client: pg.PoolClient): Promise<Set<string>> {
  const results = (await client.query(LOCK_AND_LIST)) as unknown as pg.QueryResult<{
    name: string;
  }>[];
  const last = results[results.length - 1];
  return new Set((last?.rows ?? []).map((row) => row.name));
}

/** Applies pending migrations; returns the names applied (empty when up to date). */
export async function migrate(
  pool: pg.Pool,
  log: (line: string) => void = (line) => console.log(line),
): Promise<string[]> {
  const files = (await readdir(MIGRATIONS_DIR)).filter((file) => file.endsWith('.sql')).sort();
  const applied: string[] = [];
  const client = await pool.connect();
  try {
    for (;;) {
      await client.query('BEGIN');
      try {
        const done = await lockedNames(client);
        const next = files.find((file) => !done.has(file.replace(/\.sql$/, '')));
        if (next === undefined) {
          await client.query('COMMIT');
          break;
        }
        const name = next.replace(/\.sql$/, '');
        await client.query(await readFile(path.join(MIGRATIONS_DIR, next), 'utf8'));
        await client.query('INSERT INTO reference_site_migrations (name) VALUES ($1)', [name]);
        await client.query('COMMIT');
        log(`  Applying ${name}... OK`);
        applied.push(name);
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    }
  } finally {
    client.release();
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
]);

/** Waits (bounded) until the database accepts connections: it may still be starting. */
export async function waitForDatabase(
  pool: pg.Pool,
  timeoutMs: number,
  log: (line: string) => void,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let said = false;
  for (;;) {
    try {
      await pool.query('SELECT 1');
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
  let url: string;
  try {
    url = requireDatabaseUrl();
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    process.stderr.write(`migrate: ${error.message}\n`);
    process.exit(2);
  }
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  try {
    console.log('Running migrations:');
    const applied = await migrate(pool);
    if (applied.length === 0) console.log('  No migrations to apply.');
  } catch (error) {
    process.stderr.write(`migrate: ${(error as Error).message}\n`);
    process.exitCode = 1;
  } finally {
    await pool.end();
  }
}
