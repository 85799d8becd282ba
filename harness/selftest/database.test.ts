/**
 * The Database interface (helpers/database) over each SQLite way in: a file on this machine
 * (better-sqlite3) and a command running the suite's Python program (here `cmd:python3 -`, the
 * same program `ssh:docker exec -i superlists /venv/bin/python -` runs on a server). Seeding,
 * verifying and counting by the contract's tables; a read-only target's database refuses writes
 * (the suite before sending, SQLite itself when asked anyway); every bad value is one line; and a
 * new adapter is one object plus one row of ADAPTERS.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ADAPTERS } from '../../helpers/database/adapters.ts';
import type { Adapter, DatabaseSource, Row } from '../../helpers/database/connection.ts';
import {
  DatabaseReadOnly,
  databaseSettingsProblem,
  openDatabase,
  unknownScheme,
} from '../../helpers/database/index.ts';

const dir = mkdtempSync(path.join(os.tmpdir(), 'superlists-database-'));
const file = path.join(dir, 'db.sqlite3');
/** The site's own migrations make the file, as a deploy's `migrate` does. */
const migrated = spawnSync(
  process.execPath,
  ['--import', 'tsx', 'harness/reference-site/src/migrate.ts'],
  {
    env: { ...process.env, DATABASE_URL: `sqlite:///${file}` },
    encoding: 'utf8',
  },
);
assert.equal(migrated.status, 0, migrated.stderr);

const url = `sqlite:///${file}`;
const exists = (candidate: string) => candidate === file;
const source = (extra: Partial<DatabaseSource> = {}): DatabaseSource => ({
  target: 'staging',
  variable: 'STAGING_DATABASE_URL',
  url,
  readOnly: false,
  ...extra,
});
const WAYS = {
  'a local file': {},
  'a command (cmd:python3 -)': { command: { kind: 'cmd' as const, command: 'python3 -' } },
};

for (const [way, extra] of Object.entries(WAYS)) {
  describe(`SQLite through ${way}`, () => {
    it('seeds a list, reads it back in order, counts it and removes it', async () => {
      const database = await openDatabase(source(extra));
      try {
        assert.equal(await database.check(), undefined);
        const before = await database.count('lists_list');
        const items = [`first ${way} ✓`, 'second\'s "quoted"'];
        const id = await database.seedList(items);
        assert.deepEqual(await database.itemsOf(id), items);
        assert.equal(await database.count('lists_list'), before + 1);
        await database.removeLists([id]);
        assert.deepEqual(await database.itemsOf(id), []);
        assert.equal(await database.count('lists_list'), before);
      } finally {
        await database.close();
      }
    });

    it('on a read-only target refuses writes, and the database itself refuses them too', async () => {
      const database = await openDatabase(source({ ...extra, readOnly: true }));
      await assert.rejects(
        database.seedList(['never']),
        (error: Error) =>
          error instanceof DatabaseReadOnly &&
          /^seeding a list: staging is read-only, its database refuses writes \(a person may set STAGING_ALLOW_WRITES=true\)$/.test(
            error.message,
          ),
      );
      assert.equal(await database.check(), undefined, 'reads still work');
      await database.close();
      // Past the suite's refusal: the connection was opened read-only (mode=ro), SQLite says no.
      const connection = await ADAPTERS.sqlite!.open(source({ ...extra, readOnly: true }));
      const write = connection.run(
        [{ sql: 'INSERT INTO lists_list (owner_id) VALUES (NULL)', params: [] }],
        { write: true },
      );
      await assert.rejects(write, (error) => {
        assert.match(connection.explain(error), /refused a write: the target is read-only/);
        return true;
      });
      await connection.close();
    });

    it('a file without the site tables is one line naming the missing migration', async () => {
      const empty = path.join(dir, `empty-${way.length}.sqlite3`);
      writeFileSync(empty, '');
      const database = await openDatabase(source({ ...extra, url: `sqlite:///${empty}` }));
      assert.equal(
        await database.check(),
        "staging database (STAGING_DATABASE_URL): it has no lists_item table: is it the site's database, migrated?",
      );
      await database.close();
    });
  });
}

describe('SQLite through a command: what the command itself gets wrong', () => {
  it('a missing file on the server is one line, and no empty database is created', async () => {
    const database = await openDatabase(
      source({
        url: `sqlite:///${dir}/missing.sqlite3`,
        command: { kind: 'cmd', command: 'python3 -' },
      }),
    );
    assert.equal(
      await database.check(),
      'staging database (STAGING_DATABASE_URL): cannot open the database file (check the path and its permissions)',
    );
  });

  it('a command that is not Python is one line naming it', async () => {
    const database = await openDatabase(
      source({ command: { kind: 'cmd', command: 'cat >/dev/null' } }),
    );
    assert.equal(
      await database.check(),
      'staging database (STAGING_DATABASE_URL): cmd:cat >/dev/null (exit 0) did not run the SQLite program: printed nothing',
    );
  });
});

describe('bad database settings: one line each, never the URL', () => {
  const cases: [string, string, { kind: 'ssh' | 'cmd' } | undefined, boolean, RegExp][] = [
    [
      'an unknown scheme, naming the known ones',
      'mysql://u:s3cret@h/db',
      undefined,
      false,
      /^STAGING_DATABASE_URL: unknown scheme 'mysql:'; known: postgres:\/\/user:password@host:port\/db, sqlite:\/\/\/\/absolute\/path\/db.sqlite3$/,
    ],
    [
      'a relative path',
      'sqlite:///db.sqlite3',
      undefined,
      false,
      /^STAGING_DATABASE_URL must be sqlite:\/\/\/\/absolute\/path\/db.sqlite3 \(four slashes: an absolute path\)$/,
    ],
    [
      'a missing local file',
      `sqlite:///${dir}/nope.sqlite3`,
      undefined,
      false,
      /^STAGING_DATABASE_URL: no such file \/.+\/nope.sqlite3 \(a database on the server needs the target's DATABASE_COMMAND\)$/,
    ],
    [
      'a command for PostgreSQL',
      'postgres://u:s3cret@h/db',
      { kind: 'cmd' },
      false,
      /^STAGING_DATABASE_COMMAND is for a database reached through a command \(sqlite:\), not postgres:$/,
    ],
    [
      'an ssh: command without SSH',
      url,
      { kind: 'ssh' },
      false,
      /^STAGING_DATABASE_COMMAND runs over SSH but STAGING_SSH is not set/,
    ],
    [
      'a malformed PostgreSQL URL',
      'postgres://',
      undefined,
      false,
      /^STAGING_DATABASE_URL is not a postgres:\/\/ URL/,
    ],
  ];
  for (const [what, value, command, ssh, line] of cases) {
    it(what, () => {
      const problem = databaseSettingsProblem('STAGING', value, command, { ssh, exists });
      assert.match(problem ?? '(no problem)', line);
      assert.doesNotMatch(problem ?? '', /s3cret/);
    });
  }

  it('a file on the server is not looked for here', () => {
    assert.equal(
      databaseSettingsProblem(
        'STAGING',
        'sqlite:////home/nonroot/db.sqlite3',
        { kind: 'ssh' },
        { ssh: true, exists },
      ),
      undefined,
    );
  });
});

it('a new adapter is one object and one row of ADAPTERS', async () => {
  const seen: string[] = [];
  const memory: Adapter = {
    example: 'memory://NAME',
    takesCommand: false,
    check: () => undefined,
    open: () =>
      Promise.resolve({
        run: (steps) => {
          seen.push(...steps.map((step) => step.sql));
          return Promise.resolve(steps.map((): Row[] => [{ id: 7 }]));
        },
        explain: String,
        close: () => Promise.resolve(),
      }),
  };
  ADAPTERS.memory = memory; // the one row
  try {
    assert.equal(
      databaseSettingsProblem('STAGING', 'memory://x', undefined, { ssh: false, exists }),
      undefined,
    );
    assert.match(unknownScheme('STAGING_DATABASE_URL', 'nope://x'), /known: .*memory:\/\/NAME$/);
    const database = await openDatabase(source({ url: 'memory://x' }));
    assert.equal(await database.seedList(['a']), 7);
    assert.match(seen[0]!, /^INSERT INTO lists_list/);
  } finally {
    delete ADAPTERS.memory;
  }
});
