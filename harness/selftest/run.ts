/** Shared by the selftests: run the suite the way a user would, and judge its output. */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { ownRunFolder } from '../../helpers/config/checkout.ts';
import { ROOT } from '../../helpers/config/paths.ts';
import type { Verdict } from '../../reporters/verdict.ts';
export { ROOT };

/** A password the selftests put in bad configurations: it must never be printed. */
export const SECRET = 's3cr3t-Pa55word';
/** A folder of scratch files for this selftest process. */
export const scratch = mkdtempSync(path.join(tmpdir(), 'superlists-selftest-'));
writeFileSync(path.join(scratch, 'empty.env'), '');

/** One finished `playwright test` run. */
export interface Run {
  code: number | null;
  output: string;
  ms: number;
}

/** Playwright's own command-line entry: what `npx playwright` runs, without npx's lookup. */
const CLI = path.join(ROOT, 'node_modules', '@playwright', 'test', 'cli.js');

/**
 * How long Playwright's test runner takes, right now on this machine, to start, load a config with
 * nothing of this suite's in it, and exit, in milliseconds: a floor no configuration can lower,
 * measured so that timed cases judge the suite's own share on a busy machine.
 */
export function playwrightStartMs(): Promise<number> {
  const config = path.join(scratch, 'empty.config.mjs');
  writeFileSync(
    config,
    `export default { testDir: ${JSON.stringify(path.join(scratch, 'no-tests'))} };\n`,
  );
  const started = Date.now();
  return new Promise((resolve) => {
    spawn(process.execPath, [CLI, 'test', '-c', config, '--pass-with-no-tests'], {
      cwd: ROOT,
      stdio: 'ignore',
    }).on('close', () => resolve(Date.now() - started));
  });
}

/**
 * Runs `playwright test ARGS` (the command `npx playwright test` runs) with the environment minus every target and run variable, plus
 * `env` (ENV_FILE defaults to an empty file, so the developer's .env never leaks in).
 */
export function playwright(args: string[], env: Record<string, string>): Promise<Run> {
  const started = Date.now();
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !/^(STAGING|PRODUCTION|LOCAL)_|^SUPERLISTS_|^ENV_FILE$/.test(name),
    ),
  );
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'test', ...args], {
      cwd: ROOT,
      env: { ...clean, ENV_FILE: path.join(scratch, 'empty.env'), ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('close', (code) => resolve({ code, output, ms: Date.now() - started }));
  });
}

/** The contract for every bad input: non-zero, one line of ours matching `pattern`, no stack, no secret. */
export function assertOneClearLine(run: Run, pattern: RegExp, secrets: string[] = [SECRET]): void {
  const lines = run.output.split('\n').filter((line) => line.trim());
  assert.notEqual(run.code, 0, `expected a non-zero exit, output:\n${run.output}`);
  assert.equal(lines.length, 1, `expected exactly one line, got:\n${run.output}`);
  assert.match(lines[0]!, /^superlists-live-tests: /);
  assert.match(lines[0]!, pattern);
  assert.doesNotMatch(run.output, /^\s+at .+:\d+:\d+\)?$/m, 'a stack trace leaked');
  for (const secret of secrets) assert.ok(!run.output.includes(secret), 'a secret leaked');
}

/**
 * Where run `runId` wrote its verdict for `project`: in reports/, or in the run's own folder when
 * another run held the checkout as it began (helpers/config/checkout.ts).
 */
export function verdictFile(project: string, runId: string): string {
  const own = path.join(ROOT, ownRunFolder(runId), `verdict-${project}.json`);
  return existsSync(own) ? own : path.join(ROOT, 'reports', `verdict-${project}.json`);
}

/** The verdict run `runId` wrote for `project` (see {@link verdictFile}). */
export function readVerdict(project: string, runId: string): Verdict {
  const file = verdictFile(project, runId);
  const verdict = JSON.parse(readFileSync(file, 'utf8')) as Verdict;
  assert.equal(verdict.runId, runId, `${file} is another run's verdict`);
  return verdict;
}

/** A self-signed certificate for `localhost` (made once per selftest process), for local https servers. */
export function selfSignedCertificate(): { key: Buffer; cert: Buffer } {
  const key = path.join(scratch, 'key.pem');
  const cert = path.join(scratch, 'cert.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
    ].concat(['-keyout', key, '-out', cert]),
    { stdio: 'ignore' },
  );
  return { key: readFileSync(key), cert: readFileSync(cert) };
}

/** Starts a loopback http server answering with `handler` (kept in `servers` to close); returns its base URL. */
export async function serve(
  handler: http.RequestListener,
  servers: http.Server[],
): Promise<string> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
