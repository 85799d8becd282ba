/**
 * The configuration's rules as unit tests of loadSettings: every bad value is one line naming the
 * variable and the fix, never a secret; good values come out typed. Milliseconds each: no process
 * is started. The first test proves that importing the config module has no side effects.
 */
import assert from 'node:assert/strict';
import childProcess from 'node:child_process';
import fs from 'node:fs';
import { syncBuiltinESMExports } from 'node:module';
import path from 'node:path';
import { describe, it } from 'node:test';
import { SECRET } from './run.ts';

// Any process the config starts on import would show here.
const spawned: string[] = [];
for (const name of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork']) {
  (childProcess as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
    spawned.push(`${name} ${String(args[0])}`);
    throw new Error(`the config started a process: ${name}`);
  };
}
// Any env file the config reads, or any exit it asks for, on import would show here.
const touched: string[] = [];
const fsOriginals = { readFileSync: fs.readFileSync, statSync: fs.statSync };
for (const name of ['readFileSync', 'statSync'] as const) {
  const original = fsOriginals[name] as (...args: unknown[]) => unknown;
  (fs as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
    if (/(^|\/)\.env[^/]*$/.test(String(args[0]))) touched.push(`${name} ${String(args[0])}`);
    return original(...args);
  };
}
const exit = Object.getOwnPropertyDescriptor(process, 'exit')!;
process.exit = (code?: number | string | null) => {
  touched.push(`process.exit(${code})`);
  throw new Error('the config exited on import');
};
syncBuiltinESMExports();
const envBefore = JSON.stringify(process.env);
const config = await import('../../helpers/config/index.ts');
await import('../../helpers/config/entry.ts');
const envAfter = JSON.stringify(process.env);
Object.assign(fs, fsOriginals);
Object.defineProperty(process, 'exit', exit);
syncBuiltinESMExports();

const { ConfigError, loadSettings, parseEnvFile, envFileValues, ROOT } = config;
type ConfigIo = import('../../helpers/config/index.ts').ConfigIo;

/** A fake file system: `files` maps absolute paths to [mode, text]. */
function fakeIo(files: Record<string, [number, string?]> = {}): ConfigIo {
  return {
    mode: (file) => files[file]?.[0],
    exists: (file) => file in files,
    readText: (file) => {
      const entry = files[file];
      if (entry?.[1] === undefined) {
        throw Object.assign(new Error(`ENOENT: ${file}`), { code: 'ENOENT' });
      }
      return entry[1];
    },
  };
}

const BASE = { SUPERLISTS_RUN_ID: 'run-1', SUPERLISTS_LOCAL_PORT: '4000' };
const STAGING = ['node', 'playwright', 'test', '--project=staging'];
const HOST_KEY = 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
const KEY = '/keys/id';
const SSH = {
  STAGING_SSH: 'deploy@127.0.0.1:2222',
  STAGING_SSH_KEY: KEY,
  STAGING_SSH_HOST_KEY: HOST_KEY,
};

/** Loads with `env` on top of a valid base; returns the ConfigError's line, or fails. */
function lineFor(
  env: Record<string, string>,
  argv: string[] = STAGING,
  io: ConfigIo = fakeIo({ [KEY]: [0o100600] }),
): string {
  try {
    loadSettings({ ...BASE, STAGING_URL: 'http://127.0.0.1:1', ...env }, argv, io);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `not a ConfigError: ${String(error)}`);
    assert.doesNotMatch(error.message, /\n/, 'more than one line');
    assert.ok(!error.message.includes(SECRET), 'a secret leaked');
    return error.message;
  }
  assert.fail('expected a ConfigError');
}

describe('importing the config', () => {
  it('starts no process, writes no variable, reads no env file and never exits', () => {
    assert.deepEqual(spawned, []);
    assert.equal(envAfter, envBefore);
    assert.deepEqual(touched, []);
  });
});

describe('bad values: one line naming the variable and the fix', () => {
  const checks = (text: string) => ({
    STAGING_SERVER_CHECKS: 'checks.json',
    _files: text,
  });
  const CHECKS_FILE = path.join(ROOT, 'checks.json');
  const cases: [string, Record<string, string>, RegExp, string[]?][] = [
    [
      'a missing STAGING_URL',
      { STAGING_URL: '' },
      /^STAGING_URL is not set: --project=staging needs .*\.env\.example/,
    ],
    [
      'a malformed URL',
      { STAGING_URL: 'staging.example.com' },
      /^STAGING_URL is not a valid URL: give one like https:/,
    ],
    ['a URL that is not http', { STAGING_URL: 'ftp://x' }, /^STAGING_URL must start with http/],
    [
      'an unknown project',
      {},
      /^unknown project "stagign": choose one of local, staging/,
      ['--project=stagign'],
    ],
    [
      'a budget that is not a number',
      { PAGE_BUDGET_MS: 'fast' },
      /^PAGE_BUDGET_MS=fast is not a whole number >= 1/,
    ],
    ['zero workers', { WORKERS: '0' }, /^WORKERS=0 is not a whole number >= 1/],
    [
      'a boolean that is not one',
      { STAGING_ALLOW_WRITES: 'maybe' },
      /^STAGING_ALLOW_WRITES=maybe is not a boolean: use true or false/,
    ],
    [
      'an unknown trace mode',
      { TRACE: 'always' },
      /^TRACE=always: choose one of retain-on-failure, on, off, on-first-retry/,
    ],
    [
      'a bad noise pattern',
      { ALLOWED_NOISE: 'ok,(' },
      /^ALLOWED_NOISE: "\(" is not a valid regular expression/,
    ],
    [
      'a missing browser',
      { BROWSER_PATH: '/no/browser' },
      /^BROWSER_PATH=\/no\/browser: no such file/,
    ],
    [
      'a bad browser server',
      { BROWSER_WS_ENDPOINT: 'http://x' },
      /^BROWSER_WS_ENDPOINT must be a ws:\/\/ or wss:\/\//,
    ],
    [
      'a malformed database URL, without echoing it',
      { STAGING_DATABASE_URL: `mysql://u:${SECRET}@h/db` },
      /^STAGING_DATABASE_URL: unknown scheme 'mysql:'; known: postgres:\/\/\S+, sqlite:\/\/\/\//,
    ],
    [
      'a relative SQLite path',
      { STAGING_DATABASE_URL: 'sqlite:///db.sqlite3' },
      /^STAGING_DATABASE_URL must be sqlite:\/\/\/\/absolute\/path\/db.sqlite3 \(four slashes/,
    ],
    [
      'a SQLite file missing on this machine',
      { STAGING_DATABASE_URL: 'sqlite:////no/such/db.sqlite3' },
      /^STAGING_DATABASE_URL: no such file \/no\/such\/db.sqlite3/,
    ],
    [
      'a database command without a database URL',
      { STAGING_DATABASE_COMMAND: 'cmd:python3 -' },
      /^STAGING_DATABASE_COMMAND is set but STAGING_DATABASE_URL is not$/,
    ],
    [
      'a database command that is not ssh: or cmd:',
      { STAGING_DATABASE_URL: 'sqlite:////srv/db.sqlite3', STAGING_DATABASE_COMMAND: 'python3 -' },
      /^STAGING_DATABASE_COMMAND must be ssh:COMMAND or cmd:COMMAND running Python/,
    ],
    [
      'a log command without {since}',
      { STAGING_LOGS: 'cmd:docker logs superlists' },
      /^STAGING_LOGS=cmd:docker logs superlists must hold \{since\} where the start time goes/,
    ],
    [
      'a log command over SSH without SSH',
      { STAGING_LOGS: 'ssh:docker logs --since {since} superlists' },
      /^STAGING_LOGS runs over SSH but STAGING_SSH is not set/,
    ],
    [
      'a malformed SSH address',
      { ...SSH, STAGING_SSH: 'nobody' },
      /^STAGING_SSH=nobody must look like user@host/,
    ],
    [
      'an SSH address without a key',
      { ...SSH, STAGING_SSH_KEY: '' },
      /^STAGING_SSH is set but STAGING_SSH_KEY/,
    ],
    [
      'an SSH host key not pinned',
      { ...SSH, STAGING_SSH_HOST_KEY: 'yes' },
      /^STAGING_SSH_HOST_KEY must pin .*SHA256:/,
    ],
    [
      'an SSH key that is missing',
      { ...SSH, STAGING_SSH_KEY: '/keys/none' },
      /^STAGING_SSH_KEY \/keys\/none not found/,
    ],
    [
      'a deploy over SSH without *_SSH',
      { STAGING_DEPLOY: 'ssh:/srv/deploy staging', STAGING_RELEASE_PROBE: 'ssh:cat /srv/RELEASE' },
      /^STAGING_DEPLOY runs over SSH but STAGING_SSH is not set: set STAGING_SSH, STAGING_SSH_KEY/,
    ],
    [
      'a deploy of no kind',
      { STAGING_DEPLOY: 'deploy.sh' },
      /^STAGING_DEPLOY must start with ssh:, cmd: or http:/,
    ],
    [
      'a release probe with a bad URL',
      { STAGING_RELEASE_PROBE: 'http:GET ftp://x' },
      /^STAGING_RELEASE_PROBE must start with http/,
    ],
    [
      'a secure-cookies flag that is not a boolean',
      { STAGING_SECURE_COOKIES: 'sure' },
      /^STAGING_SECURE_COOKIES=sure is not a boolean/,
    ],
    [
      'a session cookie name with a space',
      { STAGING_SESSION_COOKIE: 'my session' },
      /^STAGING_SESSION_COOKIE=my session is not a cookie name/,
    ],
    [
      'a stage-3 flag that is not a boolean',
      { STAGING_STAGE3: 'v3' },
      /^STAGING_STAGE3=v3 is not a boolean/,
    ],
    [
      'a create-session command without {email}',
      { STAGING_CREATE_SESSION: 'cmd:make-session' },
      /^STAGING_CREATE_SESSION must be ssh:COMMAND or cmd:COMMAND with \{email\}/,
    ],
    [
      'a create-session over http',
      { STAGING_CREATE_SESSION: 'http:https://x/{email}' },
      /^STAGING_CREATE_SESSION must be ssh:COMMAND or cmd:COMMAND/,
    ],
    [
      'a create-session over SSH without *_SSH',
      { STAGING_CREATE_SESSION: 'ssh:./manage.py create_session {email}' },
      /^STAGING_CREATE_SESSION runs over SSH but STAGING_SSH is not set/,
    ],
    [
      'a mailbox that is neither IMAP nor a command, without echoing it',
      { STAGING_MAILBOX: `pop3://edith:${SECRET}@mail.example.com` },
      /^STAGING_MAILBOX must be imaps:\/\/user:password@host:port\/FOLDER/,
    ],
    [
      'an IMAP mailbox without a password',
      { STAGING_MAILBOX: 'imaps://edith@mail.example.com' },
      /^STAGING_MAILBOX needs the mailbox's user and password/,
    ],
    [
      'a mailbox over SSH without *_SSH',
      { STAGING_MAILBOX: 'ssh:cat ~/sites/staging/mail/*' },
      /^STAGING_MAILBOX runs over SSH but STAGING_SSH is not set/,
    ],
    [
      'a test email without {tag}',
      { STAGING_TEST_EMAIL: 'edith@example.com' },
      /^STAGING_TEST_EMAIL=edith@example.com must be an address with \{tag\}/,
    ],
    [
      'a test email that is no address',
      { STAGING_TEST_EMAIL: 'edith-{tag}' },
      /^STAGING_TEST_EMAIL=edith-\{tag\} must be an address/,
    ],
    [
      'a visual budget that is no share',
      { DEPLOY_VISUAL_BUDGET: 'lots' },
      /^DEPLOY_VISUAL_BUDGET=lots: give a share of pixels \(0\.01 or 1%\)/,
    ],
    [
      'a visual budget over 100 %',
      { DEPLOY_VISUAL_BUDGET: '150%' },
      /^DEPLOY_VISUAL_BUDGET=150%: give a share of pixels/,
    ],
    [
      'a visual budget for a page the spec does not picture',
      { DEPLOY_VISUAL_BUDGET: 'home=1%,about=2%' },
      /^DEPLOY_VISUAL_BUDGET: "about" is not a page \(use home, list, logged-in\)/,
    ],
    [
      'a visual budget with two bare shares',
      { DEPLOY_VISUAL_BUDGET: '1%,2%' },
      /^DEPLOY_VISUAL_BUDGET=1%,2%: give a share of pixels/,
    ],
    [
      'a visual switch that is not a boolean',
      { DEPLOY_VISUAL: 'maybe' },
      /^DEPLOY_VISUAL=maybe is not a boolean/,
    ],
    [
      'a visual mask with an empty selector',
      { STAGING_VISUAL_MASK: 'footer,,.clock' },
      /^STAGING_VISUAL_MASK: "" is not a CSS selector/,
    ],
    [
      'a visual mask that is a rule, not a selector',
      { STAGING_VISUAL_MASK: 'footer{display:none}' },
      /^STAGING_VISUAL_MASK: "footer\{display:none\}" is not a CSS selector/,
    ],
    [
      'a bad LOCAL_PORT',
      { LOCAL_PORT: 'http' },
      /^LOCAL_PORT=http is not a whole number >= 1/,
      ['--project=local'],
    ],
    [
      'no run id',
      { SUPERLISTS_RUN_ID: '' },
      /^SUPERLISTS_RUN_ID is not set: run the suite with npx playwright test/,
    ],
    ['server checks: no such file', checks(''), /^STAGING_SERVER_CHECKS=checks.json: no such file/],
    ['server checks: not JSON', checks('[{'), /^STAGING_SERVER_CHECKS=checks.json: not valid JSON/],
    ['server checks: not an array', checks('{}'), /: must be a JSON array of checks/],
    [
      'server checks: empty',
      checks('[]'),
      /: holds no checks \(unset STAGING_SERVER_CHECKS to run none\)/,
    ],
    ['server checks: not an object', checks('[1]'), /: check 1 is not an object/],
    ['server checks: no name', checks('[{"command":"x"}]'), /: check 1 has no "name"/],
    ['server checks: no command', checks('[{"name":"a"}]'), /: check "a" has no "command"/],
    [
      'server checks: an unknown key',
      checks('[{"name":"a","command":"x","run":1}]'),
      /: check "a" has an unknown key "run"/,
    ],
    [
      'server checks: expect not an object',
      checks('[{"name":"a","command":"x","expect":3}]'),
      /: check "a": "expect" must be an object/,
    ],
    [
      'server checks: an unknown expectation',
      checks('[{"name":"a","command":"x","expect":{"exit":0}}]'),
      /: check "a": unknown expectation "exit"/,
    ],
    [
      'server checks: a bad regex',
      checks('[{"name":"a","command":"x","expect":{"stdout":"("}}]'),
      /: check "a": expect.stdout "\(" is not a valid regular expression/,
    ],
    [
      'server checks: a regex that is not text',
      checks('[{"name":"a","command":"x","expect":{"stdoutNot":1}}]'),
      /: check "a": expect.stdoutNot must be a string/,
    ],
    [
      'server checks: a bad exit code',
      checks('[{"name":"a","command":"x","expect":{"exitCode":-1}}]'),
      /: check "a": expect.exitCode must be a whole number >= 0/,
    ],
    [
      'server checks: atLeast not a number',
      checks('[{"name":"a","command":"x","expect":{"atLeast":"5"}}]'),
      /: check "a": expect.atLeast must be a number/,
    ],
    [
      'a misspelled setting name',
      { STAGING_DEPLOY_CMD: 'cmd:./deploy.sh' },
      /^STAGING_DEPLOY_CMD \(in the environment\) is not a setting of the suite \(did you mean STAGING_DEPLOY\?\): every setting is in \.env\.example$/,
    ],
    [
      'two letters swapped',
      { STAGING_ULR: 'http://127.0.0.1:1' },
      /^STAGING_ULR \(in the environment\) is not a setting of the suite \(did you mean STAGING_URL\?\)/,
    ],
    [
      "a misspelled name of another target's",
      { PRODUCTION_ALOW_WRITES: 'true' },
      /^PRODUCTION_ALOW_WRITES .* \(did you mean PRODUCTION_ALLOW_WRITES\?\)/,
    ],
    [
      "a misspelled name of the suite's own prefix",
      { SUPERLISTS_FALT: 'css-empty' },
      /^SUPERLISTS_FALT .* \(did you mean SUPERLISTS_FAULT\?\)/,
    ],
    [
      'an unknown name with a target prefix, nothing near',
      { LOCAL_SOMETHING_ELSE_ENTIRELY: '1' },
      /^LOCAL_SOMETHING_ELSE_ENTIRELY \(in the environment\) is not a setting of the suite: every/,
    ],
    [
      'a misspelled capability in REQUIRE',
      { STAGING_REQUIRE: 'stories,smok' },
      /^STAGING_REQUIRE: "smok" is not a capability \(did you mean smoke\?\): use rollback, deploy, server, accounts, database, stories, smoke$/,
    ],
    [
      'a required deploy without a deploy command',
      { STAGING_REQUIRE: 'smoke,deploy' },
      /^STAGING_REQUIRE has deploy but STAGING_DEPLOY is not set: its tests could not run \(set it, see \.env\.example, or drop deploy from STAGING_REQUIRE\)$/,
    ],
    [
      'required server checks without SSH',
      {
        STAGING_REQUIRE: 'server',
        STAGING_SERVER_CHECKS: 'checks.json',
        _files: '[{"name":"a","command":"x"}]',
      },
      /^STAGING_REQUIRE has server but STAGING_SSH is not set/,
    ],
    [
      'required server checks without a checks file',
      { ...SSH, STAGING_REQUIRE: 'server' },
      /^STAGING_REQUIRE has server but STAGING_SERVER_CHECKS is not set/,
    ],
    [
      'required accounts without a mailbox',
      {
        STAGING_REQUIRE: 'accounts',
        STAGING_STAGE3: 'true',
        STAGING_CREATE_SESSION: 'cmd:make-session {email}',
      },
      /^STAGING_REQUIRE has accounts but STAGING_MAILBOX is not set/,
    ],
    [
      'required accounts without stage 3',
      { STAGING_REQUIRE: 'accounts' },
      /^STAGING_REQUIRE has accounts but STAGING_STAGE3 is not true/,
    ],
    [
      'required database checks without a database',
      { STAGING_REQUIRE: 'database' },
      /^STAGING_REQUIRE has database but STAGING_DATABASE_URL is not set/,
    ],
    [
      'required stories on a read-only target',
      { PRODUCTION_URL: 'https://p.example.com', PRODUCTION_REQUIRE: 'smoke,stories' },
      /^PRODUCTION_REQUIRE has stories but production is read-only \(PRODUCTION_ALLOW_WRITES\)/,
      ['--project=production'],
    ],
    [
      'server checks: a name twice',
      checks('[{"name":"a","command":"x"},{"name":"a","command":"y"}]'),
      /: two checks are named "a"/,
    ],
  ];
  for (const [title, { _files, ...env }, pattern, argv] of cases) {
    it(title, () => {
      const files: Record<string, [number, string?]> = { [KEY]: [0o100600] };
      if (_files) files[CHECKS_FILE] = [0o100644, _files];
      const line = lineFor(
        env,
        argv ? ['node', 'playwright', 'test', ...argv] : STAGING,
        fakeIo(files),
      );
      assert.match(line, pattern);
    });
  }

  it('an SSH key that others can read', () => {
    const line = lineFor(SSH, STAGING, fakeIo({ [KEY]: [0o100644] }));
    assert.match(line, /^STAGING_SSH_KEY \/keys\/id is readable by others.*chmod 600 \/keys\/id$/);
  });

  it('an env file named by ENV_FILE that does not exist', () => {
    assert.throws(
      () => envFileValues({ ENV_FILE: 'nope.env' }, fakeIo()),
      (error: Error) =>
        /^ENV_FILE=nope.env: no such file \(create it from \.env\.example\)$/.test(error.message),
    );
  });

  it('a misspelled name in the env file, even without a prefix of ours', () => {
    const file = path.join(ROOT, 'typo.env');
    const read = (text: string) => () =>
      envFileValues({ ENV_FILE: 'typo.env' }, fakeIo({ [file]: [0o100600, text] }));
    assert.throws(
      read('STAGING_URL=http://x\nWORKER=2\n'),
      (error: Error) =>
        error instanceof ConfigError &&
        /^WORKER \(in typo\.env\) is not a setting of the suite \(did you mean WORKERS\?\)/.test(
          error.message,
        ),
    );
    assert.throws(read('STAGING_DEPLOY_CMD=cmd:x\n'), /did you mean STAGING_DEPLOY\?/);
    // A name of another tool's, far from every setting, is left alone.
    assert.deepEqual(read('DEBUG=pw:api\n')(), { DEBUG: 'pw:api' });
  });

  it('an env file with a syntax error names the line, not its value', () => {
    const text = `STAGING_URL=http://127.0.0.1:1\nSTAGING_DATABASE_URL postgres://u:${SECRET}@h/db\n`;
    assert.throws(
      () => parseEnvFile(text, 'broken.env'),
      (error: Error) =>
        error instanceof ConfigError &&
        error.message === 'broken.env line 2: expected NAME=value (or a # comment)',
    );
  });
});

describe('good values', () => {
  it("names the machine or CI sets are not the suite's business", () => {
    const settings = loadSettings(
      {
        ...BASE,
        PATH: '/usr/bin',
        GITHUB_TOKEN: 'x',
        DEPLOY_KEY: 'x',
        LOCALE: 'C',
        BROWSER: 'firefox',
      },
      ['node', 'playwright', 'test'],
      fakeIo(),
    );
    assert.deepEqual(settings.chosen, ['local']);
  });

  it('the known names come from the schemas, with each target prefix', () => {
    const known = config.knownSettings().map((setting) => setting.name);
    for (const name of [
      'STAGING_URL',
      'PRODUCTION_REQUIRE',
      'LOCAL_PORT',
      'DEPLOY_GAP_BUDGET_MS',
    ]) {
      assert.ok(known.includes(name), name);
    }
    assert.ok(!known.some((name) => name.includes('$')));
  });

  it('a target that has what it requires loads, its requirements typed', () => {
    const { targets } = loadSettings(
      { ...BASE, LOCAL_REQUIRE: 'stories, smoke,accounts,deploy,deploy' },
      ['node', 'playwright', 'test'],
      fakeIo(),
    );
    assert.deepEqual(targets.local!.require, ['stories', 'smoke', 'accounts', 'deploy']);
  });

  it('the built-in site needs nothing, and gets its stage-3 and mail defaults', () => {
    const { chosen, targets, suite } = loadSettings(BASE, ['node', 'playwright', 'test'], fakeIo());
    assert.deepEqual(chosen, ['local']);
    const local = targets.local!;
    assert.equal(local.url, 'http://127.0.0.1:4000');
    assert.equal(suite.localPort, 4000);
    assert.equal(local.stage3, true);
    assert.equal(local.secureCookies, false);
    assert.equal(local.sessionCookie, 'sessionid');
    assert.equal(local.testEmail, 'edith+{tag}@example.com');
    assert.deepEqual(local.mailbox, {
      kind: 'cmd',
      command: 'node --import tsx harness/reference-site/src/mailbox.ts',
    });
    assert.deepEqual(local.createSession, {
      kind: 'cmd',
      command: 'node --import tsx harness/reference-site/src/create-session.ts {email}',
    });
    assert.equal(suite.workers, config.defaultWorkers());
    assert.equal(suite.trace, 'retain-on-failure');
  });

  it("the built-in site's sessions come from its own route when the run has a token", () => {
    const token = 'f'.repeat(48);
    const read = (env: Record<string, string>) =>
      loadSettings(
        { ...BASE, SUPERLISTS_LOCAL_SESSION_TOKEN: token, ...env },
        ['node', 'playwright', 'test'],
        fakeIo(),
      );
    const { targets, secrets, suite } = read({});
    assert.deepEqual(targets.local!.createSession, {
      kind: 'http',
      method: 'POST',
      url: 'http://127.0.0.1:4000/__create_session__?email={email}',
    });
    assert.deepEqual(secrets.local!.createSessionHeaders, { authorization: `Bearer ${token}` });
    // A secret: never in the settings Playwright serializes into its `use` options.
    assert.ok(!JSON.stringify({ suite, targets }).includes(token));
    // A command a person sets still wins, and takes no token.
    const own = read({ LOCAL_CREATE_SESSION: 'cmd:make-session {email}' });
    assert.deepEqual(own.targets.local!.createSession, {
      kind: 'cmd',
      command: 'make-session {email}',
    });
    assert.equal(own.secrets.local!.createSessionHeaders, undefined);
  });

  it('the deploy pictures: on by default, with a budget; for all pages or per page', () => {
    const read = (env: Record<string, string>) =>
      loadSettings({ ...BASE, ...env }, ['node', 'playwright', 'test'], fakeIo());
    const plain = read({});
    assert.equal(plain.suite.deployVisual, true);
    // Budgets always hold: 0.1 % of pixels, an 8 s gap, unless loosened.
    assert.deepEqual(plain.suite.deployVisualBudget, { all: 0.001, pages: {} });
    assert.equal(plain.suite.deployGapBudgetMs, 8000);
    assert.deepEqual(read({ DEPLOY_VISUAL_BUDGET: 'home=0.5%' }).suite.deployVisualBudget, {
      all: 0.001,
      pages: { home: 0.005 },
    });
    assert.deepEqual(plain.targets.local!.visualMask, []);
    assert.deepEqual(read({ DEPLOY_VISUAL_BUDGET: '1%' }).suite.deployVisualBudget, {
      all: 0.01,
      pages: {},
    });
    assert.deepEqual(read({ DEPLOY_VISUAL_BUDGET: '0.02' }).suite.deployVisualBudget?.all, 0.02);
    assert.deepEqual(
      read({ DEPLOY_VISUAL_BUDGET: 'home=0.5%, list=1%,2%' }).suite.deployVisualBudget,
      { all: 0.02, pages: { home: 0.005, list: 0.01 } },
    );
    assert.equal(read({ DEPLOY_VISUAL: 'off' }).suite.deployVisual, false);
    assert.deepEqual(
      read({ LOCAL_VISUAL_MASK: 'footer .release, #id_clock' }).targets.local!.visualMask,
      ['footer .release', '#id_clock'],
    );
  });

  it('an IMAP mailbox keeps its password among the secrets', () => {
    const url = `imaps://edith%40example.com:${SECRET}@mail.example.com/Tests`;
    const settings = loadSettings(
      {
        ...BASE,
        STAGING_URL: 'https://staging.example.com/',
        STAGING_MAILBOX: url,
        STAGING_REQUIRE_HTTPS: 'true',
      },
      STAGING,
      fakeIo(),
    );
    const staging = settings.targets.staging!;
    assert.deepEqual(staging.mailbox, {
      kind: 'imap',
      host: 'mail.example.com',
      port: 993,
      secure: true,
      user: 'edith@example.com',
      folder: 'Tests',
    });
    assert.ok(!JSON.stringify(staging).includes(SECRET), 'the password is in the settings');
    assert.equal(settings.secrets.staging!.mailboxUrl, url);
    assert.equal(staging.url, 'https://staging.example.com');
    assert.equal(staging.secureCookies, true);
    assert.equal(staging.stage3, false);
    assert.equal(staging.createSession, undefined);
  });

  it('workers inherit the chosen targets instead of reading their own argv', () => {
    const settings = loadSettings(
      { ...BASE, SUPERLISTS_TARGETS: 'staging', STAGING_URL: 'http://s.example.com' },
      ['node', 'worker.js'],
      fakeIo(),
    );
    assert.deepEqual(settings.chosen, ['staging']);
  });

  it('server checks come out typed, {site} replaced', () => {
    const file = path.join(ROOT, 'checks.json');
    const io = fakeIo({
      [file]: [
        0o100644,
        '[{"name":"pip","command":"cd {site} && pip check","expect":{"stdout":"^ok$"}}]',
      ],
    });
    const settings = loadSettings(
      { ...BASE, STAGING_URL: 'http://s.example.com', STAGING_SERVER_CHECKS: 'checks.json' },
      STAGING,
      io,
    );
    const [check] = settings.targets.staging!.serverChecks!;
    assert.equal(check!.command, 'cd staging && pip check');
    assert.equal(check!.expect.exitCode, 0);
    assert.ok(check!.expect.stdout!.test('x\nok\ny'));
  });
});

describe('faults caught by preflight', () => {
  it('count as caught only on exit 2 with the one expected line', async () => {
    const { caughtByPreflight } = await import('../faults/run.ts');
    const fault = { caughtBy: 'preflight' as const, expectedLine: /answers 400/ };
    const line = 'superlists-live-tests: staging http://x: / answers 400: is nginx ...';
    assert.equal(caughtByPreflight(fault, 2, `${line}\n`), line);
    assert.equal(caughtByPreflight(fault, 1, `${line}\n`), undefined);
    assert.equal(caughtByPreflight(fault, 2, 'superlists-live-tests: / answers 500\n'), undefined);
    assert.equal(caughtByPreflight({}, 2, `${line}\n`), undefined);
  });
});

const { notApplicable, requiredCapability } = await import('../../fixtures/applicability.ts');

describe('a required test that cannot run', () => {
  type Info = Parameters<typeof notApplicable>[0];
  /** A test's info as the fixtures see it: its target's requirements and its tags. */
  const info = (require: string[], tags: string[]) => {
    const skipped: string[] = [];
    const testInfo = {
      project: { use: { target: { name: 'staging', require } } },
      tags,
      skip: (_condition: boolean, reason: string) => {
        skipped.push(reason);
        throw new Error('skipped');
      },
    } as unknown as Info;
    return { testInfo, skipped };
  };

  it('counts a test under its most specific tag', () => {
    assert.equal(
      requiredCapability({ require: ['accounts'] }, ['@story', '@accounts']),
      'accounts',
    );
    assert.equal(requiredCapability({ require: ['stories'] }, ['@story', '@accounts']), undefined);
    assert.equal(requiredCapability({ require: ['stories'] }, ['@story', '@writes']), 'stories');
  });

  it('fails, naming the requirement and the missing setting, where it would be skipped', () => {
    const { testInfo, skipped } = info(['deploy'], ['@deploy', '@writes']);
    assert.throws(
      () => notApplicable(testInfo, 'staging has no STAGING_DEPLOY'),
      /^Error: STAGING_REQUIRE has deploy but this test cannot run: staging has no STAGING_DEPLOY$/,
    );
    assert.deepEqual(skipped, []);
  });

  it('is skipped as not applicable when nothing requires it', () => {
    const { testInfo, skipped } = info(['smoke'], ['@deploy', '@writes']);
    assert.throws(() => notApplicable(testInfo, 'staging has no STAGING_DEPLOY'), /skipped/);
    assert.deepEqual(skipped, ['not applicable: staging has no STAGING_DEPLOY']);
  });
});
