/**
 * Session keys never stay in an artifact: check-secrets finds a planted key (by pattern, and
 * exactly from the keys create-session logged) wherever it hides, naming what and where but never
 * the key; the trace redactor turns a trace holding keys in Cookie / Set-Cookie headers, parsed
 * cookies and a context's storageState into one where check-secrets finds none, and changes
 * nothing else; the real server's create-session still prints one key line, logs it and keeps its
 * exit codes.
 */
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import AdmZip from 'adm-zip';
import { localDataDir, sessionKeyLog } from '../reference-site/src/localpaths.ts';
import { REDACTED, redactZip, sessionCookieValues } from '../../reporters/redact-traces.ts';
import { ROOT } from './run.ts';

// Keys as the built-in site prints them (`<key>.<signature>`), and one a custom cookie carries.
const KEY = {
  context: 'c0ntext0key0000000000000000000aa.SIGcontext_-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
  cookie: 'c00kie00key000000000000000000bbb.SIGcookie_-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb',
  setCookie: 's3tc00kie0key00000000000000cccc.SIGsetcookie-ccccccccccccccccccccccccccccccccccc',
  multiLine: 'mult1line0key00000000000000dddd.SIGmultiline-ddddddddddddddddddddddddddddddddddd',
  report: 'rep0rt0key00000000000000000eeeee.SIGreport-eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee',
  custom: 'custom-cookie-value-0123456789',
};
const CSRF = 'CSRFtoken0123456789abcdef.notAsecret';

/** A fake trace: every place Playwright writes a cookie's value, plus content to leave alone. */
function fakeTrace(): AdmZip {
  const zip = new AdmZip(undefined, { noSort: true }); // in Playwright's order, not by name
  const json = (...lines: unknown[]) =>
    Buffer.from(lines.map((line) => JSON.stringify(line)).join('\n') + '\n');
  const cookie = (name: string, value: string) => ({ name, value, domain: '127.0.0.1', path: '/' });
  zip.addFile(
    'trace.trace',
    json(
      { type: 'context-options', title: 'Edith’s context «é»', options: { viewport: null } },
      {
        type: 'before',
        method: 'newContext',
        params: { storageState: { cookies: [cookie('sessionid', KEY.context)], origins: [] } },
      },
      { type: 'before', method: 'addCookies', params: { cookies: [cookie('csrftoken', CSRF)] } },
      { type: 'log', message: `a step that printed ${KEY.context} by itself` },
    ),
  );
  zip.addFile(
    '1-trace.network',
    json({
      type: 'resource-snapshot',
      snapshot: {
        request: {
          headers: [{ name: 'Cookie', value: `sessionid=${KEY.cookie}; csrftoken=${CSRF}` }],
          cookies: [
            { name: 'sessionid', value: KEY.cookie },
            { name: 'csrftoken', value: CSRF },
          ],
        },
        response: {
          headers: [
            { name: 'set-cookie', value: `sessionid=${KEY.setCookie}; Max-Age=1209600; Path=/` },
            { name: 'Set-Cookie', value: `csrftoken=${CSRF}; Path=/\nsessionid=${KEY.multiLine}` },
            { name: 'set-cookie', value: 'sessionid=""; expires=Thu, 01 Jan 1970 00:00:00 GMT' },
          ],
          cookies: [{ name: 'sessionid', value: KEY.setCookie }],
        },
      },
    }),
  );
  zip.addFile('resources/page.html', Buffer.from(`<p>the key alone: ${KEY.cookie}</p>\n`));
  zip.addFile('resources/frame.jpeg', Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0, 1, 2, 3]));
  zip.addFile('src/spec.ts', Buffer.from("await page.goto('/'); // csrf_sessionid=notacookie\n"));
  return zip;
}

const scratch = mkdtempSync('/tmp/superlists-secrets-');
chmodSync(scratch, 0o755); // the built-in site's data folder must be one PostgreSQL could enter
after(() => rmSync(scratch, { recursive: true, force: true }));

/** A folder of artifacts, a data folder with a session-key log, and an env file. */
function workspace(name: string, keys: string[], envFile = 'STAGING_SESSION_COOKIE=mysess\n') {
  const root = path.join(scratch, name);
  const data = localDataDir({ SUPERLISTS_LOCAL_DATA: path.join(root, 'data') }).dataDir;
  mkdirSync(data, { recursive: true });
  if (keys.length) writeFileSync(sessionKeyLog(data), keys.map((key) => `${key}\n`).join(''));
  writeFileSync(path.join(root, 'test.env'), envFile);
  const put = (file: string, content: Buffer | string) => {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), content);
  };
  const checkSecrets = () => {
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', path.join(ROOT, 'harness', 'scripts', 'check-secrets.ts')],
      {
        cwd: ROOT,
        encoding: 'utf8',
        env: {
          PATH: process.env.PATH,
          ENV_FILE: path.join(root, 'test.env'),
          SECRETS_SEARCH_ROOT: root,
          SUPERLISTS_LOCAL_DATA: path.join(root, 'data'),
          SUPERLISTS_SERVER_DIR: path.join(root, 'server'),
        },
      },
    );
    return { code: run.status, output: `${run.stdout}${run.stderr}` };
  };
  return { root, put, checkSecrets };
}

const assertNoKey = (output: string) => {
  for (const key of [...Object.values(KEY), CSRF])
    assert.ok(!output.includes(key), 'check-secrets printed a key');
};

describe('session keys in artifacts', { concurrency: 1 }, () => {
  it('the patterns see session cookies, not their look-alikes', () => {
    const values = (text: string) => [...sessionCookieValues(text, ['sessionid'])];
    assert.deepEqual(values('Cookie: a=1; sessionid=abc123; b=2'), ['abc123']);
    assert.deepEqual(values('{\\"name\\":\\"sessionid\\",\\"value\\":\\"k1\\"}'), ['k1']);
    assert.deepEqual(values('{"value": "k2", "name": "sessionid"}'), ['k2']);
    assert.deepEqual(values('csrf_sessionid=x; sessionid=""; sessionid=[redacted]'), []);
    assert.deepEqual(values('{"name":"sessionid","value":""}{"name":"csrftoken","value":"c"}'), []);
  });

  it('check-secrets finds planted keys wherever they hide and never prints them', () => {
    const ws = workspace('leaky', [KEY.cookie, KEY.report]);
    ws.put('test-results/story/trace.zip', fakeTrace().toBuffer());
    const blob = new AdmZip();
    blob.addFile('resources/0a1b.zip', fakeTrace().toBuffer());
    ws.put('blob-report/report.zip', blob.toBuffer());
    const embedded = new AdmZip();
    embedded.addFile('report.json', Buffer.from(JSON.stringify({ stdout: KEY.report })));
    ws.put(
      'reports/html/index.html',
      `<script>window.playwrightReportBase64 = "data:application/zip;base64,${embedded.toBuffer().toString('base64')}";</script>`,
    );
    ws.put('reports/junit/run.xml', `<system-out>Cookie: mysess=${KEY.custom}</system-out>`);
    ws.put('reports/clean.log', 'nothing to see: sessionid=[redacted]\n');
    const run = ws.checkSecrets();
    assert.equal(run.code, 1, run.output);
    assertNoKey(run.output);
    const lines = run.output.trim().split('\n');
    for (const line of lines) assert.match(line, /^check-secrets: LEAKED .+ in \S+$/);
    const found = (what: RegExp, where: string) =>
      assert.ok(
        lines.some((line) => what.test(line) && line.endsWith(` in ${where}`)),
        `expected ${what} in ${where}:\n${run.output}`,
      );
    const byPattern = /a session cookie's value/;
    const exactly = /a session key create-session printed \(.*session-keys\.log\)/;
    found(byPattern, 'test-results/story/trace.zip!trace.trace');
    found(byPattern, 'test-results/story/trace.zip!1-trace.network');
    found(exactly, 'test-results/story/trace.zip!1-trace.network');
    found(exactly, 'test-results/story/trace.zip!resources/page.html');
    found(byPattern, 'blob-report/report.zip!resources/0a1b.zip!1-trace.network');
    found(exactly, 'reports/html/index.html!(embedded-zip)!report.json');
    found(byPattern, 'reports/junit/run.xml');
    assert.ok(!run.output.includes('clean.log'), run.output);
  });

  it('the redactor leaves no key for check-secrets to find and changes nothing else', () => {
    const ws = workspace('redacted', Object.values(KEY));
    const file = path.join(ws.root, 'test-results', 'story', 'trace.zip');
    const original = fakeTrace().toBuffer();
    ws.put('test-results/story/trace.zip', original);
    assert.equal(redactZip(file, ['sessionid', 'mysess']), 4);
    const entries = (zip: AdmZip) =>
      zip.getEntries().map((e) => [e.entryName, e.getData()] as const);
    const before = new Map(entries(new AdmZip(original, { noSort: true })));
    assert.equal([...before.keys()][0], 'trace.trace');
    const after = new AdmZip(file, { noSort: true }).getEntries();
    assert.deepEqual(
      after.map((entry) => entry.entryName),
      [...before.keys()],
      'the entries and their order are kept',
    );
    const unkeyed = (text: string) =>
      Object.values(KEY).reduce((out, key) => out.split(key).join(REDACTED), text);
    for (const entry of after) {
      const original = before.get(entry.entryName)!;
      // Exactly the keys became the marker: the CSRF token, the non-ASCII title, the picture, the
      // source and the logged-out cookie are byte for byte what they were.
      assert.ok(
        entry.getData().equals(Buffer.from(unkeyed(original.toString('latin1')), 'latin1')),
        `${entry.entryName} changed beyond its keys`,
      );
    }
    assert.ok(
      after
        .find((e) => e.entryName === 'trace.trace')!
        .getData()
        .includes('«é»'),
    );
    const run = ws.checkSecrets();
    assert.equal(run.code, 0, run.output);
    assert.match(
      run.output.trim(),
      /^check-secrets: 0 secret values, 6 session keys, \d+ files searched \(zips opened\): none found$/,
    );
    assert.equal(redactZip(file, ['sessionid']), 0, 'a redacted trace has nothing left to redact');
  });

  it('with nothing exact to look for, check-secrets says so in one line and exits 2', () => {
    const run = workspace('nothing', [], '').checkSecrets();
    assert.equal(run.code, 2, run.output);
    assert.match(
      run.output.trim(),
      /^check-secrets: test\.env holds no secret .*nothing to look for$/,
    );
  });

  it("the real server's create-session prints one key line, logs it (0600) and keeps its exit codes", () => {
    const state = path.join(scratch, 'server');
    const release = path.join(state, 'releases', 'r1');
    mkdirSync(path.join(state, 'bin'), { recursive: true });
    mkdirSync(path.join(release, 'harness', 'reference-site', 'src'), { recursive: true });
    mkdirSync(path.join(state, 'sites', 'staging', 'shared'), { recursive: true });
    writeFileSync(path.join(release, 'harness', 'reference-site', 'src', 'create-session.ts'), '');
    symlinkSync(release, path.join(state, 'sites', 'staging', 'current'));
    writeFileSync(
      path.join(state, 'sites', 'staging', 'shared', 'env'),
      'DATABASE_URL=postgres://x\n',
    );
    // A stand-in for node running create-session.ts: prints a key, or fails like it.
    const node = path.join(state, 'bin', 'fake-node');
    writeFileSync(
      node,
      '#!/bin/sh\nif [ -n "$FAIL" ]; then echo "create-session: the user exists" >&2; exit 1; fi\necho "$KEY"\n',
      { mode: 0o755 },
    );
    writeFileSync(path.join(state, 'server.env'), `NODE=${node}\nSITES="staging production"\n`);
    const script = path.join(state, 'bin', 'create-session');
    copyFileSync(path.join(ROOT, 'harness', 'server', 'create-session.sh'), script);
    const log = path.join(state, 'secrets', 'session-keys.log');
    const run = (env: Record<string, string>, ...args: string[]) =>
      spawnSync('bash', [script, ...args], {
        encoding: 'utf8',
        env: { PATH: process.env.PATH, ...env },
      });

    const ok = run({ KEY: KEY.cookie }, 'staging', 'edith@example.com');
    assert.equal(ok.status, 0, ok.stderr);
    assert.equal(ok.stdout, `${KEY.cookie}\n`);
    assert.equal(ok.stderr, '');
    assert.equal(readFileSync(log, 'utf8'), `${KEY.cookie}\n`);
    assert.equal(statSync(log).mode & 0o777, 0o600);

    const failed = run({ FAIL: '1', KEY: KEY.report }, 'staging', 'edith@example.com');
    assert.equal(failed.status, 1);
    assert.equal(failed.stdout, '');
    assert.match(failed.stderr, /the user exists/);
    assert.equal(run({}, 'nowhere', 'edith@example.com').status, 2);
    assert.equal(readFileSync(log, 'utf8'), `${KEY.cookie}\n`, 'only printed keys are logged');
  });
});
