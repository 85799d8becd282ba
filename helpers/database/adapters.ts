/**
 * The database adapters, chosen by the URL's scheme (the shape of Playwright's
 * tests/config/testModeFixtures.ts: an interface and a table of implementations). A new kind of
 * database is one file exporting an {@link Adapter} (./connection.ts) plus one row here; the config
 * validates <TARGET>_DATABASE_URL with the row's check(), the fixtures open it with open().
 */
import type { Adapter } from './connection.ts';
import { postgres } from './postgres.ts';
import { sqlite } from './sqlite.ts';

/** Scheme (without its colon) → adapter. */
export const ADAPTERS: Record<string, Adapter> = {
  postgres,
  postgresql: postgres,
  sqlite,
};
