/**
 * The one place that reads process.env.
 *
 * Values flow: `.env` (or the file named by ENV_FILE) and the real environment -> this module
 * (validated once, typed) -> playwright.config.ts (projects, `use` options) -> fixtures -> specs.
 * Real environment variables win over the file. A bad value stops the run with one line that names
 * the variable and says how to fix it (see {@link ConfigError}); secrets never appear in it.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import dotenv from 'dotenv';

import { ROOT } from './paths.ts';

export { ROOT } from './paths.ts';

/** The names of the suite's targets; each is a Playwright project. */
export const TARGET_NAMES = ['local', 'staging', 'production'] as const;
export type TargetName = (typeof TARGET_NAMES)[number];

/** A configuration mistake: its message is the one line the user sees. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** How the suite reaches a target's server over SSH (host key pinned, never trust-on-first-use). */
export interface SshSettings {
  user: string;
  host: string;
  port: number;
  /** Path to the private key file. */
  keyPath: string;
  /** Pinned host key fingerprint, `SHA256:...` as `ssh-keygen -lf` prints it. */
  hostKey: string;
}

/** Where a command runs, or which URL is called: `ssh:CMD`, `cmd:CMD` or `http:[METHOD ]URL`. */
export type Action =
  | { kind: 'ssh'; command: string }
  | { kind: 'cmd'; command: string }
  | { kind: 'http'; method: string; url: string; pick?: { json?: string; regex?: string } };

/**
 * One server check (tests/server, `@server`): a read-only command run over the target's SSH
 * connection and what its result must show. Declared in the JSON file named by
 * `<TARGET>_SERVER_CHECKS`; `{site}` in a command is replaced by the target's name.
 */
export interface ServerCheck {
  name: string;
  command: string;
  expect: {
    /** The exit status the command must end with (default 0). */
    exitCode: number;
    /** stdout must match (multiline: `^` and `$` match at every line). */
    stdout?: RegExp;
    /** stdout must not match (multiline). */
    stdoutNot?: RegExp;
    /** stdout, trimmed, must be a number at least this big. */
    atLeast?: number;
  };
}

/** Everything the suite knows about one target, validated. */
export interface TargetSettings {
  name: TargetName;
  /** Base URL of the site, without a trailing slash. */
  url: string;
  /** The plain-http address that must redirect to https (production TLS checks). */
  httpUrl?: string;
  /** Whether the target must be served over https with HSTS (default: production only). */
  requireHttps: boolean;
  ignoreHttpsErrors: boolean;
  /** Whether the session and CSRF cookies must be Secure (`<T>_SECURE_COOKIES`, default: requireHttps). */
  secureCookies: boolean;
  /** The session cookie's name (`<T>_SESSION_COOKIE`, default `sessionid`). */
  sessionCookie: string;
  /** Read-only targets refuse tests that write; production is read-only unless a person allows it. */
  readOnly: boolean;
  /** Redeploys are allowed (the @deploy spec); separate from writes. */
  allowDeploy: boolean;
  ssh?: SshSettings;
  /** Whether *_DATABASE_URL is set; the URL itself (a secret) comes from {@link secretsOf}. */
  hasDatabase: boolean;
  deploy?: Action;
  releaseProbe?: Action;
  /** Log files on the server to attach on failure. */
  logs: string[];
  /** The server checks (`<TARGET>_SERVER_CHECKS`); undefined when the variable is not set. */
  serverChecks?: ServerCheck[];
}

/**
 * A target's secrets. They stay in this module: everything in `use` options is serialized into
 * reports (the JSON reporter writes the whole config), so fixtures ask for them by target name.
 */
export interface TargetSecrets {
  databaseUrl?: string;
}

const secrets: Record<TargetName, TargetSecrets> = { local: {}, staging: {}, production: {} };

/** The secrets of target `name` (validated with the rest of the configuration). */
export function secretsOf(name: TargetName): TargetSecrets {
  return secrets[name];
}

/** Suite-wide settings. */
export interface SuiteSettings {
  runId: string;
  /** The commit of the suite being run (GITHUB_SHA, else git), for reports. */
  commit: string;
  /** html, junit and Allure reports besides the list (default: on CI). */
  fullReports: boolean;
  /** A blob report too, for sharded runs whose reports are merged (BLOB_REPORT). */
  blobReport: boolean;
  /** Playwright's trace mode (TRACE): retain-on-failure by default, `on` to keep every trace. */
  trace: 'on' | 'off' | 'retain-on-failure' | 'on-first-retry';
  /**
   * What a trace records (TRACE_DETAIL): `light` (default) the actions, network, console and
   * errors; `full` also a DOM snapshot around every action and a screencast, which costs a green
   * run about a quarter of its time.
   */
  traceDetail: 'light' | 'full';
  workers: number;
  retries: number;
  /** Retries of a request that failed for infrastructure reasons (INFRA_RETRIES, default 2). */
  infraRetries: number;
  ci: boolean;
  /** The browser binary, or undefined for Playwright's own Chromium. */
  browserPath?: string;
  /** A remote Playwright browser server to use instead of a local browser (your own grid). */
  browserWsEndpoint?: string;
  /** Check each chosen remote target (DNS, TCP, TLS, HTTP) before any test runs. */
  preflight: boolean;
  /** How long web-first assertions wait, in milliseconds. */
  expectTimeoutMs: number;
  /** Per-page response budget in milliseconds (smoke). */
  pageBudgetMs: number;
  /** Extra read-only paths for the smoke checks. */
  smokePaths: string[];
  /** Console messages or request URLs matching one of these are known noise, not failures. */
  allowedNoise: RegExp[];
  /** Bounded wait for a redeploy to show a new release. */
  deployTimeoutMs: number;
  /** Longest acceptable unavailable gap during a deploy; undefined = report only. */
  deployGapBudgetMs?: number;
  /** Port of the built-in site (local target). */
  localPort: number;
  /** Data folder of the built-in site, when overridden. */
  localDataDir?: string;
  /** A named fault for the built-in site (the fault catalogue sets it). */
  localFault?: string;
}

const env = process.env;

function loadEnvFile(): void {
  const named = env.ENV_FILE;
  const file = path.resolve(ROOT, named ?? '.env');
  if (named && !existsSync(file)) {
    throw new ConfigError(`ENV_FILE=${named}: no such file (create it from .env.example)`);
  }
  if (existsSync(file)) {
    // dotenv skips lines it cannot parse; a typo would silently drop a setting, so refuse it.
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, index) => {
        if (/^\s*(#.*)?$/.test(line) || /^\s*(export\s+)?[A-Za-z_][A-Za-z0-9_]*\s*=/.test(line))
          return;
        throw new ConfigError(
          `${path.basename(file)} line ${index + 1}: expected NAME=value (or a # comment)`,
        );
      });
    // override: false keeps real environment variables ahead of the file.
    const result = dotenv.config({ path: file, quiet: true, override: false });
    if (result.error) throw new ConfigError(`${path.basename(file)}: ${result.error.message}`);
  }
}

function str(name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

function bool(name: string, fallback: boolean): boolean {
  const value = str(name);
  if (value === undefined) return fallback;
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  throw new ConfigError(`${name}=${value} is not a boolean: use true or false`);
}

function int(name: string, fallback: number, min = 0): number {
  const value = str(name);
  if (value === undefined) return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min) {
    throw new ConfigError(`${name}=${value} is not a whole number >= ${min} (see .env.example)`);
  }
  return Number(value);
}

function oneOf<T extends string>(name: string, choices: readonly [T, ...T[]]): T {
  const value = str(name);
  if (value === undefined) return choices[0];
  if (!(choices as readonly string[]).includes(value)) {
    throw new ConfigError(`${name}=${value}: choose one of ${choices.join(', ')}`);
  }
  return value as T;
}

function list(name: string): string[] {
  return (str(name) ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
}

function httpUrl(name: string, value: string): string {
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new ConfigError(`${name} is not a valid URL: give one like https://staging.example.com`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new ConfigError(`${name} must start with http:// or https://`);
  }
  return parsed.href.replace(/\/$/, '');
}

function action(name: string): Action | undefined {
  const value = str(name);
  if (value === undefined) return undefined;
  const match = /^(ssh|cmd|http):(.+)$/s.exec(value);
  if (!match)
    throw new ConfigError(`${name} must start with ssh:, cmd: or http: (see .env.example)`);
  const [, kind, rest] = match as unknown as [string, 'ssh' | 'cmd' | 'http', string];
  if (kind !== 'http') return { kind, command: rest.trim() };
  // http:[METHOD ]URL[ json:PATH | regex:PATTERN]
  const http = /^(?:([A-Z]+)\s+)?(\S+)(?:\s+(json|regex):(.+))?$/.exec(rest.trim());
  if (!http) throw new ConfigError(`${name}: write http:[METHOD ]URL [json:PATH|regex:PATTERN]`);
  const [, method = 'GET', url = '', pickKind, pickValue] = http;
  return {
    kind,
    method,
    url: httpUrl(name, url),
    pick: pickKind ? { [pickKind]: pickValue } : undefined,
  };
}

function ssh(prefix: string): SshSettings | undefined {
  const value = str(`${prefix}_SSH`);
  if (value === undefined) return undefined;
  const match = /^([^@\s]+)@([^:\s]+)(?::(\d+))?$/.exec(value);
  if (!match)
    throw new ConfigError(`${prefix}_SSH=${value} must look like user@host or user@host:port`);
  const keyPath = str(`${prefix}_SSH_KEY`);
  if (!keyPath)
    throw new ConfigError(`${prefix}_SSH is set but ${prefix}_SSH_KEY (private key path) is not`);
  const hostKey = str(`${prefix}_SSH_HOST_KEY`);
  if (!hostKey || !/^SHA256:[A-Za-z0-9+/]+=*$/.test(hostKey)) {
    throw new ConfigError(
      `${prefix}_SSH_HOST_KEY must pin the server's host key as SHA256:... (ssh-keygen -lf <host key>.pub)`,
    );
  }
  const resolvedKey = path.resolve(ROOT, keyPath.replace(/^~(?=\/)/, env.HOME ?? '~'));
  let mode: number;
  try {
    mode = statSync(resolvedKey).mode;
  } catch {
    throw new ConfigError(
      `${prefix}_SSH_KEY ${resolvedKey} not found: give the path of the private key`,
    );
  }
  if (mode & 0o077) {
    throw new ConfigError(
      `${prefix}_SSH_KEY ${resolvedKey} is readable by others; ssh refuses such keys: run chmod 600 ${resolvedKey}`,
    );
  }
  return {
    user: match[1]!,
    host: match[2]!,
    port: match[3] ? Number(match[3]) : 22,
    keyPath: resolvedKey,
    hostKey,
  };
}

function databaseUrl(name: string): string | undefined {
  const value = str(name);
  if (value === undefined) return undefined;
  let parsed: URL | undefined;
  try {
    parsed = new URL(value);
  } catch {
    parsed = undefined;
  }
  if (!parsed || !/^postgres(ql)?:$/.test(parsed.protocol)) {
    // Never echo the value: it may hold a password.
    throw new ConfigError(
      `${name} is not a postgres:// URL (postgres://user:password@host:port/db)`,
    );
  }
  return value;
}

const CHECK_KEYS = new Set(['name', 'command', 'expect']);
const EXPECT_KEYS = new Set(['exitCode', 'stdout', 'stdoutNot', 'atLeast']);

/**
 * Reads and validates the JSON file of server checks named by `<PREFIX>_SERVER_CHECKS` (a path
 * relative to the repo root): `[{ "name", "command", "expect": { "exitCode", "stdout",
 * "stdoutNot", "atLeast" } }]`. Any mistake is one ConfigError line naming the variable.
 */
function serverChecks(prefix: string, site: TargetName): ServerCheck[] | undefined {
  const name = `${prefix}_SERVER_CHECKS`;
  const value = str(name);
  if (value === undefined) return undefined;
  const where = `${name}=${value}`;
  const file = path.resolve(ROOT, value);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new ConfigError(
      code === 'ENOENT'
        ? `${where}: no such file (give a path relative to the repo root, e.g. harness/server/checks.json)`
        : `${where}: cannot read ${file} (${code ?? String(error)})`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/\s+/g, ' ') : String(error);
    throw new ConfigError(`${where}: not valid JSON (${reason})`);
  }
  const shape = 'a JSON array of checks [{ "name": ..., "command": ..., "expect": {...} }]';
  if (!Array.isArray(parsed)) throw new ConfigError(`${where}: must be ${shape}`);
  if (parsed.length === 0) {
    throw new ConfigError(`${where}: holds no checks (unset ${name} to run none)`);
  }
  const seen = new Set<string>();
  return parsed.map((raw: unknown, index): ServerCheck => {
    const at = `check ${index + 1}`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw new ConfigError(`${where}: ${at} is not an object (the file must be ${shape})`);
    }
    const entry = raw as Record<string, unknown>;
    if (typeof entry.name !== 'string' || !entry.name.trim()) {
      throw new ConfigError(`${where}: ${at} has no "name" (a non-empty string)`);
    }
    const checkName = entry.name.trim();
    const label = `check "${checkName}"`;
    if (seen.has(checkName)) throw new ConfigError(`${where}: two checks are named "${checkName}"`);
    seen.add(checkName);
    if (typeof entry.command !== 'string' || !entry.command.trim()) {
      throw new ConfigError(`${where}: ${label} has no "command" (a non-empty string)`);
    }
    const unknownKey = Object.keys(entry).find((key) => !CHECK_KEYS.has(key));
    if (unknownKey) {
      throw new ConfigError(
        `${where}: ${label} has an unknown key "${unknownKey}" (use name, command, expect)`,
      );
    }
    const expectation = entry.expect ?? {};
    if (typeof expectation !== 'object' || expectation === null || Array.isArray(expectation)) {
      throw new ConfigError(`${where}: ${label}: "expect" must be an object`);
    }
    const wanted = expectation as Record<string, unknown>;
    const unknownExpect = Object.keys(wanted).find((key) => !EXPECT_KEYS.has(key));
    if (unknownExpect) {
      throw new ConfigError(
        `${where}: ${label}: unknown expectation "${unknownExpect}" (use exitCode, stdout, stdoutNot, atLeast)`,
      );
    }
    const regex = (key: 'stdout' | 'stdoutNot'): RegExp | undefined => {
      const pattern = wanted[key];
      if (pattern === undefined) return undefined;
      if (typeof pattern !== 'string') {
        throw new ConfigError(`${where}: ${label}: expect.${key} must be a string (a regex)`);
      }
      try {
        return new RegExp(pattern, 'm');
      } catch {
        throw new ConfigError(
          `${where}: ${label}: expect.${key} "${pattern}" is not a valid regular expression`,
        );
      }
    };
    const { exitCode = 0, atLeast } = wanted;
    if (typeof exitCode !== 'number' || !Number.isInteger(exitCode) || exitCode < 0) {
      throw new ConfigError(`${where}: ${label}: expect.exitCode must be a whole number >= 0`);
    }
    if (atLeast !== undefined && (typeof atLeast !== 'number' || !Number.isFinite(atLeast))) {
      throw new ConfigError(`${where}: ${label}: expect.atLeast must be a number`);
    }
    return {
      name: checkName,
      command: entry.command.replaceAll('{site}', site),
      expect: { exitCode, stdout: regex('stdout'), stdoutNot: regex('stdoutNot'), atLeast },
    };
  });
}

/** The port the built-in site listens on: chosen once by the runner, inherited by its workers. */
function localPort(): number {
  const fixed = str('LOCAL_PORT');
  if (fixed) return int('LOCAL_PORT', 0, 1);
  const inherited = str('SUPERLISTS_LOCAL_PORT');
  if (inherited) return Number(inherited);
  const probe = spawnSync(
    process.execPath,
    [
      '-e',
      "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})",
    ],
    { encoding: 'utf8' },
  );
  const port = Number(probe.stdout.trim());
  if (!port)
    throw new ConfigError('could not find a free port for the built-in site: set LOCAL_PORT');
  env.SUPERLISTS_LOCAL_PORT = String(port);
  return port;
}

function target(name: TargetName, port: number): TargetSettings {
  const prefix = name.toUpperCase();
  const isProduction = name === 'production';
  let url: string;
  if (name === 'local') {
    url = `http://127.0.0.1:${port}`;
  } else {
    const raw = str(`${prefix}_URL`);
    if (!raw) {
      throw new ConfigError(
        `${prefix}_URL is not set: --project=${name} needs the site's address (copy .env.example to .env and fill it in)`,
      );
    }
    url = httpUrl(`${prefix}_URL`, raw);
  }
  const rawHttp = str(`${prefix}_HTTP_URL`);
  const allowWrites = bool(`${prefix}_ALLOW_WRITES`, !isProduction);
  const deploy =
    name === 'local'
      ? (action('LOCAL_DEPLOY') ?? {
          kind: 'cmd' as const,
          command: 'node --import tsx harness/reference-site/src/redeploy.ts',
        })
      : action(`${prefix}_DEPLOY`);
  const releaseProbe =
    name === 'local'
      ? (action('LOCAL_RELEASE_PROBE') ?? {
          kind: 'http' as const,
          method: 'GET',
          url: `${url}/__release__`,
          pick: { json: 'release' },
        })
      : action(`${prefix}_RELEASE_PROBE`);
  const sshSettings = ssh(prefix);
  for (const [variable, value] of [
    ['DEPLOY', deploy],
    ['RELEASE_PROBE', releaseProbe],
  ] as const) {
    if (value?.kind === 'ssh' && !sshSettings) {
      throw new ConfigError(
        `${prefix}_${variable} runs over SSH but ${prefix}_SSH is not set: set ${prefix}_SSH, ${prefix}_SSH_KEY and ${prefix}_SSH_HOST_KEY (see .env.example)`,
      );
    }
  }
  const requireHttps = bool(`${prefix}_REQUIRE_HTTPS`, isProduction);
  return {
    name,
    url,
    httpUrl: rawHttp ? httpUrl(`${prefix}_HTTP_URL`, rawHttp) : undefined,
    requireHttps,
    ignoreHttpsErrors: bool(`${prefix}_IGNORE_HTTPS_ERRORS`, false),
    secureCookies: bool(`${prefix}_SECURE_COOKIES`, requireHttps),
    sessionCookie: str(`${prefix}_SESSION_COOKIE`) ?? 'sessionid',
    readOnly: !allowWrites,
    allowDeploy: bool(`${prefix}_ALLOW_DEPLOY`, !isProduction),
    ssh: sshSettings,
    hasDatabase: (secrets[name].databaseUrl = databaseUrl(`${prefix}_DATABASE_URL`)) !== undefined,
    deploy,
    releaseProbe,
    logs: list(`${prefix}_LOGS`),
    serverChecks: serverChecks(prefix, name),
  };
}

/**
 * Which projects this run selected, from the command line (`--project=a`, `--project a b`).
 * Playwright's `webServer` is global, so the config uses this to start the built-in site only
 * when the local target runs, and to validate only the targets that were chosen.
 */
export function selectedTargets(argv: readonly string[] = process.argv): TargetName[] {
  const names: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg.startsWith('--project=')) names.push(...arg.slice('--project='.length).split(','));
    else if (arg === '--project' || arg === '-p') {
      while (argv[i + 1] && !argv[i + 1]!.startsWith('-')) names.push(argv[++i]!);
    }
  }
  if (names.length === 0) return ['local'];
  const unknown = names.filter((n) => !(TARGET_NAMES as readonly string[]).includes(n));
  if (unknown.length) {
    throw new ConfigError(
      `unknown project "${unknown.join(', ')}": choose one of ${TARGET_NAMES.join(', ')}`,
    );
  }
  return names as TargetName[];
}

function wsEndpoint(): string | undefined {
  const value = str('BROWSER_WS_ENDPOINT');
  if (value === undefined) return undefined;
  if (!/^wss?:\/\/\S+$/.test(value)) {
    throw new ConfigError(
      'BROWSER_WS_ENDPOINT must be a ws:// or wss:// URL of a Playwright browser server (npm run browser-server prints one)',
    );
  }
  return value;
}

function detectBrowser(): string | undefined {
  const given = str('BROWSER_PATH');
  if (given) {
    if (!existsSync(given)) throw new ConfigError(`BROWSER_PATH=${given}: no such file`);
    return given;
  }
  // Playwright's own Chromium wins where `npx playwright install chromium` worked.
  const ownBrowsers = path.join(
    env.PLAYWRIGHT_BROWSERS_PATH ?? path.join(env.HOME ?? '/root', '.cache', 'ms-playwright'),
  );
  if (existsSync(ownBrowsers)) return undefined;
  for (const candidate of [
    '/usr/lib/chromium/chromium-headless-shell',
    '/usr/lib/chromium/chromium',
    '/usr/bin/chromium',
  ]) {
    if (existsSync(candidate)) return candidate;
  }
  return undefined;
}

function load() {
  loadEnvFile();
  // The runner parses the command line once; its workers inherit the choice.
  const inherited = str('SUPERLISTS_TARGETS');
  const chosen = inherited ? (inherited.split(',') as TargetName[]) : selectedTargets();
  env.SUPERLISTS_TARGETS = chosen.join(',');
  const port = localPort();
  const runId =
    str('SUPERLISTS_RUN_ID') ??
    `${new Date().toISOString().slice(0, 19).replace(/\D/g, '')}-${randomBytes(3).toString('hex')}`;
  env.SUPERLISTS_RUN_ID = runId; // workers inherit it: one run id for the whole run.
  const gap = str('DEPLOY_GAP_BUDGET_MS');
  const commit =
    str('GITHUB_SHA') ??
    (spawnSync('git', ['rev-parse', '--short', 'HEAD'], {
      cwd: ROOT,
      encoding: 'utf8',
    }).stdout?.trim() ||
      'unknown');
  const suite: SuiteSettings = {
    runId,
    commit,
    fullReports: bool('FULL_REPORTS', bool('CI', false)),
    blobReport: bool('BLOB_REPORT', false),
    trace: oneOf('TRACE', ['retain-on-failure', 'on', 'off', 'on-first-retry'] as const),
    traceDetail: oneOf('TRACE_DETAIL', ['light', 'full'] as const),
    workers: int('WORKERS', 2, 1),
    retries: int('RETRIES', 0),
    infraRetries: int('INFRA_RETRIES', 2),
    ci: bool('CI', false),
    browserPath: detectBrowser(),
    browserWsEndpoint: wsEndpoint(),
    preflight: bool('PREFLIGHT', true),
    expectTimeoutMs: int('EXPECT_TIMEOUT_MS', 5000, 1),
    pageBudgetMs: int('PAGE_BUDGET_MS', 2000, 1),
    smokePaths: list('SMOKE_PATHS'),
    allowedNoise: list('ALLOWED_NOISE').map((pattern) => {
      try {
        return new RegExp(pattern);
      } catch {
        throw new ConfigError(`ALLOWED_NOISE: "${pattern}" is not a valid regular expression`);
      }
    }),
    deployTimeoutMs: int('DEPLOY_TIMEOUT_MS', 120_000, 1),
    deployGapBudgetMs: gap === undefined ? undefined : int('DEPLOY_GAP_BUDGET_MS', 0),
    localPort: port,
    localDataDir: str('SUPERLISTS_LOCAL_DATA'),
    localFault: str('SUPERLISTS_FAULT'),
  };
  const targets: Partial<Record<TargetName, TargetSettings>> = {};
  for (const name of chosen) targets[name] = target(name, port);
  return { suite, chosen, targets };
}

/**
 * The validated settings. On a configuration mistake it prints one line and exits 2: Playwright
 * would otherwise print a stack trace for an error thrown while loading the config.
 */
export const settings = (() => {
  try {
    return load();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`superlists-live-tests: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
})();
