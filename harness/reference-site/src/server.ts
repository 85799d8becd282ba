// Production entry point: settings, database pool, migrations, HTTP server, graceful shutdown.
// Usage: DATABASE_URL=... [PORT=8000 HOST=127.0.0.1 ...] node --import tsx harness/reference-site/src/server.ts
import cluster from 'node:cluster';
import { type Server, createServer } from 'node:http';
import type { Socket } from 'node:net';
import { DatabaseUrlError, openDb } from './db/index.ts';
import { migrate, waitForDatabase } from './migrate.ts';
import { loadSettingsOrExit } from './settings.ts';
import { afterMigrate, beforeMigrate, releaseStart, startErrorLine } from './release-faults.ts';
import { writeFileSync } from 'node:fs';

const settings = loadSettingsOrExit();
const db = await openDb(settings.databaseUrl).catch((error: unknown) => {
  if (!(error instanceof DatabaseUrlError)) throw error;
  process.stderr.write(`superlists: ${error.message}\n`);
  process.exit(2);
});

/**
 * Node's server.close() destroys idle keep-alive connections at once, which races with a client
 * reusing one at that instant (it gets ECONNRESET). Gentler: during a stop every response carries
 * `Connection: close` (Fastify, return503OnClosing: false), and a connection is cut only once it has
 * been idle for IDLE_CUT_MS. Returns the function that switches this on.
 */
const IDLE_CUT_MS = 300;
function gentleDrain(server: Server): () => void {
  const idleSince = new Map<Socket, number>();
  server.on('connection', (socket: Socket) => {
    idleSince.set(socket, Date.now());
    socket.once('close', () => idleSince.delete(socket));
  });
  server.on('request', (request, response) => {
    const socket = request.socket;
    if (idleSince.has(socket)) idleSince.set(socket, Number.POSITIVE_INFINITY);
    response.once('close', () => idleSince.has(socket) && idleSince.set(socket, Date.now()));
  });
  return () => {
    server.closeIdleConnections = () => undefined;
    const sweep = setInterval(() => {
      const now = Date.now();
      for (const [socket, since] of idleSince) if (now - since >= IDLE_CUT_MS) socket.destroy();
    }, 50);
    sweep.unref();
  };
}

/** The fault database-not-kept: every table dropped, as a database file that was not kept. */
async function forgetDatabase(): Promise<void> {
  if (db.kind === 'postgres') return db.exec('DROP SCHEMA public CASCADE; CREATE SCHEMA public');
  const { rows } = await db.query<{ name: string }>(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
  );
  await db.exec(
    `PRAGMA foreign_keys = OFF; ${rows.map(({ name }) => `DROP TABLE "${name}";`).join(' ')} PRAGMA foreign_keys = ON;`,
  );
}

/** A cluster worker says goodbye before exiting, so that no connection is handed to it in vain. */
function leaveCluster(): Promise<void> {
  const worker = cluster.worker;
  if (!worker || !worker.isConnected()) return Promise.resolve();
  return new Promise((resolve) => {
    process.once('disconnect', () => resolve());
    worker.disconnect();
  });
}

async function main(): Promise<void> {
  const appModule = import('./app.ts'); // loads while the database wait and migrations run
  appModule.catch(() => undefined); // (awaited below)
  if (settings.faults.has('database-not-kept')) await forgetDatabase();
  if (settings.migrateOnStart) {
    const start = releaseStart(process.env);
    await waitForDatabase(db, 20_000, (line) => console.error(line));
    await beforeMigrate(db, settings.faults, start);
    await migrate(db, (line) => console.log(`superlists: migrate:${line}`));
    await afterMigrate(db, settings.faults, start);
  }
  const app = await (await appModule).buildApp(settings, db);
  const startDraining = gentleDrain(app.server);

  const faultServers: Server[] = [];
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    // Stop accepting, finish in-flight requests (keep-alive connections get Connection: close), then exit.
    const force = setTimeout(() => {
      console.error(`superlists: graceful stop (${signal}) took too long; exiting`);
      process.exit(1);
    }, 10_000);
    force.unref();
    try {
      startDraining();
      for (const server of faultServers) server.close();
      await app.close();
      await db.end();
      await leaveCluster();
    } finally {
      process.exit(0);
    }
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  await app.listen({ port: settings.port, host: settings.host });
  // Each fault port (SUPERLISTS_FAULT_PORTS) is served by the same app: its requests get its faults.
  for (const port of settings.faultPorts.keys()) {
    const server = createServer((request, response) => app.routing(request, response));
    faultServers.push(server);
    await new Promise<void>((resolve, reject) =>
      server.once('error', reject).listen(port, settings.host, resolve),
    );
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : settings.port;
  console.log(`superlists ${settings.releaseId} listening on http://${settings.host}:${port}`);
}

main().catch(async (error: unknown) => {
  const line = startErrorLine(error);
  process.stderr.write(`superlists: cannot start: ${line}\n`);
  // The launcher (local.ts) hands this line to the deploy command that is waiting for the release.
  if (process.env.START_ERROR_FILE) writeFileSync(process.env.START_ERROR_FILE, `${line}\n`);
  await db.end().catch(() => undefined);
  process.exit(1);
});
