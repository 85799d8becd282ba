/**
 * `npm run browser-server`: starts a Playwright browser server (Chromium: Playwright's own where
 * installed, else Debian's), prints its ws:// endpoint, and runs until stopped. Point the suite at
 * it, or at your own grid, with BROWSER_WS_ENDPOINT.
 */
import { existsSync } from 'node:fs';
import { chromium } from '@playwright/test';

const executablePath = [
  '/usr/lib/chromium/chromium-headless-shell',
  '/usr/lib/chromium/chromium',
].find((candidate) => !existsSync(chromium.executablePath()) && existsSync(candidate));
const server = await chromium.launchServer({
  executablePath,
  host: '127.0.0.1',
  port: Number(process.argv[2] ?? 0),
});
console.log(server.wsEndpoint());
const stop = () => void server.close().then(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
