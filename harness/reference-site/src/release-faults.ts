// What a release does to its database around `migrate`, for the deploy-process faults (issue 25):
// a database as a release before the unique item constraint left it, and a rollback that restores
// the snapshot taken before the deploy. Healthy releases do nothing here.
import type { Db } from './db/index.ts';
import type { FaultName } from './faults.ts';

const UNIQUE_MIGRATION = '0002_item_unique_per_list';
const UNIQUE_NAME = 'lists_item_list_id_text_uniq';

/** How this worker was started by the launcher (local.ts): its release number, rollback, snapshot. */
export interface ReleaseStart {
  number: number;
  rollback: boolean;
  snapshot: boolean;
}

/** Reads {@link ReleaseStart} from the worker's environment (local.ts sets it). */
export function releaseStart(env: NodeJS.ProcessEnv): ReleaseStart {
  return {
    number: Number(env.SUPERLISTS_RELEASE_NUMBER ?? 1),
    rollback: env.SUPERLISTS_ROLLBACK === '1',
    snapshot: env.SUPERLISTS_SNAPSHOT === 'take',
  };
}

/** Before `migrate`: the snapshot a later rollback restores (rollback-restores-snapshot). */
export async function beforeMigrate(
  db: Db,
  faults: ReadonlySet<FaultName>,
  start: ReleaseStart,
): Promise<void> {
  if (!faults.has('rollback-restores-snapshot')) return;
  if (start.snapshot) {
    await db.transaction(async (tx) => {
      await tx.exec(
        'CREATE TABLE IF NOT EXISTS reference_site_snapshot (name text PRIMARY KEY, max_id integer NOT NULL)',
      );
      await tx.query('DELETE FROM reference_site_snapshot');
      for (const table of ['lists_list', 'lists_item']) {
        await tx.query(
          `INSERT INTO reference_site_snapshot (name, max_id) SELECT $1, COALESCE(MAX(id), 0) FROM ${table}`,
          [table],
        );
      }
    });
  }
  if (start.rollback) {
    // As a restore of the snapshot: every list and item made after it is gone.
    await db.transaction(async (tx) => {
      const { rows } = await tx.query<{ name: string; max_id: number }>(
        'SELECT name, max_id FROM reference_site_snapshot',
      );
      const max = (name: string) => Number(rows.find((row) => row.name === name)?.max_id ?? 0);
      const [lists, items] = [max('lists_list'), max('lists_item')];
      await tx.query('DELETE FROM lists_item WHERE id > $1 OR list_id > $2', [items, lists]);
      await tx.query('DELETE FROM lists_list_shared_with WHERE list_id > $1', [lists]);
      await tx.query('DELETE FROM lists_list WHERE id > $1', [lists]);
    });
  }
}

/**
 * After `migrate`: the first release of unique-without-data-migration runs on a database as a
 * release before stage 2 left it (no unique item constraint, its migration not applied), so
 * duplicate items can be written; the next release's migrate adds the constraint and meets them.
 */
export async function afterMigrate(
  db: Db,
  faults: ReadonlySet<FaultName>,
  start: ReleaseStart,
): Promise<void> {
  if (!faults.has('unique-without-data-migration') || start.number > 1 || start.rollback) return;
  await db.transaction(async (tx) => {
    await tx.exec(
      tx.kind === 'postgres'
        ? `ALTER TABLE lists_item DROP CONSTRAINT IF EXISTS ${UNIQUE_NAME}`
        : `DROP INDEX IF EXISTS ${UNIQUE_NAME}`,
    );
    await tx.query('DELETE FROM reference_site_migrations WHERE name = $1', [UNIQUE_MIGRATION]);
  });
}

/**
 * The one line a worker that cannot start leaves: a failed migration as Django's `migrate` says
 * it (`IntegrityError: ...`, with PostgreSQL's detail: the row it met).
 */
export function startErrorLine(error: unknown): string {
  const { code, message, detail, migration } = error as {
    code?: string;
    message?: string;
    detail?: string;
    migration?: string;
  };
  const text = message ?? String(error);
  const integrity = code === '23505' || /^SQLITE_CONSTRAINT/.test(code ?? '');
  const what = `${integrity ? 'IntegrityError: ' : ''}${text}${detail ? ` (${detail})` : ''}`;
  return migration
    ? `migrate ${migration} failed: ${what}`
    : `${what}${code && !integrity ? ` (${code})` : ''}`;
}
