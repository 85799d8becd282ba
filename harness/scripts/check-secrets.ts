/**
 * Proof that secrets never reach output, reports, traces or the verdict: collects the secret
 * values of the environment file the run used (database and mailbox passwords, SSH private keys,
 * tokens and passwords) and searches every artifact of the run for them, inside trace zips too.
 * Usage: ENV_FILE=.env.server node --import tsx scripts/check-secrets.ts [console.log ...]
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import AdmZip from 'adm-zip';
import dotenv from 'dotenv';
import { ROOT } from '../../helpers/config/paths.ts';

const envFile = path.resolve(ROOT, process.env.ENV_FILE ?? '.env');
const values = existsSync(envFile) ? dotenv.parse(readFileSync(envFile)) : {};

const secrets = new Map<string, string>(); // value -> where it comes from
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
if (secrets.size === 0) {
  console.error(`check-secrets: ${path.basename(envFile)} holds no secret to look for`);
  process.exit(2);
}

function* files(dir: string): Generator<string> {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir)) {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) yield* files(full);
    else yield full;
  }
}

const places = [
  'reports',
  'test-results',
  'allure-results',
  'playwright-report',
  'blob-report',
].map((d) => path.join(ROOT, d));
const leaks: string[] = [];
let searched = 0;
const search = (where: string, content: Buffer) => {
  searched++;
  const text = content.toString('latin1');
  for (const [secret, what] of secrets)
    if (text.includes(secret)) leaks.push(`${what} in ${where}`);
};
for (const file of [...places.flatMap((dir) => [...files(dir)]), ...process.argv.slice(2)]) {
  const content = readFileSync(file);
  search(path.relative(ROOT, file), content);
  if (file.endsWith('.zip')) {
    for (const entry of new AdmZip(content).getEntries()) {
      if (!entry.isDirectory)
        search(`${path.relative(ROOT, file)}!${entry.entryName}`, entry.getData());
    }
  }
}
if (leaks.length) {
  for (const leak of leaks) console.error(`check-secrets: LEAKED ${leak}`);
  process.exit(1);
}
console.log(
  `check-secrets: ${secrets.size} secret values, ${searched} files searched (traces unzipped): none found`,
);
