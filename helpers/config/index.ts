/**
 * The suite's settings: one schema, read by one pure function.
 *
 * Values flow: `.env` (or the file named by ENV_FILE) and the real environment -> the entry
 * (`entry.ts`, the only place with side effects) -> {@link loadSettings} (validated, typed) ->
 * playwright.config.ts (projects, `use` options) -> fixtures -> specs. Real environment variables
 * win over the file. A bad value becomes one {@link ConfigError} line that names the variable and
 * says how to fix it; secrets never appear in it. Importing this module does nothing.
 */
import { readFileSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import dotenv from 'dotenv';
import { z } from 'zod';

import { ROOT } from './paths.ts';
import { databaseSettingsProblem } from '../database/index.ts';

export { ROOT } from './paths.ts';

/** The names of the suite's targets; each is a Playwright project. */
export const TARGET_NAMES = ['local', 'staging', 'production'] as const;
export type TargetName = (typeof TARGET_NAMES)[number];

/** A configuration mistake: its message is the one line the user sees. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** The file reads the settings need; tests pass fakes. */
export interface ConfigIo {
  /** The file's permission bits, or undefined when it does not exist. */
  mode(file: string): number | undefined;
  readText(file: string): string;
  exists(file: string): boolean;
}

/** The real file system. */
export const nodeIo: ConfigIo = {
  mode: (file) => {
    try {
      return statSync(file).mode;
    } catch {
      return undefined;
    }
  },
  readText: (file) => readFileSync(file, 'utf8'),
  exists: (file) => {
    try {
      statSync(file);
      return true;
    } catch {
      return false;
    }
  },
};

type Env = Readonly<Record<string, string | undefined>>;
type Ctx = z.core.$RefinementCtx;

/** Records the one line for a bad value; every issue the schema raises carries its own line. */
function fail(ctx: Ctx, message: string): typeof z.NEVER {
  ctx.issues.push({ code: 'custom', message, input: undefined });
  return z.NEVER;
}

// ---------------------------------------------------------------- the shapes of parsed values

const sshSchema = z.object({
  user: z.string(),
  host: z.string(),
  port: z.number().int(),
  /** Path to the private key file. */
  keyPath: z.string(),
  /** Pinned host key fingerprint, `SHA256:...` as `ssh-keygen -lf` prints it. */
  hostKey: z.string(),
});
/** How the suite reaches a target's server over SSH (host key pinned, never trust-on-first-use). */
export type SshSettings = z.infer<typeof sshSchema>;

const commandAction = z.object({ kind: z.enum(['ssh', 'cmd']), command: z.string() });
const actionSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('ssh'), command: z.string() }),
  z.object({ kind: z.literal('cmd'), command: z.string() }),
  z.object({
    kind: z.literal('http'),
    method: z.string(),
    url: z.string(),
    pick: z.object({ json: z.string().optional(), regex: z.string().optional() }).optional(),
  }),
]);
/** Where a command runs, or which URL is called: `ssh:CMD`, `cmd:CMD` or `http:[METHOD ]URL`. */
export type Action = z.infer<typeof actionSchema>;
/** An action that runs a command: `ssh:CMD` (over the target's SSH) or `cmd:CMD` (here). */
export type CommandAction = z.infer<typeof commandAction>;

const mailboxSchema = z.union([
  z.object({
    kind: z.literal('imap'),
    host: z.string(),
    port: z.number().int(),
    /** imaps:// (TLS from the start) rather than imap://. */
    secure: z.boolean(),
    user: z.string(),
    /** The mailbox folder, INBOX by default. */
    folder: z.string(),
  }),
  commandAction,
]);
/**
 * Where the site's mail is read: an IMAP mailbox (its password stays in
 * {@link secretsOf}`(name).mailboxUrl`), or a command printing Django file-backend messages.
 */
export type MailboxSettings = z.infer<typeof mailboxSchema>;

// -------------------------------------------------------------------- one variable, one value

/** A variable's value, trimmed; unset and empty both read as undefined. */
const trimmed = (value: unknown) =>
  typeof value === 'string' && value.trim() ? value.trim() : undefined;

/** An optional variable whose set value must pass `inner`. */
function optional<T extends z.ZodType>(inner: T) {
  return z.preprocess(trimmed, inner.optional()).optional();
}

function bool(name: string) {
  return optional(
    z.stringbool({
      truthy: ['1', 'true', 'yes', 'on'],
      falsy: ['0', 'false', 'no', 'off'],
      case: 'insensitive',
      error: (issue) => `${name}=${String(issue.input)} is not a boolean: use true or false`,
    }),
  );
}

function int(name: string, min = 0) {
  const message = (value: unknown) =>
    `${name}=${String(value)} is not a whole number >= ${min} (see .env.example)`;
  return optional(
    z
      .string()
      .regex(/^\d+$/, { error: (issue) => message(issue.input) })
      .transform(Number)
      .pipe(z.number().min(min, { error: (issue) => message(issue.input) })),
  );
}

function oneOf<const T extends readonly [string, ...string[]]>(name: string, choices: T) {
  return optional(
    z.enum(choices, {
      error: (issue) => `${name}=${String(issue.input)}: choose one of ${choices.join(', ')}`,
    }),
  );
}

function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
}

function httpUrl(name: string) {
  return z.string().transform((value, ctx) => {
    let parsed: URL;
    try {
      parsed = new URL(value);
    } catch {
      return fail(ctx, `${name} is not a valid URL: give one like https://staging.example.com`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      return fail(ctx, `${name} must start with http:// or https://`);
    }
    return parsed.href.replace(/\/$/, '');
  });
}

function action(name: string) {
  return z
    .string()
    .transform((value, ctx): Action => {
      const match = /^(ssh|cmd|http):(.+)$/s.exec(value);
      if (!match)
        return fail(ctx, `${name} must start with ssh:, cmd: or http: (see .env.example)`);
      const [, kind, rest] = match as unknown as [string, Action['kind'], string];
      if (kind !== 'http') return { kind, command: rest.trim() };
      // http:[METHOD ]URL[ json:PATH | regex:PATTERN]
      const http = /^(?:([A-Z]+)\s+)?(\S+)(?:\s+(json|regex):(.+))?$/.exec(rest.trim());
      if (!http) return fail(ctx, `${name}: write http:[METHOD ]URL [json:PATH|regex:PATTERN]`);
      const [, method = 'GET', url = '', pickKind, pickValue] = http;
      const parsedUrl = httpUrl(name).safeParse(url);
      if (!parsedUrl.success) return fail(ctx, parsedUrl.error.issues[0]!.message);
      return {
        kind,
        method,
        url: parsedUrl.data,
        pick: pickKind ? { [pickKind]: pickValue } : undefined,
      };
    })
    .pipe(actionSchema);
}

/** `ssh:CMD` or `cmd:CMD` whose command holds `placeholder` (when given). */
function commandOf(name: string, placeholder: string, usage: string) {
  return z.string().transform((value, ctx): CommandAction => {
    const match = /^(ssh|cmd):(.+)$/s.exec(value);
    if (!match || !match[2]!.includes(placeholder)) return fail(ctx, `${name} ${usage}`);
    return { kind: match[1] as CommandAction['kind'], command: match[2]!.trim() };
  });
}

function mailbox(name: string) {
  const usage = `${name} must be imaps://user:password@host:port/FOLDER (or imap://), or ssh:COMMAND / cmd:COMMAND printing the site's mail (see .env.example)`;
  return z.string().transform((value, ctx): { settings: MailboxSettings; url?: string } => {
    const command = /^(ssh|cmd):(.+)$/s.exec(value);
    if (command) {
      return { settings: { kind: command[1] as 'ssh' | 'cmd', command: command[2]!.trim() } };
    }
    let parsed: URL | undefined;
    try {
      parsed = new URL(value);
    } catch {
      parsed = undefined;
    }
    // Never echo the value: it holds the mailbox's password.
    if (!parsed || !/^imaps?:$/.test(parsed.protocol) || !parsed.hostname) return fail(ctx, usage);
    if (!parsed.username || !parsed.password) {
      return fail(ctx, `${name} needs the mailbox's user and password: imaps://user:password@host`);
    }
    const secure = parsed.protocol === 'imaps:';
    const folder = decodeURIComponent(parsed.pathname.replace(/^\/+|\/+$/g, '')) || 'INBOX';
    return {
      settings: mailboxSchema.parse({
        kind: 'imap',
        host: parsed.hostname.replace(/^\[|\]$/g, ''),
        port: parsed.port ? Number(parsed.port) : secure ? 993 : 143,
        secure,
        user: decodeURIComponent(parsed.username),
        folder,
      }),
      url: value,
    };
  });
}

function testEmail(name: string) {
  return z
    .string()
    .refine(
      (value) =>
        value.includes('{tag}') && z.email().safeParse(value.replace('{tag}', 'x')).success,
      {
        error: (issue) =>
          `${name}=${String(issue.input)} must be an address with {tag} where each test's tag goes, like edith+{tag}@example.com`,
      },
    );
}

// ------------------------------------------------------------------ the deploy's pictures

/** The pages the deploy spec pictures before and after a redeploy (DEPLOY_VISUAL_BUDGET names them). */
export const VISUAL_PAGES = ['home', 'list', 'logged-in'] as const;
export type VisualPage = (typeof VISUAL_PAGES)[number];

/** A share of pixels: `0.01` or `1%`, between 0 and 1 (100 %). */
function share(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?|\.\d+)(%?)$/.exec(text.trim());
  if (!match) return undefined;
  const value = Number(match[1]) / (match[2] ? 100 : 1);
  return value <= 1 ? value : undefined;
}

/**
 * DEPLOY_VISUAL_BUDGET: the largest share of a page's pixels a deploy may change, for every page
 * (`1%`, `0.01`) or per page (`home=0.5%,list=1%`; a bare value is the rest's).
 */
function visualBudget(name: string) {
  return z.string().transform((value, ctx) => {
    const usage = `${name}=${value}: give a share of pixels (0.01 or 1%), or one per page (home=0.5%,list=1%) for pages ${VISUAL_PAGES.join(', ')}`;
    const budget: { all?: number; pages: Partial<Record<VisualPage, number>> } = { pages: {} };
    for (const part of list(value)) {
      const at = part.indexOf('=');
      const key = at < 0 ? undefined : part.slice(0, at);
      const limit = share(at < 0 ? part : part.slice(at + 1));
      if (limit === undefined) return fail(ctx, usage);
      if (key === undefined) {
        if (budget.all !== undefined) return fail(ctx, usage);
        budget.all = limit;
      } else if ((VISUAL_PAGES as readonly string[]).includes(key.trim())) {
        budget.pages[key.trim() as VisualPage] = limit;
      } else {
        return fail(ctx, `${name}: "${key.trim()}" is not a page (use ${VISUAL_PAGES.join(', ')})`);
      }
    }
    return budget;
  });
}

/** <TARGET>_VISUAL_MASK: CSS selectors (comma separated) of what changes by design. */
function selectors(name: string) {
  return z.string().transform((value, ctx) => {
    const parts = value.split(',').map((part) => part.trim());
    const bad = parts.find((part) => part === '' || /[{};]/.test(part));
    if (bad !== undefined) {
      return fail(
        ctx,
        `${name}: "${bad}" is not a CSS selector: give selectors separated by commas, like footer .version,#id_clock`,
      );
    }
    return parts;
  });
}

// ----------------------------------------------------------------------------- server checks

const CHECKS_SHAPE = 'a JSON array of checks [{ "name": ..., "command": ..., "expect": {...} }]';
const regexText = z.string().refine((pattern) => {
  try {
    new RegExp(pattern, 'm');
    return true;
  } catch {
    return false;
  }
});
const checkFileSchema = z
  .array(
    z.strictObject({
      name: z.string().trim().min(1),
      command: z.string().trim().min(1),
      expect: z
        .strictObject({
          /** The exit status the command must end with (default 0). */
          exitCode: z.number().int().min(0).default(0),
          /** stdout must match (multiline: `^` and `$` match at every line). */
          stdout: regexText.optional(),
          /** stdout must not match (multiline). */
          stdoutNot: regexText.optional(),
          /** stdout, trimmed, must be a number at least this big. */
          atLeast: z.number().finite().optional(),
        })
        .default({ exitCode: 0 }),
    }),
  )
  .min(1);

/** The one line for the first thing wrong in a server-checks file. */
function checkIssueLine(
  where: string,
  name: string,
  issue: z.core.$ZodIssue,
  raw: unknown,
): string {
  const [index, key, sub] = issue.path as [number | undefined, string | undefined, string?];
  if (index === undefined) {
    return issue.code === 'too_small'
      ? `${where}: holds no checks (unset ${name} to run none)`
      : `${where}: must be ${CHECKS_SHAPE}`;
  }
  const entry = (raw as Record<string, unknown>[])[index];
  const at = `check ${index + 1}`;
  const checkName = typeof entry?.name === 'string' ? entry.name.trim() : '';
  const label = `check "${checkName}"`;
  if (key === undefined) {
    if (issue.code === 'unrecognized_keys') {
      return `${where}: ${label} has an unknown key "${issue.keys[0]}" (use name, command, expect)`;
    }
    return `${where}: ${at} is not an object (the file must be ${CHECKS_SHAPE})`;
  }
  if (key === 'name') return `${where}: ${at} has no "name" (a non-empty string)`;
  if (key === 'command') return `${where}: ${label} has no "command" (a non-empty string)`;
  if (sub === undefined) {
    if (issue.code === 'unrecognized_keys') {
      return `${where}: ${label}: unknown expectation "${issue.keys[0]}" (use exitCode, stdout, stdoutNot, atLeast)`;
    }
    return `${where}: ${label}: "expect" must be an object`;
  }
  if (sub === 'exitCode') return `${where}: ${label}: expect.exitCode must be a whole number >= 0`;
  if (sub === 'atLeast') return `${where}: ${label}: expect.atLeast must be a number`;
  const pattern = (entry?.expect as Record<string, unknown> | undefined)?.[sub];
  return typeof pattern === 'string'
    ? `${where}: ${label}: expect.${sub} "${pattern}" is not a valid regular expression`
    : `${where}: ${label}: expect.${sub} must be a string (a regex)`;
}

function serverChecks(name: string, site: TargetName, io: ConfigIo) {
  return z.string().transform((value, ctx) => {
    const where = `${name}=${value}`;
    const file = path.resolve(ROOT, value);
    let text: string;
    try {
      text = io.readText(file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return fail(
        ctx,
        code === 'ENOENT'
          ? `${where}: no such file (give a path relative to the repo root, e.g. harness/server/checks.json)`
          : `${where}: cannot read ${file} (${code ?? String(error)})`,
      );
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (error) {
      const reason = error instanceof Error ? error.message.replace(/\s+/g, ' ') : String(error);
      return fail(ctx, `${where}: not valid JSON (${reason})`);
    }
    const parsed = checkFileSchema.safeParse(raw);
    if (!parsed.success)
      return fail(ctx, checkIssueLine(where, name, parsed.error.issues[0]!, raw));
    const seen = new Set<string>();
    for (const check of parsed.data) {
      if (seen.has(check.name)) return fail(ctx, `${where}: two checks are named "${check.name}"`);
      seen.add(check.name);
    }
    return parsed.data.map(({ name: checkName, command, expect }) => ({
      name: checkName,
      command: command.replaceAll('{site}', site),
      expect: {
        exitCode: expect.exitCode,
        stdout: expect.stdout === undefined ? undefined : new RegExp(expect.stdout, 'm'),
        stdoutNot: expect.stdoutNot === undefined ? undefined : new RegExp(expect.stdoutNot, 'm'),
        atLeast: expect.atLeast,
      },
    }));
  });
}

/**
 * One server check (tests/server, `@server`): a read-only command run over the target's SSH
 * connection and what its result must show (`exitCode`, multiline `stdout`/`stdoutNot` regexes,
 * `atLeast` a number). Declared in the JSON file named by `<TARGET>_SERVER_CHECKS`; `{site}` in a
 * command is replaced by the target's name.
 */
export type ServerCheck = z.output<ReturnType<typeof serverChecks>>[number];

// ------------------------------------------------------------------------------- the targets

/** What a target's schema needs besides its variables. */
interface TargetContext {
  io: ConfigIo;
  home: string | undefined;
  localPort: number;
}

/** The built-in site's commands (harness/reference-site). */
const LOCAL_DEFAULTS = {
  deploy: 'node --import tsx harness/reference-site/src/redeploy.ts',
  createSession: 'node --import tsx harness/reference-site/src/create-session.ts {email}',
  mailbox: 'node --import tsx harness/reference-site/src/mailbox.ts',
} as const;

/**
 * The settings of target `name`, read from its `<NAME>_*` variables (keys without the prefix) and
 * `$ctx`. Built once per name: zod compiles an object schema on its first parse.
 */
function targetSchema(name: TargetName) {
  const P = name.toUpperCase();
  const isLocal = name === 'local';
  const isProduction = name === 'production';
  return z
    .object({
      $ctx: z.custom<TargetContext>(),
      URL: optional(httpUrl(`${P}_URL`)),
      HTTP_URL: optional(httpUrl(`${P}_HTTP_URL`)),
      REQUIRE_HTTPS: bool(`${P}_REQUIRE_HTTPS`),
      IGNORE_HTTPS_ERRORS: bool(`${P}_IGNORE_HTTPS_ERRORS`),
      ALLOW_WRITES: bool(`${P}_ALLOW_WRITES`),
      ALLOW_DEPLOY: bool(`${P}_ALLOW_DEPLOY`),
      SSH: optional(z.string()),
      SSH_KEY: optional(z.string()),
      SSH_HOST_KEY: optional(z.string()),
      DATABASE_URL: optional(z.string()),
      DATABASE_COMMAND: optional(
        commandOf(
          `${P}_DATABASE_COMMAND`,
          '',
          'must be ssh:COMMAND or cmd:COMMAND running Python on its stdin (e.g. ssh:docker exec -i superlists /venv/bin/python -)',
        ),
      ),
      DEPLOY: optional(action(`${P}_DEPLOY`)),
      RELEASE_PROBE: optional(action(`${P}_RELEASE_PROBE`)),
      LOGS: optional(z.string()),
      SERVER_CHECKS: optional(z.string()),
      SECURE_COOKIES: bool(`${P}_SECURE_COOKIES`),
      SESSION_COOKIE: optional(
        z.string().regex(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/, {
          error: (issue) =>
            `${P}_SESSION_COOKIE=${String(issue.input)} is not a cookie name (letters, digits, - or _; Django's default is sessionid)`,
        }),
      ),
      STAGE3: bool(`${P}_STAGE3`),
      CREATE_SESSION: optional(
        commandOf(
          `${P}_CREATE_SESSION`,
          '{email}',
          'must be ssh:COMMAND or cmd:COMMAND with {email} where the address goes (see .env.example)',
        ),
      ),
      MAILBOX: optional(mailbox(`${P}_MAILBOX`)),
      TEST_EMAIL: optional(testEmail(`${P}_TEST_EMAIL`)),
      VISUAL_MASK: optional(selectors(`${P}_VISUAL_MASK`)),
    })
    .transform((v, ctx) => {
      const { io, home, localPort } = v.$ctx;
      if (isLocal) v.URL = `http://127.0.0.1:${localPort}`;
      if (v.URL === undefined) {
        return fail(
          ctx,
          `${P}_URL is not set: --project=${name} needs the site's address (copy .env.example to .env and fill it in)`,
        );
      }
      const ssh = sshOf(P, v, io, home, ctx);
      if (ssh === null) return z.NEVER;
      const databaseProblem =
        v.DATABASE_URL === undefined
          ? v.DATABASE_COMMAND && `${P}_DATABASE_COMMAND is set but ${P}_DATABASE_URL is not`
          : databaseSettingsProblem(P, v.DATABASE_URL, v.DATABASE_COMMAND, {
              ssh: Boolean(ssh),
              exists: (file) => io.exists(file),
            });
      if (databaseProblem) return fail(ctx, databaseProblem);
      const logsCommand = logsCommandOf(P, v.LOGS, Boolean(ssh), ctx);
      if (logsCommand === null) return z.NEVER;
      let checks: ServerCheck[] | undefined;
      if (v.SERVER_CHECKS !== undefined) {
        const read = serverChecks(`${P}_SERVER_CHECKS`, name, io).safeParse(v.SERVER_CHECKS);
        if (!read.success) return fail(ctx, read.error.issues[0]!.message);
        checks = read.data;
      }
      const deploy =
        v.DEPLOY ??
        (isLocal ? { kind: 'cmd' as const, command: LOCAL_DEFAULTS.deploy } : undefined);
      const releaseProbe =
        v.RELEASE_PROBE ??
        (isLocal
          ? {
              kind: 'http' as const,
              method: 'GET',
              url: `${v.URL}/__release__`,
              pick: { json: 'release' },
            }
          : undefined);
      const createSession =
        v.CREATE_SESSION ??
        (isLocal ? { kind: 'cmd' as const, command: LOCAL_DEFAULTS.createSession } : undefined);
      const box =
        v.MAILBOX ??
        (isLocal
          ? { settings: { kind: 'cmd' as const, command: LOCAL_DEFAULTS.mailbox } }
          : undefined);
      for (const [variable, value] of [
        ['DEPLOY', deploy],
        ['RELEASE_PROBE', releaseProbe],
        ['CREATE_SESSION', createSession],
        ['MAILBOX', box?.settings],
      ] as const) {
        if (value?.kind === 'ssh' && !ssh) {
          return fail(
            ctx,
            `${P}_${variable} runs over SSH but ${P}_SSH is not set: set ${P}_SSH, ${P}_SSH_KEY and ${P}_SSH_HOST_KEY (see .env.example)`,
          );
        }
      }
      const requireHttps = v.REQUIRE_HTTPS ?? isProduction;
      const settings = {
        name,
        /** Base URL of the site, without a trailing slash. */
        url: v.URL,
        /** The plain-http address that must redirect to https (production TLS checks). */
        httpUrl: v.HTTP_URL,
        /** Whether the target must be served over https with HSTS (default: production only). */
        requireHttps,
        ignoreHttpsErrors: v.IGNORE_HTTPS_ERRORS ?? false,
        /** Read-only targets refuse tests that write; production is read-only unless a person allows it. */
        readOnly: !(v.ALLOW_WRITES ?? !isProduction),
        /** Redeploys are allowed (the @deploy spec); separate from writes. */
        allowDeploy: v.ALLOW_DEPLOY ?? !isProduction,
        ssh,
        /** Whether *_DATABASE_URL is set; the URL itself (a secret) comes from {@link secretsOf}. */
        hasDatabase: v.DATABASE_URL !== undefined,
        /** The command that reaches the database on the server (a sqlite: file there), if any. */
        databaseCommand: v.DATABASE_COMMAND,
        deploy,
        releaseProbe,
        /** Log files on the server to attach on failure. */
        logs: logsCommand ? [] : list(v.LOGS),
        /** A command printing the log since `{since}` (`ssh:docker logs --since {since} superlists`). */
        logsCommand,
        /** The server checks (`<TARGET>_SERVER_CHECKS`); undefined when the variable is not set. */
        serverChecks: checks,
        /** The session and CSRF cookies must be `Secure` (default: where https is required). */
        secureCookies: v.SECURE_COOKIES ?? requireHttps,
        /** The name of the site's session cookie (Django's SESSION_COOKIE_NAME). */
        sessionCookie: v.SESSION_COOKIE ?? 'sessionid',
        /** The book's stage 3 (accounts, login by email) is deployed here (default: local only). */
        stage3: v.STAGE3 ?? isLocal,
        /** Makes a logged-in session for `{email}` and prints its cookie value. */
        createSession,
        /** Where the site's mail is read (an IMAP mailbox, or a command). */
        mailbox: box?.settings,
        /** The address tests log in with: `{tag}` becomes the test's tag. */
        testEmail: v.TEST_EMAIL ?? 'edith+{tag}@example.com',
        /** CSS selectors masked in the deploy's before/after pictures (what changes by design). */
        visualMask: v.VISUAL_MASK ?? [],
      };
      const secrets: TargetSecrets = { databaseUrl: v.DATABASE_URL, mailboxUrl: box?.url };
      return { settings, secrets };
    });
}

/** `<P>_LOGS` when it is a command (`ssh:`/`cmd:` with `{since}`); null after recording a bad value. */
function logsCommandOf(
  P: string,
  value: string | undefined,
  ssh: boolean,
  ctx: Ctx,
): CommandAction | undefined | null {
  const match = /^(ssh|cmd):(.+)$/s.exec(value ?? '');
  if (!match) return undefined;
  if (!match[2]!.includes('{since}')) {
    fail(
      ctx,
      `${P}_LOGS=${value} must hold {since} where the start time goes (e.g. ssh:docker logs --since {since} superlists)`,
    );
    return null;
  }
  if (match[1] === 'ssh' && !ssh) {
    fail(
      ctx,
      `${P}_LOGS runs over SSH but ${P}_SSH is not set: set ${P}_SSH, ${P}_SSH_KEY and ${P}_SSH_HOST_KEY (see .env.example)`,
    );
    return null;
  }
  return { kind: match[1] as CommandAction['kind'], command: match[2]!.trim() };
}

/** The SSH settings of prefix `P`: undefined when unset, null after recording a bad value. */
function sshOf(
  P: string,
  v: { SSH?: string; SSH_KEY?: string; SSH_HOST_KEY?: string },
  io: ConfigIo,
  home: string | undefined,
  ctx: Ctx,
): SshSettings | undefined | null {
  if (v.SSH === undefined) return undefined;
  const match = /^([^@\s]+)@([^:\s]+)(?::(\d+))?$/.exec(v.SSH);
  const bad = (message: string) => (fail(ctx, message), null);
  if (!match) return bad(`${P}_SSH=${v.SSH} must look like user@host or user@host:port`);
  if (!v.SSH_KEY) return bad(`${P}_SSH is set but ${P}_SSH_KEY (private key path) is not`);
  if (!v.SSH_HOST_KEY || !/^SHA256:[A-Za-z0-9+/]+=*$/.test(v.SSH_HOST_KEY)) {
    return bad(
      `${P}_SSH_HOST_KEY must pin the server's host key as SHA256:... (ssh-keygen -lf <host key>.pub)`,
    );
  }
  const keyPath = path.resolve(ROOT, v.SSH_KEY.replace(/^~(?=\/)/, home ?? '~'));
  const mode = io.mode(keyPath);
  if (mode === undefined) {
    return bad(`${P}_SSH_KEY ${keyPath} not found: give the path of the private key`);
  }
  if (mode & 0o077) {
    return bad(
      `${P}_SSH_KEY ${keyPath} is readable by others; ssh refuses such keys: run chmod 600 ${keyPath}`,
    );
  }
  return sshSchema.parse({
    user: match[1],
    host: match[2],
    port: match[3] ? Number(match[3]) : 22,
    keyPath,
    hostKey: v.SSH_HOST_KEY,
  });
}

/** Everything the suite knows about one target, validated. */
export type TargetSettings = z.output<ReturnType<typeof targetSchema>>['settings'];

/**
 * A target's secrets. They stay out of {@link TargetSettings}: everything in `use` options is
 * serialized into reports (the JSON reporter writes the whole config), so fixtures ask for them
 * by target name.
 */
export interface TargetSecrets {
  databaseUrl?: string;
  /** The IMAP mailbox's URL, password included. */
  mailboxUrl?: string;
}

// --------------------------------------------------------------------------------- the suite

const BROWSER_CANDIDATES = [
  '/usr/lib/chromium/chromium-headless-shell',
  '/usr/lib/chromium/chromium',
  '/usr/bin/chromium',
];

/** The default worker count: one per core this process may use. */
export function defaultWorkers(): number {
  return Math.max(1, os.availableParallelism());
}

/** The suite-wide settings, from the variables and `$ctx`. */
function suiteSchema() {
  return z
    .object({
      $ctx: z.custom<{ io: ConfigIo; chosen: readonly TargetName[] }>(),
      SUPERLISTS_RUN_ID: optional(z.string()),
      GITHUB_SHA: optional(z.string()),
      SUPERLISTS_COMMIT: optional(z.string()),
      CI: bool('CI'),
      FULL_REPORTS: bool('FULL_REPORTS'),
      BLOB_REPORT: bool('BLOB_REPORT'),
      TRACE: oneOf('TRACE', ['retain-on-failure', 'on', 'off', 'on-first-retry'] as const),
      TRACE_DETAIL: oneOf('TRACE_DETAIL', ['light', 'full'] as const),
      WORKERS: int('WORKERS', 1),
      RETRIES: int('RETRIES'),
      INFRA_RETRIES: int('INFRA_RETRIES'),
      BROWSER_PATH: optional(z.string()),
      PLAYWRIGHT_BROWSERS_PATH: optional(z.string()),
      HOME: optional(z.string()),
      BROWSER_WS_ENDPOINT: optional(
        z.string().regex(/^wss?:\/\/\S+$/, {
          error:
            'BROWSER_WS_ENDPOINT must be a ws:// or wss:// URL of a Playwright browser server (npm run browser-server prints one)',
        }),
      ),
      PREFLIGHT: bool('PREFLIGHT'),
      EXPECT_TIMEOUT_MS: int('EXPECT_TIMEOUT_MS', 1),
      PAGE_BUDGET_MS: int('PAGE_BUDGET_MS', 1),
      SMOKE_PATHS: optional(z.string()),
      ALLOWED_NOISE: optional(z.string()),
      DEPLOY_TIMEOUT_MS: int('DEPLOY_TIMEOUT_MS', 1),
      DEPLOY_GAP_BUDGET_MS: int('DEPLOY_GAP_BUDGET_MS'),
      DEPLOY_VISUAL: bool('DEPLOY_VISUAL'),
      DEPLOY_VISUAL_BUDGET: optional(visualBudget('DEPLOY_VISUAL_BUDGET')),
      LOCAL_PORT: int('LOCAL_PORT', 1),
      SUPERLISTS_LOCAL_PORT: int('SUPERLISTS_LOCAL_PORT', 1),
      SUPERLISTS_LOCAL_DATA: optional(z.string()),
      SUPERLISTS_LOCAL_DATABASE: optional(
        z.enum(['postgres', 'sqlite'], {
          error: 'SUPERLISTS_LOCAL_DATABASE must be postgres or sqlite',
        }),
      ),
      SUPERLISTS_FAULT: optional(z.string()),
    })
    .transform((v, ctx) => {
      const { io, chosen } = v.$ctx;
      if (v.BROWSER_PATH !== undefined && !io.exists(v.BROWSER_PATH)) {
        return fail(ctx, `BROWSER_PATH=${v.BROWSER_PATH}: no such file`);
      }
      if (!v.SUPERLISTS_RUN_ID) {
        return fail(
          ctx,
          'SUPERLISTS_RUN_ID is not set: run the suite with npx playwright test (its config sets it)',
        );
      }
      const localPort = v.LOCAL_PORT ?? v.SUPERLISTS_LOCAL_PORT;
      if (localPort === undefined && chosen.includes('local')) {
        return fail(ctx, 'LOCAL_PORT is not set and no port was inherited: set LOCAL_PORT');
      }
      const allowedNoise: RegExp[] = [];
      for (const pattern of list(v.ALLOWED_NOISE)) {
        try {
          allowedNoise.push(new RegExp(pattern));
        } catch {
          return fail(ctx, `ALLOWED_NOISE: "${pattern}" is not a valid regular expression`);
        }
      }
      // Playwright's own Chromium wins where `npx playwright install chromium` worked.
      const ownBrowsers =
        v.PLAYWRIGHT_BROWSERS_PATH ?? path.join(v.HOME ?? '/root', '.cache', 'ms-playwright');
      const browserPath =
        v.BROWSER_PATH ??
        (io.exists(ownBrowsers) ? undefined : BROWSER_CANDIDATES.find((file) => io.exists(file)));
      const ci = v.CI ?? false;
      return {
        runId: v.SUPERLISTS_RUN_ID,
        /** The commit of the suite being run (GITHUB_SHA, else git), for reports. */
        commit: v.GITHUB_SHA ?? v.SUPERLISTS_COMMIT ?? 'unknown',
        /** html, junit and Allure reports besides the list (default: on CI). */
        fullReports: v.FULL_REPORTS ?? ci,
        /** A blob report too, for sharded runs whose reports are merged (BLOB_REPORT). */
        blobReport: v.BLOB_REPORT ?? false,
        /** Playwright's trace mode (TRACE): retain-on-failure by default, `on` to keep every trace. */
        trace: v.TRACE ?? 'retain-on-failure',
        /**
         * What a trace records (TRACE_DETAIL): `light` (default) the actions, network, console and
         * errors; `full` also a DOM snapshot around every action and a screencast, which costs a
         * green run about a quarter of its time.
         */
        traceDetail: v.TRACE_DETAIL ?? 'light',
        /**
         * Worker processes (WORKERS): default one per core. A story is CPU-bound on this side
         * (the browser renders, the runner and the worker drive it), so a worker per core keeps
         * every core busy; more workers than cores were slower in the bench, even against a
         * target on another process (README, Performance). Playwright's own default is half.
         */
        workers: v.WORKERS ?? defaultWorkers(),
        retries: v.RETRIES ?? 0,
        /** Retries of a request that failed for infrastructure reasons (INFRA_RETRIES, default 2). */
        infraRetries: v.INFRA_RETRIES ?? 2,
        ci,
        /** The browser binary, or undefined for Playwright's own Chromium. */
        browserPath,
        /** A remote Playwright browser server to use instead of a local browser (your own grid). */
        browserWsEndpoint: v.BROWSER_WS_ENDPOINT,
        /** Check each chosen target (DNS, TCP, TLS, HTTP) before any test runs. */
        preflight: v.PREFLIGHT ?? true,
        /** How long web-first assertions wait, in milliseconds. */
        expectTimeoutMs: v.EXPECT_TIMEOUT_MS ?? 5000,
        /** Per-page response budget in milliseconds (smoke). */
        pageBudgetMs: v.PAGE_BUDGET_MS ?? 2000,
        /** Extra read-only paths for the smoke checks. */
        smokePaths: list(v.SMOKE_PATHS),
        /** Console messages or request URLs matching one of these are known noise, not failures. */
        allowedNoise,
        /** Bounded wait for a redeploy to show a new release. */
        deployTimeoutMs: v.DEPLOY_TIMEOUT_MS ?? 120_000,
        /** Longest acceptable unavailable gap during a deploy; undefined = report only. */
        deployGapBudgetMs: v.DEPLOY_GAP_BUDGET_MS,
        /** Picture the pages before and after a redeploy and compare them (DEPLOY_VISUAL, default on). */
        deployVisual: v.DEPLOY_VISUAL ?? true,
        /** The largest share of each page's pixels a deploy may change; undefined = report only. */
        deployVisualBudget: v.DEPLOY_VISUAL_BUDGET,
        /** Port of the built-in site (local target); 0 when it does not run. */
        localPort: localPort ?? 0,
        /** Data folder of the built-in site, when overridden. */
        localDataDir: v.SUPERLISTS_LOCAL_DATA,
        /** The built-in site's database: postgres (embedded, the default) or sqlite (a file). */
        localDatabase: v.SUPERLISTS_LOCAL_DATABASE ?? 'postgres',
        /** A named fault for the built-in site (the fault catalogue sets it). */
        localFault: v.SUPERLISTS_FAULT,
      };
    });
}

/** Suite-wide settings. */
export type SuiteSettings = z.output<ReturnType<typeof suiteSchema>>;

/** Each schema, built on first use and kept: building and compiling one costs milliseconds. */
const schemas: {
  suite?: ReturnType<typeof suiteSchema>;
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
  const chosen = chosenTargets(env, argv);
  const suite = parseOrThrow((schemas.suite ??= suiteSchema()), { ...env, $ctx: { io, chosen } });
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
    const $ctx: TargetContext = { io, home: trimmed(env.HOME), localPort: suite.localPort };
    const parsed = parseOrThrow((schemas.targets[name] ??= targetSchema(name)), { ...own, $ctx });
    targets[name] = parsed.settings;
    secrets[name] = parsed.secrets;
  }
  return { suite, chosen, targets, secrets };
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
  return parseEnvFile(io.readText(file), path.basename(file));
}

/** Parses the text of an env file named `name`; a line that is not NAME=value or a comment is refused. */
export function parseEnvFile(text: string, name: string): Record<string, string> {
  text.split('\n').forEach((line, index) => {
    if (/^\s*(#.*)?$/.test(line) || /^\s*(export\s+)?[A-Za-z_][A-Za-z0-9_]*\s*=/.test(line)) return;
    throw new ConfigError(`${name} line ${index + 1}: expected NAME=value (or a # comment)`);
  });
  return dotenv.parse(text);
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
