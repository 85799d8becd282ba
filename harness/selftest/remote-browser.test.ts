/**
 * BROWSER_WS_ENDPOINT makes the suite use a remote Playwright browser server (a team's own grid)
 * instead of a local browser: here, a browser server started from Debian's Chromium.
 */
import { spawn } from 'node:child_process';
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT } from '../../helpers/config/paths.ts';

it('the user stories pass through a remote browser server', async () => {
  const server = spawn('node', ['--import', 'tsx', 'scripts/browser-server.ts'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const endpoint = await new Promise<string>((resolve, reject) => {
      server.stdout.on('data', (chunk: Buffer) => {
        const match = /ws:\/\/\S+/.exec(chunk.toString());
        if (match) resolve(match[0]);
      });
      server.on('exit', (code) => reject(new Error(`the browser server exited (${code})`)));
    });
    const run = spawn('npx', ['playwright', 'test', 'tests/functional', '--reporter=line'], {
      cwd: ROOT,
      env: { ...process.env, BROWSER_WS_ENDPOINT: endpoint },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    run.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    run.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((resolve) => run.on('close', resolve));
    assert.equal(code, 0, output);
    assert.match(output, /\d+ passed/);
  } finally {
    server.kill('SIGTERM');
  }
});
