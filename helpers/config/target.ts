/** A target's settings: the schema of its `<NAME>_*` variables and what a required capability needs. */
import path from 'node:path';
import { z } from 'zod';
import { ROOT } from './paths.ts';
import { databaseSettingsProblem } from '../database/index.ts';
import {
  type Action,
  type Capability,
  type CommandAction,
  type ConfigIo,
  type Ctx,
  type SshSettings,
  type TargetName,
  action,
  bool,
  capabilities,
  commandOf,
  fail,
  httpUrl,
  int,
  list,
  mailbox,
  oneOf,
  optional,
  sshSchema,
  testEmail,
  staticRoot,
} from './values.ts';
import { selectors } from './budgets.ts';
import { type ServerCheck, serverChecks } from './checks-file.ts';
import { LOCAL_DEFAULTS } from './local-defaults.ts';

// ------------------------------------------------------------------------------- the targets

/** What a target's schema needs besides its variables. */
export interface TargetContext {
  io: ConfigIo;
  home: string | undefined;
  localPort: number;
  /** The built-in site's database URL, when the suite knows it. */
  localDatabaseUrl?: string;
  /** The run's token for the built-in site's create_session route (entry.ts makes it). */
  localSessionToken?: string;
}

/**
 * The settings of target `name`, read from its `<NAME>_*` variables (keys without the prefix) and
 * `$ctx`. Built once per name: zod compiles an object schema on its first parse.
 */
export function targetSchema(name: TargetName) {
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
      ROLLBACK: optional(action(`${P}_ROLLBACK`)),
      ROLLBACK_KEEPS_DATA: bool(`${P}_ROLLBACK_KEEPS_DATA`),
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
      LOGIN_LINKS: oneOf(`${P}_LOGIN_LINKS`, ['reusable', 'single-use'] as const),
      VISUAL_MASK: optional(selectors(`${P}_VISUAL_MASK`)),
      STATIC_ROOT: optional(staticRoot(`${P}_STATIC_ROOT`)),
      REQUIRE: optional(capabilities(`${P}_REQUIRE`)),
      EXPECT_RELEASE: optional(z.string()),
      ALERT_AFTER: int(`${P}_ALERT_AFTER`, 1),
    })
    .transform((v, ctx) => {
      const { io, home, localPort, localDatabaseUrl, localSessionToken } = v.$ctx;
      if (isLocal) v.URL = `http://127.0.0.1:${localPort}`;
      if (isLocal && v.DATABASE_URL === undefined) v.DATABASE_URL = localDatabaseUrl;
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
      if (v.STATIC_ROOT?.where === 'ssh' && !ssh)
        return fail(
          ctx,
          `${P}_STATIC_ROOT=ssh:${v.STATIC_ROOT.folder} needs ${P}_SSH (or give a folder on this machine)`,
        );
      v.LOGS ??= isLocal ? LOCAL_DEFAULTS.logs : undefined;
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
      const rollback =
        v.ROLLBACK ??
        (isLocal ? { kind: 'cmd' as const, command: LOCAL_DEFAULTS.rollback } : undefined);
      // The built-in site's own route when the run gave it a token (one request, not a node
      // process per session: 35-50 s each at load 40); its command otherwise.
      const createSession: Action | undefined =
        v.CREATE_SESSION ??
        (isLocal
          ? localSessionToken
            ? {
                kind: 'http' as const,
                method: 'POST',
                url: `${v.URL}/__create_session__?email={email}`,
              }
            : { kind: 'cmd' as const, command: LOCAL_DEFAULTS.createSession }
          : undefined);
      const box =
        v.MAILBOX ??
        (isLocal
          ? { settings: { kind: 'cmd' as const, command: LOCAL_DEFAULTS.mailbox } }
          : undefined);
      for (const [variable, value] of [
        ['DEPLOY', deploy],
        ['RELEASE_PROBE', releaseProbe],
        ['ROLLBACK', rollback],
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
      if (v.EXPECT_RELEASE && !releaseProbe) {
        return fail(
          ctx,
          `${P}_EXPECT_RELEASE is set but ${P}_RELEASE_PROBE is not: the gate cannot see which release is live (see .env.example)`,
        );
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
        /** Rolls the site back to the release before the last deploy (the rollback drill). */
        rollback,
        /**
         * A rollback must keep what was written after the deploy it undoes (default true: a code
         * rollback keeps the database); false: losing it is reported, not failed (a team whose
         * rollback restores a snapshot taken before the deploy).
         */
        rollbackKeepsData: v.ROLLBACK_KEEPS_DATA ?? true,
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
        /**
         * `reusable` (default: the contract, as the book's app does) or `single-use`: a used login
         * link must log no one in again (a check a team turns on; the built-in site then deletes
         * each token as it is used).
         */
        loginLinks: v.LOGIN_LINKS ?? 'reusable',
        /** CSS selectors masked in the deploy's before/after pictures (what changes by design). */
        visualMask: v.VISUAL_MASK ?? [],
        /**
         * Where the new release's collected static files are (here, or `ssh:` on the server): the
         * deploy spec compares what the site serves with them. The built-in site's is its data folder's.
         */
        staticRoot: v.STATIC_ROOT,
        /** What must run here (`<TARGET>_REQUIRE`): a required test that cannot run fails. */
        require: v.REQUIRE ?? [],
        /** The release the run must test (`<TARGET>_EXPECT_RELEASE`): waited for before any test. */
        expectRelease: v.EXPECT_RELEASE,
        /** Red runs in a row before an alert (`<TARGET>_ALERT_AFTER`; 2 on production, else 1). */
        alertAfter: v.ALERT_AFTER ?? (isProduction ? 2 : 1),
      };
      const missing = missingFor(settings, v.REQUIRE ?? []);
      if (missing) return fail(ctx, missing);
      const secrets: TargetSecrets = {
        databaseUrl: v.DATABASE_URL,
        mailboxUrl: box?.url,
        ...(createSession?.kind === 'http' && localSessionToken
          ? { createSessionHeaders: { authorization: `Bearer ${localSessionToken}` } }
          : {}),
      };
      return { settings, secrets };
    });
}

/**
 * The line for the first required capability (`<TARGET>_REQUIRE`) whose settings are missing, so
 * its tests would end "not applicable" or refused: the gate would be green without them.
 */
function missingFor(
  t: Omit<TargetSettings, 'require'>,
  required: readonly Capability[],
): string | undefined {
  const P = t.name.toUpperCase();
  const needs: Record<Capability, [boolean, string][]> = {
    deploy: [
      [!!t.deploy, `${P}_DEPLOY is not set`],
      [!!t.releaseProbe, `${P}_RELEASE_PROBE is not set`],
      [t.allowDeploy, `${P}_ALLOW_DEPLOY is false`],
      [!t.readOnly, `${t.name} is read-only (${P}_ALLOW_WRITES)`],
    ],
    rollback: [
      [!!t.rollback, `${P}_ROLLBACK is not set`],
      [!!t.deploy, `${P}_DEPLOY is not set`],
      [!!t.releaseProbe, `${P}_RELEASE_PROBE is not set`],
      [t.allowDeploy, `${P}_ALLOW_DEPLOY is false`],
      [!t.readOnly, `${t.name} is read-only (${P}_ALLOW_WRITES)`],
    ],
    server: [
      [!!t.ssh, `${P}_SSH is not set`],
      [!!t.serverChecks, `${P}_SERVER_CHECKS is not set`],
    ],
    accounts: [
      [t.stage3, `${P}_STAGE3 is not true`],
      [!!t.mailbox, `${P}_MAILBOX is not set`],
      [!!t.createSession, `${P}_CREATE_SESSION is not set`],
      [!t.readOnly, `${t.name} is read-only (${P}_ALLOW_WRITES)`],
    ],
    database: [[t.hasDatabase, `${P}_DATABASE_URL is not set`]],
    stories: [[!t.readOnly, `${t.name} is read-only (${P}_ALLOW_WRITES)`]],
    smoke: [],
  };
  for (const word of required) {
    const why = needs[word].find(([ok]) => !ok)?.[1];
    if (why) {
      return `${P}_REQUIRE has ${word} but ${why}: its tests could not run (set it, see .env.example, or drop ${word} from ${P}_REQUIRE)`;
    }
  }
  return undefined;
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
  /** The headers of an http create-session (the built-in site's run token). */
  createSessionHeaders?: Record<string, string>;
}
