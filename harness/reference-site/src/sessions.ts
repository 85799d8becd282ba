// Server-side sessions in the database (Django's django_session: key, data, expiry). The cookie
// carries the session key signed with SECRET_KEY: a redeploy with the same secret keeps every
// session, a new secret logs everyone out.
import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import type { Db } from './db/index.ts';

/** Django's SESSION_COOKIE_AGE: two weeks. */
export const SESSION_AGE_SECONDS = 1_209_600;

/** A one-shot message shown on the next page (Django's messages framework). */
export interface Flash {
  level: 'success' | 'warning';
  text: string;
}

export interface SessionData {
  /** The logged-in user's email (Django's SESSION_KEY, `_auth_user_id`). */
  _auth_user_id?: string;
  messages?: Flash[];
}

const KEY_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const KEY_PATTERN = /^[a-z0-9]{32}$/;

/** A new random session key: 32 characters of [a-z0-9], like Django's. */
export function newSessionKey(): string {
  let key = '';
  for (let i = 0; i < 32; i++) key += KEY_ALPHABET[randomInt(KEY_ALPHABET.length)];
  return key;
}

function signature(key: string, secret: string): string {
  return createHmac('sha256', secret).update(`superlists.session:${key}`).digest('base64url');
}

/** The session cookie's value for `key`: `<key>.<HMAC-SHA256 with the secret>`. */
export function signSessionKey(key: string, secret: string): string {
  return `${key}.${signature(key, secret)}`;
}

/** The session key in a cookie value, or null when it is malformed or signed with another secret. */
export function unsignSessionCookie(value: string, secret: string): string | null {
  const dot = value.indexOf('.');
  const key = value.slice(0, dot);
  if (dot < 0 || !KEY_PATTERN.test(key)) return null;
  const given = Buffer.from(value.slice(dot + 1));
  const expected = Buffer.from(signature(key, secret));
  return given.length === expected.length && timingSafeEqual(given, expected) ? key : null;
}

/** A stored, unexpired session and the user it names if that user exists; null otherwise. */
export async function loadSession(
  db: Db,
  key: string,
): Promise<{ data: SessionData; user: string | null } | null> {
  // Portable SQL (PostgreSQL and SQLite): the expiry is compared with a parameter, the user looked
  // up by a second query when the session names one.
  const { rows } = await db.query<{ session_data: string }>(
    'SELECT session_data FROM django_session WHERE session_key = $1 AND expire_date > $2',
    [key, new Date().toISOString()],
  );
  const row = rows[0];
  if (!row) return null;
  let data: SessionData;
  try {
    data = JSON.parse(row.session_data) as SessionData;
  } catch {
    data = {};
  }
  const email = data._auth_user_id;
  const user =
    typeof email === 'string' &&
    (await db.query('SELECT 1 FROM accounts_user WHERE email = $1', [email])).rowCount > 0
      ? email
      : null;
  return { data, user };
}

/** Creates or replaces the session `key`, valid for SESSION_AGE_SECONDS from now. */
export async function saveSession(db: Db, key: string, data: SessionData): Promise<void> {
  await db.query(
    `INSERT INTO django_session (session_key, session_data, expire_date)
     VALUES ($1, $2, $3)
     ON CONFLICT (session_key) DO UPDATE
       SET session_data = EXCLUDED.session_data, expire_date = EXCLUDED.expire_date`,
    [key, JSON.stringify(data), new Date(Date.now() + SESSION_AGE_SECONDS * 1000).toISOString()],
  );
}

export async function deleteSession(db: Db, key: string): Promise<void> {
  await db.query('DELETE FROM django_session WHERE session_key = $1', [key]);
}

/**
 * The book's `create_session`: creates the user `email` and a session logged in as them, and
 * returns the session cookie's value (signed with `secret`); null when the user already exists.
 * `record` sees the value before the commit: a key that is handed out is a key that was logged.
 */
export async function createUserSession(
  db: Db,
  email: string,
  secret: string,
  record?: (value: string) => Promise<void> | void,
): Promise<string | null> {
  return db.transaction(async (tx) => {
    const created = await tx.query(
      'INSERT INTO accounts_user (email) VALUES ($1) ON CONFLICT DO NOTHING',
      [email],
    );
    if (!created.rowCount) return null;
    const key = newSessionKey();
    await saveSession(tx, key, { _auth_user_id: email });
    const value = signSessionKey(key, secret);
    await record?.(value);
    return value;
  });
}
