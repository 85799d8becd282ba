/** The PostgreSQL adapter (pg): a small pool; a read-only target's sessions are read-only. */
import type pg from 'pg';
import { networkReason } from '../errors.ts';
import { resolveParams, type Adapter, type Connection, type Row } from './connection.ts';

const REASONS: Record<string, string> = {
  '28P01': 'password authentication failed (check the password)',
  '28000': 'the server refuses this user (check the user name and pg_hba.conf)',
  '3D000': 'no such database (check the database name)',
  '42P01': "it has no lists_item table: is it the site's database, migrated?",
  '25006': 'the database refused a write: the target is read-only',
};

/** `?` placeholders as pg's `$1`, `$2`... */
const numbered = (sql: string) => {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
};

export const postgres: Adapter = {
  example: 'postgres://user:password@host:port/db',
  takesCommand: false,
  check: (url, variable) => {
    try {
      if (new URL(url).hostname) return undefined;
    } catch {
      // below
    }
    return `${variable} is not a postgres:// URL (postgres://user:password@host:port/db)`;
  },
  open: async (source): Promise<Connection> => {
    const { default: pgModule } = await import('pg'); // only in workers that use a database
    const pool: pg.Pool = new pgModule.Pool({
      connectionString: source.url,
      max: 2,
      connectionTimeoutMillis: 5_000,
      // A read-only target: every transaction is READ ONLY, PostgreSQL refuses writes (25006).
      ...(source.readOnly ? { options: '-c default_transaction_read_only=on' } : {}),
    });
    pool.on('error', () => undefined);
    return {
      run: async (steps) => {
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          const results: Row[][] = [];
          for (const step of steps) {
            const { rows } = await client.query<Row>(
              numbered(step.sql),
              resolveParams(step.params, results),
            );
            results.push(rows);
          }
          await client.query('COMMIT');
          return results;
        } catch (error) {
          await client.query('ROLLBACK').catch(() => undefined);
          throw error;
        } finally {
          client.release();
        }
      },
      explain: (error) => REASONS[(error as { code?: string }).code ?? ''] ?? networkReason(error),
      close: () => pool.end(),
    };
  },
};
