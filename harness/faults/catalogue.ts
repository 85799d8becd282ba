/**
 * The fault catalogue: each entry is one realistic way a deploy breaks a site, and how to make a
 * target misbehave that way. `npm run faults` runs the suite against each and proves that some
 * check fails on it.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { FAULTS as SITE_FAULTS, SHIPPED_BY_A_REDEPLOY } from '../reference-site/src/faults.ts';

const SERVER_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'server.sh');
const CONTAINER_SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'container.sh');

/** One fault, and how to run the suite against a target that has it. */
export interface Fault {
  name: string;
  /** One line: what goes wrong, as a team would see it. */
  description: string;
  /**
   * `local`: the built-in site; `server`: the real local server (server/), brought up for it;
   * `container`: its third-edition target (one container, SQLite; .env.container).
   */
  target: 'local' | 'server' | 'container';
  /** Environment for the suite run (e.g. SUPERLISTS_FAULT for the built-in site). */
  env?: Record<string, string>;
  /** Playwright arguments: which project and tests run against the fault. */
  args: string[];
  /** A command (argv) that breaks the target before the run; the server is restored after. */
  apply?: string[];
  /**
   * `preflight`: the check that catches this fault is preflight (global setup), which stops the
   * run with one line and exit 2 before any test: the runner counts that as caught, by the
   * `preflight` row of the matrix, when the line matches {@link Fault.expectedLine}.
   */
  caughtBy?: 'preflight';
  /** With `caughtBy`: the line preflight must print (the text after `superlists-live-tests: `). */
  expectedLine?: RegExp;
}

/** Faults only an https target can show. */
const HTTPS_ONLY = new Set(['mixed-content', 'login-link-http']);

/** Site faults that show only across a redeploy: the deploy spec catches them. */
const ACROSS_A_DEPLOY = new Set<string>(['secret-regenerated-on-deploy', ...SHIPPED_BY_A_REDEPLOY]);

/**
 * What a redeploy ships that only the before/after pictures see: with a budget the deploy spec
 * fails on it (without one it reports the diff). A healthy redeploy changes 0 % of the pixels.
 */
const PICTURE_BUDGET = { DEPLOY_VISUAL_BUDGET: '0.1%' };

/** Faults of the site itself: the built-in site started with SUPERLISTS_FAULT=<name>. */
const siteFaults: Fault[] = SITE_FAULTS.filter(({ name }) => !HTTPS_ONLY.has(name)).map(
  ({ name, description }) => ({
    name,
    description,
    target: 'local',
    env: {
      SUPERLISTS_FAULT: name,
      ...((SHIPPED_BY_A_REDEPLOY as ReadonlySet<string>).has(name) ? PICTURE_BUDGET : {}),
    },
    // The deploy spec has deploy faults of its own (below); leaving it out here saves a redeploy
    // per fault.
    args: ACROSS_A_DEPLOY.has(name)
      ? ['--project=local', 'tests/deploy']
      : ['--project=local', '--grep-invert', '@deploy'],
  }),
);

/** Production's https front: the smoke checks against the real server's production site. */
const productionSmoke = ['--project=production', '--grep', '@smoke'];
const httpsFaults: Fault[] = [
  {
    name: 'no-hsts',
    description: 'nginx lost its Strict-Transport-Security header on the https site',
    apply: ['bash', SERVER_SCRIPT, 'apply', 'no-hsts'],
  },
  {
    name: 'http-not-redirected',
    description: 'plain http serves the site instead of redirecting to https',
    apply: ['bash', SERVER_SCRIPT, 'apply', 'http-not-redirected'],
  },
  {
    name: 'mixed-content',
    description: SITE_FAULTS.find((f) => f.name === 'mixed-content')!.description,
    apply: ['bash', SERVER_SCRIPT, 'apply', 'mixed-content'],
  },
  {
    name: 'insecure-cookies',
    description:
      "production's session and CSRF cookies are set without Secure over https (SESSION_COOKIE_SECURE, CSRF_COOKIE_SECURE at 0)",
    apply: ['bash', SERVER_SCRIPT, 'apply', 'insecure-cookies'],
  },
].map((fault) => ({ ...fault, target: 'server' as const, args: productionSmoke }));

/** The real server's nginx broken so that no page can load: preflight stops the run in seconds. */
const preflightFaults: Fault[] = [
  {
    name: 'nginx-drops-host',
    description:
      "staging's nginx proxies to a named upstream without forwarding Host: the app answers 400 to every request",
    target: 'server',
    args: ['--project=staging'],
    apply: ['bash', SERVER_SCRIPT, 'apply', 'nginx-drops-host'],
    caughtBy: 'preflight',
    expectedLine: /answers 400/,
  },
  {
    name: 'https-redirect-loop',
    description:
      "production's https server redirects to itself forever (an https redirect waiting for an X-Forwarded-Proto no proxy sets)",
    target: 'server',
    args: ['--project=production'],
    apply: ['bash', SERVER_SCRIPT, 'apply', 'https-redirect-loop'],
    caughtBy: 'preflight',
    expectedLine: /redirects in a loop/,
  },
];

/** Stage 3 (login mail, sessions) broken on the real server: caught by the stage-3 stories. */
const stage3ServerFaults: Fault[] = [
  {
    name: 'login-mail-not-sent',
    description:
      "staging's EMAIL_URL names a port nothing listens on: the login email never leaves the site",
    target: 'server',
    args: ['--project=staging', '--grep', '@accounts'],
    apply: ['bash', SERVER_SCRIPT, 'apply', 'login-mail-not-sent'],
  },
  {
    name: 'login-link-http-on-https',
    description:
      "production's nginx stopped sending X-Forwarded-Proto: the login link mailed from the https site starts with http://",
    target: 'server',
    // The login story writes: allowed on production for this fault's run only.
    args: ['--project=production', 'tests/functional/login.spec.ts'],
    env: { PRODUCTION_ALLOW_WRITES: 'true' },
    apply: ['bash', SERVER_SCRIPT, 'apply', 'login-link-http-on-https'],
  },
];

/** Broken deploys of the real server's staging site, triggered by the deploy spec over SSH. */
const deployFaults: Fault[] = [
  ['recreates-database', 'the deploy drops and recreates the tables: every list is lost'],
  ['changes-nothing', 'the deploy command says it deployed but the old release keeps running'],
  ['loses-static-files', 'the deploy forgets collectstatic: the new release has no static files'],
  ['fails-half-way', 'the deploy fails at migrate, after the release was built'],
  ['skips-migration', 'the new release needs migration 0002 and the deploy does not run migrate'],
  [
    'regenerates-secret-key',
    'the deploy writes a fresh SECRET_KEY into the site env: every session signed before it is void',
  ],
].map(([name, description]) => ({
  name: name!,
  description: description!,
  target: 'server',
  args: ['--project=staging', 'tests/deploy'],
  env: {
    STAGING_DEPLOY: `ssh:bash ${SERVER_SCRIPT} deploy ${name} staging`,
    // A deploy that changes nothing is caught when the release never changes: wait less for it.
    DEPLOY_TIMEOUT_MS: '15000',
  },
}));

/**
 * The real server's staging site broken where a browser cannot see it (yet): caught by the server
 * checks (tests/server, `@server`), run over SSH. faults/server.sh applies each and restores.
 */
const serverChecksFaults: Fault[] = [
  ['dependency-missing', 'the live release lacks a production dependency (@fastify/formbody)'],
  [
    'dependency-version-drift',
    'fastify in the live release is not the version package-lock.json locks (npm install on the server)',
  ],
  ['migration-pending', 'the live release ships a migration (0003) that was never applied'],
  [
    'nginx-config-invalid',
    'nginx.conf on disk has a syntax error, never tested: the next reload or reboot fails',
  ],
  [
    'app-not-reloaded',
    'a deploy switched current but never reloaded the app: the previous release still runs',
  ],
  ['static-stale', "nginx serves /static/ from a stale copy, not the live release's folder"],
  ['disk-full', "the filesystem of the site's logs is full"],
  [
    'database-password-rotated',
    "the database role's password changed in PostgreSQL but not in the site's env",
  ],
].map(([name, description]) => ({
  name: name!,
  description: description!,
  target: 'server',
  args: ['--project=staging', '--grep', '@server'],
  apply: ['bash', SERVER_SCRIPT, 'apply', name!],
}));

/**
 * The book's third-edition deploy mistakes, on the `superlists` container (server/container.ts):
 * broken deploys the deploy spec triggers over SSH, and one the server checks catch.
 */
const containerFaults: Fault[] = [
  ...[
    [
      'no-db-mount',
      'the SQLite file is not bind-mounted: every recreate starts with an empty database',
    ],
    ['db-owned-by-root', 'the host database file is owned by root: reads work, every write fails'],
    [
      'new-secret-key',
      'the deploy makes a new secret key every time: every session signed before is void',
    ],
    ['wrong-port', 'the new container listens on another port than the one the site is reached at'],
  ].map(([name, description]) => ({
    name: name!,
    description: description!,
    target: 'container' as const,
    args: ['--project=staging', 'tests/deploy'],
    env: {
      STAGING_DEPLOY: `ssh:bash ${CONTAINER_SCRIPT} deploy ${name}`,
      DEPLOY_TIMEOUT_MS: '15000',
    },
  })),
  ...[
    [
      'skip-migrate',
      'a recreate ships a new table (migration 0004) and the deploy forgets migrate',
    ],
    ['debug-on', 'the container runs with a debug switch on (the debug 404 page)'],
    ['not-recreated', 'the deploy built the new image but the container still runs the old one'],
    ['secret-key-readable', 'the secret-key file on the server is readable by every user'],
    [
      'db-chowned-to-root',
      'the host database file now belongs to root: the container cannot write it',
    ],
  ].map(([name, description]) => ({
    name: name!,
    description: description!,
    target: 'container' as const,
    args: ['--project=staging', '--grep', '@server'],
    apply: ['bash', CONTAINER_SCRIPT, 'apply', name!],
  })),
];

export const CATALOGUE: readonly Fault[] = [
  ...siteFaults,
  ...httpsFaults,
  ...preflightFaults,
  ...stage3ServerFaults,
  ...deployFaults,
  ...serverChecksFaults,
  ...containerFaults,
];
