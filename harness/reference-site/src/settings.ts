// The site's own configuration, read from its environment (like a Django settings.py).
import { readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type FaultName, parseFaults } from './faults.ts';

/** The reference-site folder (holds migrations/, static/ and the default staticfiles/). */
export const SITE_DIR = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
export const DEFAULT_STATIC_ROOT = path.join(SITE_DIR, 'staticfiles');
const DEV_SECRET_KEY = 'superlists-reference-site-insecure-dev-secret-key';

export interface Settings {
  port: number;
  host: string;
  databaseUrl: string;
  releaseId: string;
  staticRoot: string;
  serveStatic: boolean;
  /** Lower-case host names; `*` allows any, `.example.com` a domain and its subdomains. */
  allowedHosts: string[];
  migrateOnStart: boolean;
  secretKey: string;
  faults: ReadonlySet<FaultName>;
  accessLog: boolean;
}

export class SettingsError extends Error {}

type Env = Record<string, string | undefined>;

function flag(env: Env, name: string, fallback: boolean): boolean {
  const value = env[name]?.trim().toLowerCase();
  if (value === undefined || value === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(value)) return true;
  if (['0', 'false', 'no', 'off'].includes(value)) return false;
  throw new SettingsError(`${name} must be 1 or 0, not '${env[name]}'`);
}

export function requireDatabaseUrl(env: Env = process.env): string {
  const url = env.DATABASE_URL?.trim();
  if (!url)
    throw new SettingsError(
      'DATABASE_URL is not set (e.g. postgres://user:password@host:5432/superlists)',
    );
  return url;
}

function readReleaseFile(cwd: string): string | undefined {
  try {
    return readFileSync(path.join(cwd, 'RELEASE'), 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

const startedAt = new Date();

export function loadSettings(env: Env = process.env, cwd: string = process.cwd()): Settings {
  const portText = env.PORT?.trim() || '8000';
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535)
    throw new SettingsError(`PORT must be a port number, not '${portText}'`);
  let faults: ReadonlySet<FaultName>;
  try {
    faults = parseFaults(env.SUPERLISTS_FAULT);
  } catch (error) {
    throw new SettingsError((error as Error).message);
  }
  return {
    port,
    host: env.HOST?.trim() || '127.0.0.1',
    databaseUrl: requireDatabaseUrl(env),
    releaseId: env.RELEASE_ID?.trim() || readReleaseFile(cwd) || `dev-${startedAt.toISOString()}`,
    staticRoot: path.resolve(env.STATIC_ROOT?.trim() || DEFAULT_STATIC_ROOT),
    serveStatic: flag(env, 'SERVE_STATIC', true),
    allowedHosts: (env.ALLOWED_HOSTS ?? '*')
      .split(',')
      .map((host) => host.trim().toLowerCase())
      .filter((host) => host !== ''),
    migrateOnStart: flag(env, 'MIGRATE_ON_START', true),
    secretKey: env.SECRET_KEY || DEV_SECRET_KEY,
    faults,
    accessLog: flag(env, 'ACCESS_LOG', false),
  };
}

/** For entry points: a configuration error is one line on stderr and exit status 2. */
export function loadSettingsOrExit(env: Env = process.env): Settings {
  try {
    return loadSettings(env);
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    process.stderr.write(`superlists: ${error.message}\n`);
    process.exit(2);
  }
}

/** True when the module with this import.meta.url is the program node was started with. */
export function isMain(moduleUrl: string): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(fileURLToPath(moduleUrl)) === realpathSync(path.resolve(script));
  } catch {
    return false;
  }
}
