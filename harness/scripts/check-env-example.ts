/**
 * `.env.example` against the code (npm run check): every setting the schema reads is documented
 * there (a target's setting under any target's prefix: STAGING_ documents PRODUCTION_ too), and
 * every name .env.example mentions is one the schema reads. The names come from the schema
 * (helpers/config/), so the two cannot drift apart again. Prints one line per difference.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { knownSettings, ROOT, TARGET_NAMES } from '../../helpers/config/index.ts';

const file = path.join(ROOT, '.env.example');
const text = readFileSync(file, 'utf8');
const prefixes = TARGET_NAMES.map((name) => `${name.toUpperCase()}_`);
// A name is mentioned as NAME= (set or commented out), or anywhere with a prefix of the suite's.
const mentioned = new Set([
  ...[...text.matchAll(/\b([A-Z][A-Z0-9_]*[A-Z0-9])=/g)].map((m) => m[1]!),
  ...[...text.matchAll(/\b(?:LOCAL|STAGING|PRODUCTION|SUPERLISTS)_[A-Z0-9_]*[A-Z0-9]\b/g)].map(
    (m) => m[0],
  ),
]);
const settings = knownSettings();
const known = new Set(settings.map((s) => s.name));
/** A target's setting without its prefix (`URL` for STAGING_URL), else undefined. */
const keyOf = (name: string) => {
  const prefix = prefixes.find((p) => name.startsWith(p));
  return prefix && settings.some((s) => s.name === name && s.target)
    ? name.slice(prefix.length)
    : undefined;
};
const documentedKeys = new Set([...mentioned].map(keyOf).filter((key) => key !== undefined));

const problems: string[] = [];
for (const { name, target, internal } of settings) {
  if (internal) continue;
  const documented = target ? documentedKeys.has(keyOf(name)!) : mentioned.has(name);
  const shown = target ? `<TARGET>_${keyOf(name)}` : name;
  if (!documented) {
    problems.push(`${shown} is read by helpers/config/ but not in .env.example: document it there`);
  }
}
for (const name of mentioned) {
  if (!known.has(name))
    problems.push(
      `.env.example mentions ${name}, which nothing reads: remove it, or read it in helpers/config/`,
    );
}
const unique = [...new Set(problems)];
for (const line of unique) console.error(`check-env-example: ${line}`);
process.exit(unique.length ? 1 : 0);
