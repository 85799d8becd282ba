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
  /**
   * Settings the healthy baseline needs too: the ones that turn on a check that is off by default
   * (its healthy run proves it passes; the fault's run, with the same settings, that it fails).
   */
  baselineEnv?: Record<string, string>;
  /** Playwright arguments: which project and tests run against the fault (and its healthy run). */
  args: string[];
  /**
   * The spec files that must catch this fault. When given, only these run against it (a few
   * seconds instead of the whole suite); if they all pass, the runner tries `args` whole before it
   * calls the fault uncaught, and says this list is wrong. The healthy run always runs `args` whole.
   */
  checks?: string[];
  /**
   * The tests, by title, that must catch this fault, when they share a file with tests that
   * cannot (the server checks: one test per check of a target's configuration). Narrows the run
   * the way {@link Fault.checks} does, by `--grep` in place of the one `args` has.
   */
  checkTitles?: string[];
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

/**
 * The checks each site fault must fail (spec files under tests/): run alone against the fault.
 * A fault not listed runs the whole suite, as every fault used to (about 20 s each, most of
 * `npm run faults`). Every check still has to be killed by some fault: the matrix proves it.
 */
const SITE_FAULT_CHECKS: Partial<Record<string, string[]>> = {
  'static-not-served': ['smoke/static-files', 'smoke/css-applied', 'functional/layout-and-styling'],
  'css-wrong-type': ['smoke/static-files', 'smoke/css-applied'],
  'css-empty': ['smoke/static-files', 'smoke/css-applied'],
  'js-missing': ['smoke/static-files', 'smoke/clean-load'],
  'static-cached-forever': ['smoke/static-files'],
  'js-error': ['smoke/clean-load', 'functional/validation'],
  'missing-favicon': ['smoke/clean-load', 'smoke/static-files'],
  'debug-404': ['smoke/not-found'],
  'shared-list': ['functional/multiple-users'],
  'no-server-validation': ['functional/validation'],
  'duplicate-message-changed': ['functional/validation'],
  'numbering-off-by-one': ['functional/new-visitor'],
  'centring-lost': ['smoke/css-applied', 'functional/layout-and-styling'],
  'feedback-not-cleared': ['functional/validation'],
  'slow-pages': ['smoke/response-time'],
  'add-item-broken': ['functional/new-visitor'],
  'wrong-title': ['functional/new-visitor'],
  'unescaped-item': ['functional/new-visitor'],
  'home-shows-a-list': ['functional/multiple-users'],
  'any-host': ['smoke/not-found'],
  'static-catch-all': ['smoke/not-found'],
  'lists-js-as-html': ['smoke/static-files'],
  'post-forbidden': ['functional/new-visitor'],
  'no-login-mail': ['functional/login'],
  'login-link-wrong-host': ['functional/login'],
  'sharing-does-nothing': ['functional/sharing'],
  'my-lists-shows-everyone': ['functional/my-lists'],
  'logout-keeps-session': ['functional/login'],
  'login-link-not-checked': ['functional/login'],
  'no-login-form': ['smoke/accounts'],
  'item-escaped-twice': ['functional/new-visitor'],
  'item-text-ascii-only': ['functional/new-visitor'],
  // The deploy process, deeper (issue 25): the deploy spec's older rows, the rollback drill.
  'unique-without-data-migration': ['deploy/redeploy'],
  'rollback-not-switched': ['deploy/rollback'],
  'rollback-restores-snapshot': ['deploy/rollback'],
  'rollback-loses-secret-key': ['deploy/rollback'],
};

/** Site faults that show only across a redeploy: the deploy spec catches them, or the drill. */
const ACROSS_A_DEPLOY = new Set<string>([
  'secret-regenerated-on-deploy',
  ...SHIPPED_BY_A_REDEPLOY,
  'unique-without-data-migration',
  'rollback-not-switched',
  'rollback-restores-snapshot',
  'rollback-loses-secret-key',
]);

/**
 * Site faults that only a check turned on by a setting catches: the setting, and the spec. The
 * healthy baseline runs with the setting too (the built-in site then behaves as it declares).
 */
const WITH_A_CHECK_TURNED_ON: Record<string, { env: Record<string, string>; spec: string }> = {
  // The site is set for single-use links (LOCAL_LOGIN_LINKS starts it with LOGIN_LINKS=single-use).
  'token-reusable': {
    env: { LOCAL_LOGIN_LINKS: 'single-use' },
    spec: 'tests/functional/login.spec.ts',
  },
};

/**
 * Settings a fault's run needs beside the fault. The built-in site's deploy and rollback commands
 * return once the release they started serves, so a release that never comes is certain within
 * seconds, not after the 2 minutes (DEPLOY_TIMEOUT_MS) a real target's probe may need.
 */
const FAULT_SETTINGS: Partial<Record<string, Record<string, string>>> = {
  'rollback-not-switched': { DEPLOY_TIMEOUT_MS: '10000' },
};

/** Faults of the site itself: the built-in site started with SUPERLISTS_FAULT=<name>. */
const siteFaults: Fault[] = SITE_FAULTS.filter(({ name }) => !HTTPS_ONLY.has(name)).map(
  ({ name, description }) => {
    const turnedOn = WITH_A_CHECK_TURNED_ON[name];
    return {
      name,
      description,
      target: 'local',
      // What a redeploy ships that only the before/after pictures see fails on the default
      // DEPLOY_VISUAL_BUDGET (0.1 %): a healthy redeploy changes 0 % of the pixels.
      env: { SUPERLISTS_FAULT: name, ...turnedOn?.env, ...FAULT_SETTINGS[name] },
      baselineEnv: turnedOn?.env,
      // The deploy spec has deploy faults of its own (below); leaving it out here saves a redeploy
      // per fault.
      args: turnedOn
        ? ['--project=local', turnedOn.spec]
        : ACROSS_A_DEPLOY.has(name)
          ? // By tag, not by folder: a fault's checks (spec files) then narrow the run to them.
            ['--project=local', '--grep', '@deploy']
          : ['--project=local', '--grep-invert', '@deploy'],
      // A fault across a deploy is the deploy spec's to catch unless it names its own spec: the
      // rollback drill (three deploys) runs only against the rollback faults and the healthy site.
      checks: (
        SITE_FAULT_CHECKS[name] ?? (ACROSS_A_DEPLOY.has(name) ? ['deploy/redeploy'] : undefined)
      )?.map((spec) => `tests/${spec}.spec.ts`),
    };
  },
);

/**
 * The same code path on SQLite (the book's third edition): the built-in site started with
 * SUPERLISTS_LOCAL_DATABASE=sqlite, for the faults whose catch depends on the database.
 */
const ON_SQLITE = new Set(['shared-list', 'database-not-kept']);
const sqliteSiteFaults: Fault[] = siteFaults
  .filter(({ name }) => ON_SQLITE.has(name))
  .map((fault) => ({
    ...fault,
    name: `${fault.name}-sqlite`,
    description: `${fault.description} (on SQLite)`,
    env: { ...fault.env, SUPERLISTS_LOCAL_DATABASE: 'sqlite' },
  }));

/** Production's https front: the smoke checks against the real server's production site. */
const productionSmoke = ['--project=production', '--grep', '@smoke'];
/** The https checks (tests/smoke/https.spec.ts) an https fault must fail: each runs only its own. */
const HSTS = 'the site is served over https with HSTS';
const CSRF_COOKIE_SECURE = 'the CSRF cookie is Secure';
const httpsFaults: Fault[] = [
  {
    name: 'no-hsts',
    description: 'nginx lost its Strict-Transport-Security header on the https site',
    apply: ['bash', SERVER_SCRIPT, 'apply', 'no-hsts'],
    checkTitles: [HSTS],
  },
  {
    name: 'http-not-redirected',
    description: 'plain http serves the site instead of redirecting to https',
    apply: ['bash', SERVER_SCRIPT, 'apply', 'http-not-redirected'],
    checkTitles: ['plain http redirects to https'],
  },
  {
    name: 'mixed-content',
    description: SITE_FAULTS.find((f) => f.name === 'mixed-content')!.description,
    apply: ['bash', SERVER_SCRIPT, 'apply', 'mixed-content'],
    checkTitles: ['pages load nothing over plain http (no mixed content)'],
  },
  {
    name: 'insecure-cookies',
    description:
      "production's session and CSRF cookies are set without Secure over https (SESSION_COOKIE_SECURE, CSRF_COOKIE_SECURE at 0)",
    apply: ['bash', SERVER_SCRIPT, 'apply', 'insecure-cookies'],
    checkTitles: [CSRF_COOKIE_SECURE],
  },
  // A header present with a value that turns it off (issue 24, item 6).
  {
    name: 'hsts-max-age-zero',
    description:
      'nginx sends Strict-Transport-Security: max-age=0, which tells browsers to forget HSTS',
    apply: ['bash', SERVER_SCRIPT, 'apply', 'hsts-max-age-zero'],
    checkTitles: [HSTS],
  },
  {
    name: 'static-expires-max',
    description:
      "production's nginx serves /static/ with `expires max` (a common tuning): browsers keep lists.js and the CSS for ten years under names a deploy reuses",
    apply: ['bash', SERVER_SCRIPT, 'apply', 'static-expires-max'],
    checks: ['tests/smoke/static-files.spec.ts'],
  },
  {
    name: 'cookies-samesite-none',
    description:
      "production's nginx marks the session and CSRF cookies SameSite=None: Secure, but sent with requests from any site",
    apply: ['bash', SERVER_SCRIPT, 'apply', 'cookies-samesite-none'],
    checkTitles: [CSRF_COOKIE_SECURE],
  },
].map((fault) => ({
  target: 'server' as const,
  args: productionSmoke,
  checks: ['tests/smoke/https.spec.ts'],
  ...fault,
}));

/**
 * The real server's nginx broken so that no page can load: preflight stops the run in seconds,
 * before any test, whichever tests were chosen. So each runs the tests of a healthy baseline that
 * other faults need anyway (the server checks, production's smoke) rather than a whole target's.
 */
const preflightFaults: Fault[] = [
  {
    name: 'nginx-drops-host',
    description:
      "staging's nginx proxies to a named upstream without forwarding Host: the app answers 400 to every request",
    target: 'server',
    args: ['--project=staging', '--grep', '@server'],
    apply: ['bash', SERVER_SCRIPT, 'apply', 'nginx-drops-host'],
    caughtBy: 'preflight',
    expectedLine: /answers 400/,
  },
  {
    name: 'https-redirect-loop',
    description:
      "production's https server redirects to itself forever (an https redirect waiting for an X-Forwarded-Proto no proxy sets)",
    target: 'server',
    args: productionSmoke,
    apply: ['bash', SERVER_SCRIPT, 'apply', 'https-redirect-loop'],
    caughtBy: 'preflight',
    expectedLine: /redirects in a loop/,
  },
];

/** Stage 3 (login mail, sessions) broken on the real server: caught by the login story. */
const LOGIN_STORY = 'Edith logs in with the link the site mails her, then logs out';
const stage3ServerFaults: Fault[] = [
  {
    name: 'login-mail-not-sent',
    description:
      "staging's EMAIL_URL names a port nothing listens on: the login email never leaves the site",
    target: 'server',
    args: ['--project=staging', '--grep', '@accounts'],
    checks: ['tests/functional/login.spec.ts'],
    checkTitles: [LOGIN_STORY],
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
    checkTitles: [LOGIN_STORY],
    apply: ['bash', SERVER_SCRIPT, 'apply', 'login-link-http-on-https'],
  },
];

/**
 * How long the deploy spec waits for a new release after a real server's deploy command returned
 * (DEPLOY_TIMEOUT_MS). Its deploy scripts return only once the new release answers (on the app's
 * port and through nginx, or from the new container), so a release that has not come by then never
 * will: 5 s is margin for a busy runner, where 15 s made `changes-nothing` the lane's longest run.
 */
const DEPLOYED_WHEN_IT_RETURNS = '5000';

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
  // The deploy spec's: the rollback drill (three deploys) would only add its time to each.
  args: ['--project=staging', 'tests/deploy/redeploy.spec.ts'],
  env: {
    STAGING_DEPLOY: `ssh:bash ${SERVER_SCRIPT} deploy ${name} staging`,
    // A deploy that changes nothing is caught when the release never changes. The server's deploy
    // returns once its new release answers, so the wait after it is margin, not a deploy's time.
    DEPLOY_TIMEOUT_MS: DEPLOYED_WHEN_IT_RETURNS,
  },
}));

/** Titles of the server checks (harness/server/checks.json) more than one fault must fail. */
const DEPENDENCIES_INSTALLED = 'production dependencies are installed (npm ls)';
const PACKAGES_MATCH_LOCK = 'installed packages match package-lock.json';
const NO_MIGRATION_PENDING = 'no database migration is pending';

/**
 * The real server's staging site broken where a browser cannot see it (yet): caught by the server
 * checks (tests/server, `@server`), run over SSH. faults/server.sh applies each and restores.
 * Each runs only the checks it must fail (a check is a test, titled by its name in checks.json).
 */
const serverChecksFaults: Fault[] = (
  [
    [
      'dependency-missing',
      'the live release lacks a production dependency (@fastify/formbody)',
      [DEPENDENCIES_INSTALLED, PACKAGES_MATCH_LOCK],
    ],
    [
      'dependency-version-drift',
      'fastify in the live release is not the version package-lock.json locks (npm install on the server)',
      [PACKAGES_MATCH_LOCK],
    ],
    [
      'migration-pending',
      'the live release ships a migration (0003) that was never applied',
      [NO_MIGRATION_PENDING],
    ],
    [
      'nginx-config-invalid',
      'nginx.conf on disk has a syntax error, never tested: the next reload or reboot fails',
      ['nginx configuration is valid (nginx -t)'],
    ],
    [
      'app-not-reloaded',
      'a deploy switched current but never reloaded the app: the previous release still runs',
      ['the app runs the live release under its supervisor'],
    ],
    [
      'static-stale',
      "nginx serves /static/ from a stale copy, not the live release's folder",
      ["nginx serves the live release's static files"],
    ],
    ['disk-full', "the filesystem of the site's logs is full", ['free disk space is above 500 MB']],
    [
      'database-password-rotated',
      "the database role's password changed in PostgreSQL but not in the site's env",
      ['the database answers from the server'],
    ],
  ] as const
).map(([name, description, checkTitles]) => ({
  name,
  description,
  target: 'server',
  args: ['--project=staging', '--grep', '@server'],
  checkTitles: [...checkTitles],
  apply: ['bash', SERVER_SCRIPT, 'apply', name],
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
    args: ['--project=staging', 'tests/deploy/redeploy.spec.ts'],
    env: {
      STAGING_DEPLOY: `ssh:bash ${CONTAINER_SCRIPT} deploy ${name}`,
      DEPLOY_TIMEOUT_MS: DEPLOYED_WHEN_IT_RETURNS,
    },
  })),
  ...(
    [
      [
        'skip-migrate',
        'a recreate ships a new table (migration 0004) and the deploy forgets migrate',
        'no database migration is pending inside the container',
      ],
      [
        'debug-on',
        'the container runs with a debug switch on (the debug 404 page)',
        'debug is off inside the container (production mode, no fault switch)',
      ],
      [
        'not-recreated',
        'the deploy built the new image but the container still runs the old one',
        'the container runs the image the last deploy built',
      ],
      [
        'secret-key-readable',
        'the secret-key file on the server is readable by every user',
        'the secret-key file is on the server, not world-readable, and the container uses it',
      ],
      [
        'db-chowned-to-root',
        'the host database file now belongs to root: the container cannot write it',
        "the database file is the host's, bind-mounted, and writable by the container's user",
      ],
    ] as const
  ).map(([name, description, checkTitle]) => ({
    name,
    description,
    target: 'container' as const,
    args: ['--project=staging', '--grep', '@server'],
    checkTitles: [checkTitle],
    apply: ['bash', CONTAINER_SCRIPT, 'apply', name],
  })),
];

export const CATALOGUE: readonly Fault[] = [
  ...siteFaults,
  ...sqliteSiteFaults,
  ...httpsFaults,
  ...preflightFaults,
  ...stage3ServerFaults,
  ...deployFaults,
  ...serverChecksFaults,
  ...containerFaults,
];
