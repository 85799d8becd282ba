// The site's database on PostgreSQL (pg): a pool; transactions take one client.
import pg from 'pg';
import type { Db, Rows } from './index.ts';

/** pg_advisory_xact_lock key: two processes migrating at once take turns. */
const LOCK_KEY = 7_305_117_001;

type Queryable = Pick<pg.Pool, 'query'>;

function wrap(queryable: Queryable, parts: Pick<Db, 'transaction' | 'end'>): Db {
  return {
    kind: 'postgres',
    query: async <T>(sql: string, params: unknown[] = []): Promise<Rows<T>> => {
      const result = await queryable.query(sql, params);
      return { rows: result.rows as T[], rowCount: result.rowCount ?? 0 };
    },
    exec: async (script) => {
      await queryable.query(script);
    },
    violation: (error) => {
      const code = (error as { code?: string }).code;
      return code === '23505' ? 'unique' : code === '23503' ? 'foreign-key' : undefined;
    },
    migrationLock: `SELECT pg_advisory_xact_lock(${LOCK_KEY})`,
    migrationsFolder: '.',
    ...parts,
  };
}

export function openPostgres(url: string, max: number): Db {
  const pool = new pg.Pool({ connectionString: url, max, idleTimeoutMillis: 30_000 });
  pool.on('error', (error) =>
    console.error(`superlists: idle database connection failed: ${error.message}`),
  );
  return wrap(pool, {
    transaction: async (body) => {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const tx = wrap(client, {
          transaction: (inner) => inner(tx),
          end: () => Promise.resolve(),
        });
        const result = await body(tx);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      } finally {
        client.release();
      }
    },
    end: () => pool.end(),
  });
}
