/**
 * The suite's settings: one schema, read by one pure function.
 *
 * Values flow: `.env` (or the file named by ENV_FILE) and the real environment -> the entry
 * (`entry.ts`, the only place with side effects) -> {@link loadSettings} (validated, typed) ->
 * playwright.config.ts (projects, `use` options) -> fixtures -> specs. Real environment variables
 * win over the file. A bad value becomes one {@link ConfigError} line that names the variable and
 * says how to fix it; secrets never appear in it. Importing this module does nothing.
 *
 * The parts, each read in one sitting: `values.ts` (one parser per kind of variable), `budgets.ts`
 * (pictures, test timeouts), `checks-file.ts` (the server-checks file), `target.ts` (a target's
 * schema), `suite.ts` (the suite's schema); this file loads them and is the one import.
 */
import path from 'node:path';
import dotenv from 'dotenv';
import { z } from 'zod';
import { ROOT } from './paths.ts';
import {
  ConfigError,
  type ConfigIo,
  type Env,
  INTERNAL,
  TARGET_NAMES,
  type TargetName,
  didYouMean,
  editDistance,
  nearest,
  nodeIo,
  trimmed,
} from './values.ts';
import {
  type TargetContext,
  type TargetSecrets,
  type TargetSettings,
  targetSchema,
} from './target.ts';
import { type SuiteSettings, suiteSchema } from './suite.ts';
import { type DailySettings, dailySchema } from './daily.ts';

export { ROOT } from './paths.ts';
export { TARGET_NAMES, ConfigError, nodeIo, CAPABILITIES } from './values.ts';
export type {
  TargetName,
  ConfigIo,
  SshSettings,
  Action,
  CommandAction,
  MailboxSettings,
  Capability,
  StaticRoot,
} from './values.ts';
export { DEFAULT_TEST_TIMEOUTS } from './budgets.ts';
export type { VisualPage, TestTimeouts } from './budgets.ts';
export type { ServerCheck } from './checks-file.ts';
export type { TargetSettings, TargetSecrets } from './target.ts';
export { defaultWorkers } from './suite.ts';
export type { SuiteSettings } from './suite.ts';
export type { DailySettings } from './daily.ts';

/** Each schema, built on first use and kept: building and compiling one costs milliseconds. */
const schemas: {
  suite?: ReturnType<typeof suiteSchema>;
  daily?: ReturnType<typeof dailySchema>;
  targets: Partial<Record<TargetName, ReturnType<typeof targetSchema>>>;
} = { targets: {} };

// ------------------------------------------------------------------------------ the functions

/** Our lines start with the variable they are about; zod's own wording never does. */
const OUR_LINE = /^[A-Z][A-Z0-9_]+\b/;

/** Throws the first issue's line: each one the schema raises is already the line to show. */
function parseOrThrow<T extends z.ZodType>(schema: T, input: unknown): z.output<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new ConfigError(
    OUR_LINE.test(issue.message)
      ? issue.message
      : `${issue.path.join('.') || 'a setting'} has a value the suite cannot read (see .env.example)`,
  );
}

/** The prefixes of the suite's own names: an unknown name with one of them is a mistake. */
const OWN_PREFIXES = [...TARGET_NAMES.map((name) => `${name.toUpperCase()}_`), 'SUPERLISTS_'];

/** One name the suite reads, from the schemas. */
export interface KnownSetting {
  name: string;
  /** A target's setting (`<TARGET>_<KEY>`), one per target. */
  target: boolean;
  /** Set by the runner, CI or the machine, not by a person: .env.example need not show it. */
  internal: boolean;
}

/** Every name the suite reads, from the schemas: the suite's, and each target's with its prefix. */
export function knownSettings(): KnownSetting[] {
  const variables = (shape: Record<string, z.ZodType>, prefix: string): KnownSetting[] =>
    Object.entries(shape)
      .filter(([key]) => key !== '$ctx')
      .map(([key, schema]) => ({
        name: `${prefix}${key}`,
        target: prefix !== '',
        internal: schema.description === INTERNAL,
      }));
  const target =
    Object.values(schemas.targets)[0] ?? (schemas.targets.staging ??= targetSchema('staging'));
  return [
    ...variables((schemas.suite ??= suiteSchema()).in.shape, ''),
    ...variables((schemas.daily ??= dailySchema()).in.shape, ''),
    // Every target reads the same keys: one schema (one built already, when there is one) says them.
    ...TARGET_NAMES.flatMap((name) => variables(target.in.shape, `${name.toUpperCase()}_`)),
  ];
}

/**
 * The line for the first unknown name among `names`: one with a prefix of the suite's own
 * (LOCAL_, STAGING_, PRODUCTION_, SUPERLISTS_), or, with `nearMisses`, any name a known one is
 * near (a typo of WORKERS). Other names (PATH, the CI's own) are none of the suite's business.
 */
export function unknownSettingLine(
  names: Iterable<string>,
  where: string,
  nearMisses = false,
): string | undefined {
  const known = knownSettings().map((setting) => setting.name);
  const isKnown = new Set(known);
  for (const name of names) {
    if (isKnown.has(name)) continue;
    const own = OWN_PREFIXES.some((prefix) => name.startsWith(prefix));
    // Another program's name (PATH, npm's hundred npm_*) matters only as a near miss.
    if (!own && (!nearMisses || name.length < 4)) continue;
    const candidates = own
      ? known
      : known.filter((k) => !OWN_PREFIXES.some((p) => k.startsWith(p)));
    const hint = nearest(name, candidates);
    if (own || (hint && editDistance(name, hint) <= 2)) {
      return `${name} (${where}) is not a setting of the suite${didYouMean(name, candidates)}: every setting is in .env.example`;
    }
  }
  return undefined;
}

/**
 * Which targets this run selected: inherited by workers (SUPERLISTS_TARGETS), else from the
 * command line (`--project=a`, `--project a b`, default local). Playwright's `webServer` is
 * global, so the config starts the built-in site only when the local target runs.
 */
export function chosenTargets(env: Env, argv: readonly string[]): TargetName[] {
  const inherited = trimmed(env.SUPERLISTS_TARGETS);
  const names: string[] = inherited ? inherited.split(',') : [];
  if (!inherited) {
    for (let i = 0; i < argv.length; i++) {
      const arg = argv[i]!;
      if (arg.startsWith('--project=')) names.push(...arg.slice('--project='.length).split(','));
      else if (arg === '--project' || arg === '-p') {
        while (argv[i + 1] && !argv[i + 1]!.startsWith('-')) names.push(argv[++i]!);
      }
    }
  }
  if (names.length === 0) return ['local'];
  const unknown = names.filter((n) => !(TARGET_NAMES as readonly string[]).includes(n));
  if (unknown.length) {
    throw new ConfigError(
      `unknown project "${unknown.join(', ')}": choose one of ${TARGET_NAMES.join(', ')}`,
    );
  }
  return [...new Set(names)] as TargetName[];
}

/** The validated settings of a run. */
export interface Settings {
  suite: SuiteSettings;
  /** History, alerts, the expected release's wait: holds secrets, never in `use` options. */
  daily: DailySettings;
  chosen: TargetName[];
  targets: Partial<Record<TargetName, TargetSettings>>;
  /** Never put these in `use` options or reports. */
  secrets: Partial<Record<TargetName, TargetSecrets>>;
}

/**
 * The suite's settings from `env` and the command line `argv`, validated; throws a
 * {@link ConfigError} whose message is the one line to show. No side effects: it writes nothing,
 * starts nothing and reads files only through `io`.
 */
export function loadSettings(env: Env, argv: readonly string[], io: ConfigIo = nodeIo): Settings {
  const unknown = unknownSettingLine(Object.keys(env), 'in the environment');
  if (unknown) throw new ConfigError(unknown);
  const chosen = chosenTargets(env, argv);
  const suite = parseOrThrow((schemas.suite ??= suiteSchema()), { ...env, $ctx: { io, chosen } });
  const daily = parseOrThrow((schemas.daily ??= dailySchema()), env);
  const targets: Settings['targets'] = {};
  const secrets: Settings['secrets'] = {};
  for (const name of chosen) {
    const prefix = `${name.toUpperCase()}_`;
    const own = Object.fromEntries(
      Object.entries(env)
        .filter(([key]) => key.startsWith(prefix))
        .map(([key, value]) => [key.slice(prefix.length), value]),
    );
    if (name === 'local') delete own.URL; // the built-in site's address is its port's
    const $ctx: TargetContext = {
      io,
      home: trimmed(env.HOME),
      localPort: suite.localPort,
      localDatabaseUrl: localDatabaseUrl(suite),
      localSessionToken: trimmed(env.SUPERLISTS_LOCAL_SESSION_TOKEN),
    };
    const parsed = parseOrThrow((schemas.targets[name] ??= targetSchema(name)), { ...own, $ctx });
    targets[name] = parsed.settings;
    secrets[name] = parsed.secrets;
  }
  return { suite, daily, chosen, targets, secrets };
}

/**
 * The variables an env file adds: `.env`, or the file ENV_FILE names (relative to the repo root).
 * Refuses a line dotenv would silently drop. Reads through `io`; writes nothing.
 */
export function envFileValues(env: Env, io: ConfigIo = nodeIo): Record<string, string> {
  const named = trimmed(env.ENV_FILE);
  const file = path.resolve(ROOT, named ?? '.env');
  if (!io.exists(file)) {
    if (named)
      throw new ConfigError(`ENV_FILE=${named}: no such file (create it from .env.example)`);
    return {};
  }
  const values = parseEnvFile(io.readText(file), path.basename(file));
  const unknown = unknownSettingLine(Object.keys(values), `in ${path.basename(file)}`, true);
  if (unknown) throw new ConfigError(unknown);
  return values;
}

/** Parses the text of an env file named `name`; a line that is not NAME=value or a comment is refused. */
export function parseEnvFile(text: string, name: string): Record<string, string> {
  text.split('\n').forEach((line, index) => {
    if (/^\s*(#.*)?$/.test(line) || /^\s*(export\s+)?[A-Za-z_][A-Za-z0-9_]*\s*=/.test(line)) return;
    throw new ConfigError(`${name} line ${index + 1}: expected NAME=value (or a # comment)`);
  });
  return dotenv.parse(text);
}

/**
 * The daily settings alone (history, alerts), from the env file and the environment, for the
 * commands that run outside a test run (npm run status-page). Throws a {@link ConfigError}.
 */
export function loadDailySettings(env: Env, io: ConfigIo = nodeIo): DailySettings {
  return parseOrThrow((schemas.daily ??= dailySchema()), { ...envFileValues(env, io), ...env });
}

let memo: Settings | undefined;

/** The environment for a child process: this one's, plus `extra` (nothing is written here). */
export function childEnvironment(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { ...process.env, ...extra };
}

/**
 * The settings of this run, read (never written) from the environment the entry prepared: for the
 * few modules that need them outside `use` options (collection-time specs, the reporter).
 */
export function currentSettings(): Settings {
  return (memo ??= loadSettings(process.env, process.argv));
}

/** The secrets of target `name` (validated with the rest of the configuration). */
export function secretsOf(name: TargetName): TargetSecrets {
  return currentSettings().secrets[name] ?? {};
}

/**
 * The built-in site's database, as its launcher (harness/reference-site/src/local.ts) opens it on
 * the port chosen for it: its embedded PostgreSQL's local-only account. None on SQLite (a file in
 * its data folder, which may be moved: set LOCAL_DATABASE_URL) or without a chosen port.
 */
function localDatabaseUrl(suite: SuiteSettings): string | undefined {
  if (suite.localDatabase !== 'postgres' || suite.localPgPort === undefined) return undefined;
  return `postgres://postgres:superlists-local@127.0.0.1:${suite.localPgPort}/superlists`;
}

/**
 * A stand-in for a target this run did not choose (workers look projects up by name, so every
 * target needs a project): read-only, no services, an address that resolves nowhere.
 */
export function unconfiguredTarget(name: TargetName): TargetSettings {
  const { settings } = parseOrThrow((schemas.targets.production ??= targetSchema('production')), {
    URL: 'http://unconfigured.invalid',
    REQUIRE_HTTPS: 'false',
    $ctx: { io: nodeIo, home: undefined, localPort: 0 },
  });
  return { ...settings, name, stage3: false, serverChecks: undefined };
}
