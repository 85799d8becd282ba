/**
 * Proof that secrets never reach output, reports, traces or the verdict. It searches every artifact
 * of the run (zips opened, nested ones too, and the zip an HTML report embeds) for:
 * - the secret values of the environment file the run used (database and mailbox passwords, SSH
 *   private keys, tokens and passwords);
 * - session keys, by pattern: a cookie named like a session cookie of the run (each
 *   `*_SESSION_COOKIE` of the env file or environment, and `sessionid`) with a value other than
 *   the redaction marker, in a `name=value` pair or a `{"name", "value"}` object;
 * - session keys, exactly: every key a create-session command printed, from the logs they keep
 *   (the built-in site's `<data>/session-keys.log`, the real server's `secrets/session-keys.log`).
 * A leak is one line naming what and where, never the value; exit 1. Nothing exact to look for
 * (no secret in the env file and no key logged): exit 2.
 * Usage: ENV_FILE=.env.server node --import tsx harness/scripts/check-secrets.ts [console.log ...]
 * SECRETS_SEARCH_ROOT: the folder whose artifacts are searched (default: the repository).
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import AdmZip from 'adm-zip';
import dotenv from 'dotenv';
import { ROOT } from '../../helpers/config/paths.ts';
import { REDACTED, sessionCookieValues } from '../../reporters/redact-traces.ts';
import { localDataDir, sessionKeyLog } from '../reference-site/src/localpaths.ts';
import { STATE } from '../server/lib.ts';

const envFile = path.resolve(ROOT, process.env.ENV_FILE ?? '.env');
const values = existsSync(envFile) ? dotenv.parse(readFileSync(envFile)) : {};

const secrets = new Map<string, string>(); // value -> where it comes from
const cookieNames = new Set(['sessionid']);
for (const [name, value] of Object.entries({ ...process.env, ...values })) {
  if (name.endsWith('_SESSION_COOKIE') && value?.trim()) cookieNames.add(value.trim());
}
for (const [name, value] of Object.entries(values)) {
  if (name.endsWith('_DATABASE_URL') || (name.endsWith('_MAILBOX') && /^imaps?:\/\//.test(value))) {
    // The database's password, and an IMAP mailbox's (imap://user:password@host:port/INBOX).
    const password = decodeURIComponent(new URL(value).password);
    if (password) secrets.set(password, `${name}'s password`);
  } else if (name.endsWith('_SSH_KEY') && existsSync(value)) {
    // Any line of the key's base64 body is enough to call it leaked.
    for (const line of readFileSync(value, 'utf8').split('\n')) {
      if (line.length >= 40 && !line.startsWith('-----'))
        secrets.set(line, `${name} (private key)`);
    }
  } else if (/(TOKEN|PASSWORD|SECRET)/.test(name) && value.length >= 8) {
    secrets.set(value, name);
  }
}

// The keys create-session printed: the built-in site's log and the real server's.
const keyLogs = [
  sessionKeyLog(localDataDir().dataDir),
  path.join(STATE, 'secrets', 'session-keys.log'),
];
const keys = new Map<string, string>(); // key -> the log it was read from
for (const log of keyLogs.filter((file) => existsSync(file))) {
  for (const line of readFileSync(log, 'utf8').split('\n')) {
    if (line.trim()) keys.set(line.trim(), log);
  }
}
if (secrets.size === 0 && keys.size === 0) {
  console.error(
    `check-secrets: ${path.basename(envFile)} holds no secret and no create-session logged a session key (${keyLogs.join(', ')}): nothing to look for`,
  );
  process.exit(2);
}
// Keys of the usual alphabet are found by looking each word of a text up (fast with any number of
// keys); any other key is searched for as it is.
const KEY_WORD = /[A-Za-z0-9_.-]{16,}/g;
const wordKeys = new Set([...keys.keys()].filter((key) => /^[A-Za-z0-9_.-]{16,}$/.test(key)));
const otherKeys = [...keys.keys()].filter((key) => !wordKeys.has(key));

function* files(dir: string): Generator<string> {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir)) {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) yield* files(full);
    else yield full;
  }
}

const searchRoot = path.resolve(process.env.SECRETS_SEARCH_ROOT ?? ROOT);
const places = [
  'reports',
  'test-results',
  'allure-results',
  'allure-report',
  'playwright-report',
  'blob-report',
].map((d) => path.join(searchRoot, d));
const leaks = new Set<string>();
let searched = 0;
const isZip = (content: Buffer) =>
  content.subarray(0, 4).equals(Buffer.from('PK\x03\x04', 'latin1'));
const EMBEDDED_ZIP = /data:application\/zip;base64,([A-Za-z0-9+/=]+)/g;

const search = (where: string, content: Buffer): void => {
  searched++;
  const text = content.toString('latin1');
  for (const [secret, what] of secrets) if (text.includes(secret)) leaks.add(`${what} in ${where}`);
  if (sessionCookieValues(text, [...cookieNames]).size)
    leaks.add(`a session cookie's value (not ${REDACTED}) in ${where}`);
  const printed = (key: string) =>
    leaks.add(`a session key create-session printed (${keys.get(key)}) in ${where}`);
  for (const [word] of text.matchAll(KEY_WORD)) {
    const trimmed = word.replace(/^[_.-]+|[_.-]+$/g, '');
    if (wordKeys.has(word)) printed(word);
    else if (wordKeys.has(trimmed)) printed(trimmed);
  }
  for (const key of otherKeys) if (text.includes(key)) printed(key);
  if (isZip(content)) {
    let entries: AdmZip.IZipEntry[];
    try {
      entries = new AdmZip(content).getEntries();
    } catch (error) {
      leaks.add(`an unreadable zip (${(error as Error).message}), not searched: ${where}`);
      return;
    }
    for (const entry of entries)
      if (!entry.isDirectory) search(`${where}!${entry.entryName}`, entry.getData());
  }
  // An HTML report carries its data as a zip inside the page.
  for (const [, base64] of text.matchAll(EMBEDDED_ZIP))
    search(`${where}!(embedded-zip)`, Buffer.from(base64!, 'base64'));
};

for (const file of [...places.flatMap((dir) => [...files(dir)]), ...process.argv.slice(2)]) {
  search(path.relative(searchRoot, path.resolve(file)), readFileSync(file));
}
if (leaks.size) {
  for (const leak of leaks) console.error(`check-secrets: LEAKED ${leak}`);
  process.exit(1);
}
console.log(
  `check-secrets: ${secrets.size} secret values, ${keys.size} session keys, ${searched} files searched (zips opened): none found`,
);
