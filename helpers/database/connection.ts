/** The types an adapter implements (./adapters.ts lists the adapters). */
import type { NodeSSH } from 'node-ssh';
import type { CommandAction } from '../config/index.ts';

/** Where a target's database is and how to reach it. */
export interface DatabaseSource {
  /** The target's name (`staging`), for the lines that name it. */
  target: string;
  /** `<TARGET>_DATABASE_URL`, for the lines that name it (never the value: it may hold a password). */
  variable: string;
  url: string;
  /** `<TARGET>_DATABASE_COMMAND`: a command on the server that runs the adapter's program. */
  command?: CommandAction;
  /** Open read-only: the database itself refuses writes. */
  readOnly: boolean;
  /** The target's SSH connection, for an `ssh:` command. */
  ssh?: () => Promise<NodeSSH>;
}

export type Row = Record<string, unknown>;

/**
 * One statement of a batch. `?` placeholders; a parameter `{ ref: i }` is the first column of
 * the first row statement `i` returned (the id an INSERT ... RETURNING gave).
 */
export interface Step {
  sql: string;
  params: (string | number | null | { ref: number })[];
}

/** An open connection to one database: batches run in one transaction each. */
export interface Connection {
  /** Runs `steps` in one transaction (`write`: taking the write lock); each step's rows. */
  run(steps: Step[], options: { write: boolean }): Promise<Row[][]>;
  /** One line for a failure of run(), in the database's terms, never the URL. */
  explain(error: unknown): string;
  close(): Promise<void>;
}

export interface Adapter {
  /** The URL's shape, as the line for an unknown scheme lists it. */
  example: string;
  /** Whether the database may be reached through <TARGET>_DATABASE_COMMAND. */
  takesCommand: boolean;
  /** The problem with `url` (one line, never the URL itself), or undefined. */
  check(
    url: string,
    variable: string,
    how: { command: boolean; exists(file: string): boolean },
  ): string | undefined;
  open(source: DatabaseSource): Promise<Connection>;
}

/** `row[key]` of a batch result, for a `{ ref }` parameter. */
export function resolveParams(params: Step['params'], results: Row[][]): unknown[] {
  return params.map((param) => {
    if (param === null || typeof param !== 'object') return param;
    const row = results[param.ref]?.[0];
    return row ? Object.values(row)[0] : undefined;
  });
}
