// The counterpart of the book's `create_session` management command: creates the user EMAIL and a
// server-side session logged in as them, and prints the session cookie's value (what a test sets
// as the session cookie, `sessionid` by default). Fails, as the book's does, when the user exists.
// Usage: node --import tsx harness/reference-site/src/create-session.ts EMAIL
// Env: DATABASE_URL and SECRET_KEY of the site; without DATABASE_URL, the running built-in target's,
// and then the key is also appended to its data folder's session-keys.log (0600), so that
// check-secrets can look for every key handed out (on the real server, create-session.sh logs it).
// The suite's runs on the built-in site ask the site itself instead (POST /__create_session__,
// src/session-endpoint.ts): a new node process per session took 35-50 s on a busy machine.
import { appendFileSync } from 'node:fs';
import { openDb } from './db/index.ts';
import { localDataDir, sessionKeyLog } from './localpaths.ts';
import { createUserSession } from './sessions.ts';
import { CommandError, runCommand, siteDatabase } from './target-env.ts';

await runCommand('create-session', async () => {
  const email = process.argv[2]?.trim();
  if (!email || process.argv.length > 3)
    throw new CommandError('usage: create-session.ts EMAIL (one address, e.g. edith@example.com)');
  const { databaseUrl, secretKey } = siteDatabase();
  const db = await openDb(databaseUrl, { max: 1 });
  try {
    const cookie = await createUserSession(db, email, secretKey, (value) => {
      if (!process.env.DATABASE_URL?.trim())
        appendFileSync(sessionKeyLog(localDataDir().dataDir), `${value}\n`, { mode: 0o600 });
    });
    if (cookie === null)
      throw new CommandError(
        `the user ${email} already exists (use an address no earlier run used)`,
      );
    process.stdout.write(`${cookie}\n`);
  } finally {
    await db.end();
  }
});
