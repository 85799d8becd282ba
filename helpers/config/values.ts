/** Values: the targets' names, the shapes of parsed values, and one parser per kind of variable (with the did-you-mean of a misspelled word). */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

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

export type Env = Readonly<Record<string, string | undefined>>;
export type Ctx = z.core.$RefinementCtx;

/** Records the one line for a bad value; every issue the schema raises carries its own line. */
export function fail(ctx: Ctx, message: string): typeof z.NEVER {
  ctx.issues.push({ code: 'custom', message, input: undefined });
  return z.NEVER;
}

// ---------------------------------------------------------------- the shapes of parsed values

export const sshSchema = z.object({
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

/** The description that marks a variable set by the runner, CI or the machine, not a person. */
export const INTERNAL = 'internal';

/** A variable the runner, CI or the machine sets (no need to document it in .env.example). */
export function internal<T extends z.ZodType>(schema: T): T {
  return schema.describe(INTERNAL);
}

/** A variable's value, trimmed; unset and empty both read as undefined. */
export const trimmed = (value: unknown) =>
  typeof value === 'string' && value.trim() ? value.trim() : undefined;

/** An optional variable whose set value must pass `inner`. */
export function optional<T extends z.ZodType>(inner: T) {
  return z.preprocess(trimmed, inner.optional()).optional();
}

export function bool(name: string) {
  return optional(
    z.stringbool({
      truthy: ['1', 'true', 'yes', 'on'],
      falsy: ['0', 'false', 'no', 'off'],
      case: 'insensitive',
      error: (issue) => `${name}=${String(issue.input)} is not a boolean: use true or false`,
    }),
  );
}

export function int(name: string, min = 0) {
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

export function oneOf<const T extends readonly [string, ...string[]]>(name: string, choices: T) {
  return optional(
    z.enum(choices, {
      error: (issue) => `${name}=${String(issue.input)}: choose one of ${choices.join(', ')}`,
    }),
  );
}

export function list(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
}

/**
 * The edit distance of `a` and `b` (optimal string alignment: an insertion, a deletion, a change
 * or two neighbours swapped count one each), for "did you mean" hints.
 */
export function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) =>
    Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i]![j] = Math.min(d[i]![j]!, d[i - 2]![j - 2]! + 1);
      }
    }
  }
  return d[a.length]![b.length]!;
}

/** The known word nearest to `word`, when near enough to be what was meant. */
export function nearest(word: string, known: readonly string[]): string | undefined {
  const limit = Math.max(2, Math.floor(word.length * 0.4));
  let best: { name: string; distance: number } | undefined;
  for (const name of known) {
    // The distance is at least the difference in length: a word that cannot be near enough, or
    // nearer than the best so far, is not measured (every process checks its whole environment).
    const gap = Math.abs(word.length - name.length);
    if (gap > limit || (best && gap >= best.distance)) continue;
    const distance = editDistance(word, name);
    if (!best || distance < best.distance) best = { name, distance };
  }
  return best && best.distance <= limit ? best.name : undefined;
}

/** ` (did you mean X?)` when some known word is near `word`, else ''. */
export function didYouMean(word: string, known: readonly string[]): string {
  const hint = nearest(word, known);
  return hint ? ` (did you mean ${hint}?)` : '';
}

/**
 * What a target may declare it requires (<TARGET>_REQUIRE), and the test tag each stands for; a
 * test counts under the first word whose tag it carries (the login story, `@story @accounts`, is
 * `accounts`). `database` has no tests of its own: it is the deploy spec's database checks.
 */
export const CAPABILITIES = {
  // Most specific first: a test counts under the first tag it carries (the drill: @rollback).
  rollback: '@rollback',
  deploy: '@deploy',
  server: '@server',
  accounts: '@accounts',
  database: undefined,
  stories: '@story',
  smoke: '@smoke',
} as const;
export type Capability = keyof typeof CAPABILITIES;
const CAPABILITY_WORDS = Object.keys(CAPABILITIES) as Capability[];

/** <TARGET>_REQUIRE: capability words, comma separated; an unknown word is refused with a hint. */
export function capabilities(name: string) {
  return z.string().transform((value, ctx) => {
    const words = list(value);
    const unknown = words.find((word) => !(CAPABILITY_WORDS as string[]).includes(word));
    if (unknown !== undefined) {
      return fail(
        ctx,
        `${name}: "${unknown}" is not a capability${didYouMean(unknown, CAPABILITY_WORDS)}: use ${CAPABILITY_WORDS.join(', ')}`,
      );
    }
    return [...new Set(words)] as Capability[];
  });
}

export function httpUrl(name: string) {
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

export function action(name: string) {
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
export function commandOf(name: string, placeholder: string, usage: string) {
  return z.string().transform((value, ctx): CommandAction => {
    const match = /^(ssh|cmd):(.+)$/s.exec(value);
    if (!match || !match[2]!.includes(placeholder)) return fail(ctx, `${name} ${usage}`);
    return { kind: match[1] as CommandAction['kind'], command: match[2]!.trim() };
  });
}

export function mailbox(name: string) {
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

export function testEmail(name: string) {
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

/** Where a release's collected static files are: a folder here, or `ssh:FOLDER` on the server. */
export type StaticRoot = { where: 'here' | 'ssh'; folder: string };

/**
 * <TARGET>_STATIC_ROOT: `/srv/site/static` (here) or `ssh:sites/staging/static` (over SSH);
 * `{release}` becomes the release the probe reads after the deploy (`releases/{release}/static`).
 */
export function staticRoot(name: string) {
  return z.string().transform((value, ctx): StaticRoot => {
    const remote = value.trim().startsWith('ssh:');
    const folder = value.trim().replace(/^ssh:/, '').trim();
    if (!folder || (!remote && !path.isAbsolute(folder)))
      return fail(
        ctx,
        `${name}=${value}: give the new release's collected static folder, absolute (/srv/staging/static) or on the server (ssh:sites/staging/static)`,
      );
    return { where: remote ? 'ssh' : 'here', folder };
  });
}
