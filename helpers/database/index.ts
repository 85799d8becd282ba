/**
 * The target's database behind one interface: what the deploy spec, the seeding fixture and the
 * services check need (count, seed, verify), in the contract's tables (Django's names). The
 * connection comes from the adapter ADAPTERS (./adapters.ts) names for the URL's scheme; the SQL
 * here is written once, with `?` placeholders, in what PostgreSQL and SQLite both accept.
 */
import { ADAPTERS } from './adapters.ts';
import type { Connection, DatabaseSource, Row } from './connection.ts';

/** The contract's tables (Django's names), the only ones count() reads. */
export const CONTRACT_TABLES = [
  'lists_list',
  'lists_item',
  'accounts_user',
  'accounts_token',
  'lists_list_shared_with',
  'django_session',
] as const;
export type ContractTable = (typeof CONTRACT_TABLES)[number];

export interface Database {
  /** Opened read-only: seeding and removing throw {@link DatabaseReadOnly} before anything is sent. */
  readonly readOnly: boolean;
  /** The rows in one of the contract's tables. */
  count(table: ContractTable): Promise<number>;
  /** Writes a list with `items` (in order) in one transaction; its id. */
  seedList(items: string[]): Promise<number>;
  /** List `id`'s item texts in creation order (empty when the list is gone). */
  itemsOf(id: number): Promise<string[]>;
  /** Deletes the lists `ids` and their items. */
  removeLists(ids: readonly number[]): Promise<void>;
  /** Read-only: it answers and holds the site's tables; one line naming the problem, or undefined. */
  check(): Promise<string | undefined>;
  close(): Promise<void>;
}

/** A write asked of a read-only target's database: refused by the suite, as by the database. */
export class DatabaseReadOnly extends Error {
  override name = 'DatabaseReadOnly';
}

/** Opens the database `source.url` names, with the adapter its scheme selects. */
export async function openDatabase(source: DatabaseSource): Promise<Database> {
  const adapter = ADAPTERS[schemeOf(source.url)];
  if (!adapter) throw new Error(unknownScheme(source.variable, source.url));
  return new ContractDatabase(source, await adapter.open(source));
}

/** The URL's scheme without its colon (`postgres`, `sqlite`), or '' when it has none. */
export function schemeOf(url: string): string {
  return /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase() ?? '';
}

/** The one line for a URL no adapter takes: the known kinds, never the value (it may hold a password). */
export function unknownScheme(variable: string, url: string): string {
  const scheme = schemeOf(url);
  const known = [...new Set(Object.values(ADAPTERS).map((adapter) => adapter.example))];
  return `${variable}: ${scheme ? `unknown scheme '${scheme}:'` : 'not a URL'}; known: ${known.join(', ')}`;
}

class ContractDatabase implements Database {
  readonly readOnly: boolean;

  constructor(
    private readonly source: DatabaseSource,
    private readonly connection: Connection,
  ) {
    this.readOnly = source.readOnly;
  }

  private refuseWrites(what: string): void {
    if (!this.readOnly) return;
    const P = this.source.target.toUpperCase();
    throw new DatabaseReadOnly(
      `${what}: ${this.source.target} is read-only, its database refuses writes (a person may set ${P}_ALLOW_WRITES=true)`,
    );
  }

  async count(table: ContractTable): Promise<number> {
    if (!CONTRACT_TABLES.includes(table)) throw new Error(`not a contract table: ${table}`);
    const [rows] = await this.connection.run(
      [{ sql: `SELECT count(*) AS n FROM ${table}`, params: [] }],
      { write: false },
    );
    return Number(rows?.[0]?.n ?? 0);
  }

  async seedList(items: string[]): Promise<number> {
    this.refuseWrites('seeding a list');
    const results = await this.connection.run(
      [
        { sql: 'INSERT INTO lists_list (owner_id) VALUES (NULL) RETURNING id', params: [] },
        ...items.map((text) => ({
          sql: 'INSERT INTO lists_item (text, list_id) VALUES (?, ?)',
          params: [text, { ref: 0 }],
        })),
      ],
      { write: true },
    );
    return Number(results[0]?.[0]?.id);
  }

  async itemsOf(id: number): Promise<string[]> {
    const [rows = []] = await this.connection.run(
      [{ sql: 'SELECT text FROM lists_item WHERE list_id = ? ORDER BY id', params: [id] }],
      { write: false },
    );
    return rows.map((row: Row) => String(row.text));
  }

  async removeLists(ids: readonly number[]): Promise<void> {
    if (ids.length === 0) return;
    this.refuseWrites('removing seeded lists');
    const marks = ids.map(() => '?').join(', ');
    await this.connection.run(
      [
        { sql: `DELETE FROM lists_item WHERE list_id IN (${marks})`, params: [...ids] },
        { sql: `DELETE FROM lists_list WHERE id IN (${marks})`, params: [...ids] },
      ],
      { write: true },
    );
  }

  async check(): Promise<string | undefined> {
    try {
      await this.count('lists_item');
      return undefined;
    } catch (error) {
      return `${this.source.target} database (${this.source.variable}): ${this.connection.explain(error)}`;
    }
  }

  close(): Promise<void> {
    return this.connection.close();
  }
}

/**
 * The problem with a target's database settings (one line, never the URL), or undefined:
 * an unknown scheme, a URL its adapter refuses, a command the adapter cannot use, an ssh:
 * command without SSH.
 */
export function databaseSettingsProblem(
  P: string,
  url: string,
  command: { kind: 'ssh' | 'cmd' } | undefined,
  how: { ssh: boolean; exists(file: string): boolean },
): string | undefined {
  const variable = `${P}_DATABASE_URL`;
  const adapter = ADAPTERS[schemeOf(url)];
  if (!adapter) return unknownScheme(variable, url);
  if (command && !adapter.takesCommand)
    return `${P}_DATABASE_COMMAND is for a database reached through a command (sqlite:), not ${schemeOf(url)}:`;
  if (command?.kind === 'ssh' && !how.ssh)
    return `${P}_DATABASE_COMMAND runs over SSH but ${P}_SSH is not set: set ${P}_SSH, ${P}_SSH_KEY and ${P}_SSH_HOST_KEY (see .env.example)`;
  return adapter.check(url, variable, {
    command: command !== undefined,
    exists: (file) => how.exists(file),
  });
}
