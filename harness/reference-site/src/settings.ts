// The site's own configuration, read from its environment (like a Django settings.py).
import { randomBytes } from 'node:crypto';
import { readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type FaultName, SHIPPED_BY_A_REDEPLOY, parseFaultPorts, parseFaults } from './faults.ts';

/** The reference-site folder (holds migrations/, static/ and the default staticfiles/). */
export const SITE_DIR = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
export const DEFAULT_STATIC_ROOT = path.join(SITE_DIR, 'staticfiles');
/** The SECRET_KEY when none is given (the built-in target's; never for a real deploy). */
export const DEV_SECRET_KEY = 'superlists-reference-site-insecure-dev-secret-key';
export const DEFAULT_EMAIL_FROM = 'noreply@superlists';

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
  /** Signs the session and CSRF cookies. */
  secretKey: string;
  /** Django's SESSION_COOKIE_NAME, SESSION_COOKIE_SECURE and CSRF_COOKIE_SECURE. */
  sessionCookieName: string;
  sessionCookieSecure: boolean;
  csrfCookieSecure: boolean;
  /** Trust X-Forwarded-Proto for the request's scheme (Django's SECURE_PROXY_SSL_HEADER). */
  secureProxySslHeader: boolean;
  /** `smtp://[user:password@]host:port` or `smtps://...`: send mail through SMTP. */
  emailUrl: string | undefined;
  /** A folder: write mail there as Django's file-based email backend does. */
  emailFilePath: string | undefined;
  emailFrom: string;
  faults: ReadonlySet<FaultName>;
  /** SUPERLISTS_FAULT_PORTS: extra ports, each serving its own faults (faults.ts). */
  faultPorts: ReadonlyMap<number, ReadonlySet<FaultName>>;
  accessLog: boolean;
  /**
   * LOGIN_LINKS: `reusable` (default, as the book's app: a token is never deleted) or `single-use`
   * (a token is deleted when it logs someone in).
   */
  loginLinks: 'reusable' | 'single-use';
  /**
   * CREATE_SESSION_TOKEN: when set, POST /__create_session__ with this bearer token creates a
   * logged-in session (the built-in target's launcher sets it; never set it on a deployed site).
   */
  createSessionToken: string | undefined;
  /** SESSION_KEY_LOG: a file each session key the route hands out is appended to (0600). */
  sessionKeyLog: string | undefined;
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

function cookieName(env: Env, name: string, fallback: string): string {
  const value = env[name]?.trim() || fallback;
  if (!/^[A-Za-z0-9_-]+$/.test(value))
    throw new SettingsError(`${name} must be letters, digits, '_' or '-', not '${value}'`);
  return value;
}

function loginLinks(env: Env): Settings['loginLinks'] {
  const value = env.LOGIN_LINKS?.trim() || 'reusable';
  if (value !== 'reusable' && value !== 'single-use')
    throw new SettingsError(`LOGIN_LINKS must be reusable or single-use, not '${value}'`);
  return value;
}

function emailUrl(env: Env): string | undefined {
  const value = env.EMAIL_URL?.trim();
  if (!value) return undefined;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (!url || !['smtp:', 'smtps:'].includes(url.protocol) || !url.hostname)
    throw new SettingsError(
      'EMAIL_URL must be smtp://[user:password@]host:port or smtps://... (its value is not shown)',
    );
  return value;
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
  let faultPorts: ReadonlyMap<number, ReadonlySet<FaultName>>;
  try {
    faults = parseFaults(env.SUPERLISTS_FAULT);
    faultPorts = parseFaultPorts(env.SUPERLISTS_FAULT_PORTS);
  } catch (error) {
    throw new SettingsError((error as Error).message);
  }
  // The built-in target numbers its releases (local.ts); a site started by hand is a first release.
  if (Number(env.SUPERLISTS_RELEASE_NUMBER ?? 1) <= 1) {
    faults = new Set([...faults].filter((name) => !SHIPPED_BY_A_REDEPLOY.has(name)));
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
    secretKey:
      faults.has('secret-regenerated-on-deploy') ||
      (faults.has('rollback-loses-secret-key') && env.SUPERLISTS_ROLLBACK === '1')
        ? randomBytes(32).toString('hex')
        : env.SECRET_KEY || DEV_SECRET_KEY,
    sessionCookieName: cookieName(env, 'SESSION_COOKIE_NAME', 'sessionid'),
    sessionCookieSecure: flag(env, 'SESSION_COOKIE_SECURE', false),
    csrfCookieSecure: flag(env, 'CSRF_COOKIE_SECURE', false),
    secureProxySslHeader: flag(env, 'SECURE_PROXY_SSL_HEADER', false),
    emailUrl: emailUrl(env),
    emailFilePath: env.EMAIL_FILE_PATH?.trim()
      ? path.resolve(env.EMAIL_FILE_PATH.trim())
      : undefined,
    emailFrom: env.EMAIL_FROM?.trim() || DEFAULT_EMAIL_FROM,
    faults,
    faultPorts,
    accessLog: flag(env, 'ACCESS_LOG', false),
    loginLinks: loginLinks(env),
    createSessionToken: env.CREATE_SESSION_TOKEN?.trim() || undefined,
    sessionKeyLog: env.SESSION_KEY_LOG?.trim()
      ? path.resolve(env.SESSION_KEY_LOG.trim())
      : undefined,
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
