// The counterpart of the book's `create_session` management command: creates the user EMAIL and a
// server-side session logged in as them, and prints the session cookie's value (what a test sets
// as the session cookie, `sessionid` by default). Fails, as the book's does, when the user exists.
// Usage: node --import tsx harness/reference-site/src/create-session.ts EMAIL
// Env: DATABASE_URL and SECRET_KEY of the site; without DATABASE_URL, the running built-in target's.
import pg from 'pg';
import { newSessionKey, saveSession, signSessionKey } from './sessions.ts';
import { CommandError, runCommand, siteDatabase } from './target-env.ts';

await runCommand('create-session', async () => {
  const email = process.argv[2]?.trim();
  if (!email || process.argv.length > 3)
    throw new CommandError('usage: create-session.ts EMAIL (one address, e.g. edith@example.com)');
  const { databaseUrl, secretKey } = siteDatabase();
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('BEGIN');
    const created = await client.query(
      'INSERT INTO accounts_user (email) VALUES ($1) ON CONFLICT DO NOTHING',
      [email],
    );
    if (!created.rowCount)
      throw new CommandError(
        `the user ${email} already exists (use an address no earlier run used)`,
      );
    const key = newSessionKey();
    await saveSession(client, key, { _auth_user_id: email });
    await client.query('COMMIT');
    process.stdout.write(`${signSessionKey(key, secretKey)}\n`);
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.end();
  }
});
