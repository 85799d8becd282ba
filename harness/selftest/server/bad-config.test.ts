/**
 * Bad configuration that only a real server can show: a wrong database password or host, an
 * unknown SSH host key, a deploy command that is missing or fails, a release probe that prints
 * nothing. Needs the local server up (scripts/test-server.sh runs this while it is).
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import dotenv from 'dotenv';
import { assertOneClearLine, playwright, ROOT, SECRET } from '../run.ts';

const envFile = path.join(ROOT, '.env.server');
if (!existsSync(envFile)) {
  console.error('selftest/server needs the local server: npm run server:up');
  process.exit(1);
}
const serverEnv = dotenv.parse(readFileSync(envFile, 'utf8'));
const setting = (name: string) => serverEnv[name] ?? '';
const databaseUrl = new URL(setting('STAGING_DATABASE_URL'));
const realPassword = decodeURIComponent(databaseUrl.password);

/** `npx playwright test --project=staging tests/deploy` against the server, with `overrides`. */
const deploySpec = (overrides: Record<string, string>) =>
  playwright(['--project=staging', 'tests/deploy', '--reporter=line'], {
    ENV_FILE: envFile,
    ...overrides,
  });

/** The database URL with `change` applied (never printed: it holds a password). */
function databaseUrlWith(change: (url: URL) => void): string {
  const url = new URL(databaseUrl);
  change(url);
  return url.href;
}

describe('bad configuration against the real server', { concurrency: 2 }, () => {
  it('a wrong database password', async () => {
    const run = await deploySpec({
      STAGING_DATABASE_URL: databaseUrlWith((url) => (url.password = SECRET)),
    });
    assertOneClearLine(
      run,
      /staging database \(STAGING_DATABASE_URL\): password authentication failed/,
      [SECRET, realPassword],
    );
  });

  it('a wrong database host', async () => {
    const run = await deploySpec({
      STAGING_DATABASE_URL: databaseUrlWith((url) => (url.port = '1')),
    });
    assertOneClearLine(run, /staging database \(STAGING_DATABASE_URL\): connection refused/, [
      realPassword,
    ]);
  });

  it('an unknown SSH host key', async () => {
    const run = await deploySpec({
      STAGING_SSH_HOST_KEY: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    });
    assertOneClearLine(run, /host key SHA256:\S+ does not match the pinned SHA256:A+: refusing/, [
      realPassword,
    ]);
  });

  it('a deploy command that is not found', async () => {
    const run = await deploySpec({ STAGING_DEPLOY: 'ssh:/opt/nowhere/deploy staging HEAD' });
    assertOneClearLine(run, /STAGING_DEPLOY: command not found on \S+: \/opt\/nowhere\/deploy/, [
      realPassword,
    ]);
  });

  it('a release probe that prints nothing', async () => {
    const run = await deploySpec({ STAGING_RELEASE_PROBE: 'ssh:true' });
    assertOneClearLine(run, /STAGING_RELEASE_PROBE \(true\) printed nothing/, [realPassword]);
  });

  it('a deploy command that fails fails the deploy spec, quoting the command and its exit', async () => {
    const run = await deploySpec({ STAGING_DEPLOY: `ssh:${deployScript()} staging no-such-ref` });
    assert.equal(run.code, 1, run.output);
    assert.match(
      run.output,
      /the deploy command failed:\s+\$ \S+ staging no-such-ref\s+exit [1-9]/,
    );
    assert.ok(!run.output.includes(realPassword), 'a secret leaked');
  });
});

/** The server's deploy script, as .env.server names it. */
function deployScript(): string {
  return setting('STAGING_DEPLOY').replace(/^ssh:/, '').split(/\s+/)[0]!;
}
