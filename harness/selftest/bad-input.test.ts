/**
 * Bad input gets one clear line naming what is wrong and how to fix it, a non-zero exit, no stack
 * trace, and never a secret. Each case runs the real command a user would type.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { assertOneClearLine, playwright, scratch, SECRET } from './run.ts';

// Timed cases run alone, so that the time measured is the suite's own.
describe('bad input, refused fast', () => {
  it('a missing STAGING_URL names the variable and .env.example, within 5 s', async () => {
    const run = await playwright(['--project=staging'], {});
    assertOneClearLine(run, /STAGING_URL is not set.*\.env\.example/);
    assert.ok(run.ms < 5_000, `took ${run.ms} ms`);
  });

  it('a target that is down stops the run within seconds', async () => {
    const run = await playwright(['--project=staging'], { STAGING_URL: 'http://127.0.0.1:9' });
    assertOneClearLine(run, /staging http:\/\/127\.0\.0\.1:9 unreachable: connection refused/);
    assert.ok(run.ms < 5_000, `took ${run.ms} ms`);
  });
});

describe('bad input', { concurrency: 2 }, () => {
  let server500: http.Server;
  let url500 = '';
  before(async () => {
    server500 = http.createServer((_req, res) => res.writeHead(500).end('boom'));
    await new Promise<void>((resolve) => server500.listen(0, '127.0.0.1', resolve));
    url500 = `http://127.0.0.1:${(server500.address() as AddressInfo).port}`;
  });
  after(() => server500.close());

  it('a malformed URL', async () => {
    assertOneClearLine(
      await playwright(['--project=staging'], { STAGING_URL: 'staging.example.com' }),
      /STAGING_URL is not a valid URL/,
    );
  });

  it('an unknown project', async () => {
    assertOneClearLine(await playwright(['--project=stagign'], {}), /unknown project "stagign"/);
  });

  it('a .env file named by ENV_FILE that does not exist', async () => {
    assertOneClearLine(
      await playwright(['--project=staging'], { ENV_FILE: path.join(scratch, 'nope.env') }),
      /ENV_FILE=.*no such file/,
    );
  });

  it('a .env file with a syntax error names the line', async () => {
    const file = path.join(scratch, 'broken.env');
    writeFileSync(
      file,
      `STAGING_URL=http://127.0.0.1:1\nSTAGING_DATABASE_URL postgres://u:${SECRET}@h/db\n`,
    );
    assertOneClearLine(
      await playwright(['--project=staging'], { ENV_FILE: file }),
      /broken\.env line 2/,
    );
  });

  it('a budget that is not a number', async () => {
    assertOneClearLine(
      await playwright([], { PAGE_BUDGET_MS: 'fast' }),
      /PAGE_BUDGET_MS=fast is not a whole number/,
    );
  });

  it('a malformed database URL, without echoing it', async () => {
    assertOneClearLine(
      await playwright(['--project=staging'], {
        STAGING_URL: 'http://127.0.0.1:1',
        STAGING_DATABASE_URL: `mysql://u:${SECRET}@h/db`,
      }),
      /STAGING_DATABASE_URL is not a postgres:\/\/ URL/,
    );
  });

  it('an SSH key that is missing', async () => {
    assertOneClearLine(
      await playwright(['--project=staging'], {
        STAGING_URL: 'http://127.0.0.1:1',
        STAGING_SSH: 'deploy@127.0.0.1:2222',
        STAGING_SSH_KEY: path.join(scratch, 'no-such-key'),
        STAGING_SSH_HOST_KEY: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      }),
      /STAGING_SSH_KEY .*not found/,
    );
  });

  it('an SSH key that others can read', async () => {
    const key = path.join(scratch, 'open-key');
    writeFileSync(key, 'not really a key\n');
    chmodSync(key, 0o644);
    assertOneClearLine(
      await playwright(['--project=staging'], {
        STAGING_URL: 'http://127.0.0.1:1',
        STAGING_SSH: 'deploy@127.0.0.1:2222',
        STAGING_SSH_KEY: key,
        STAGING_SSH_HOST_KEY: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
      }),
      /chmod 600/,
    );
  });

  it('a deploy over SSH without *_SSH', async () => {
    assertOneClearLine(
      await playwright(['--project=staging'], {
        STAGING_URL: 'http://127.0.0.1:1',
        STAGING_DEPLOY: 'ssh:/srv/deploy staging',
        STAGING_RELEASE_PROBE: 'ssh:cat /srv/RELEASE',
      }),
      /STAGING_DEPLOY runs over SSH but STAGING_SSH is not set/,
    );
  });

  it('a target answering 500 on /', async () => {
    assertOneClearLine(
      await playwright(['--project=staging'], { STAGING_URL: url500 }),
      /answers 500/,
    );
  });
});
