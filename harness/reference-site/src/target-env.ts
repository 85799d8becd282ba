// What the site's commands (create-session, mailbox) need to know about the site they act on:
// from the environment, as on a server, or else from the running built-in target's launcher.json.
import { isLauncher, readLauncherState } from './localpaths.ts';
import { DEV_SECRET_KEY } from './settings.ts';

type Env = Record<string, string | undefined>;

/** A command's configuration error: one line on stderr, no stack trace. */
export class CommandError extends Error {}

const START_HINT =
  'set it, or start the built-in target: node --import tsx harness/reference-site/src/local.ts';

function runningLauncher(what: string, env: Env) {
  const { file, state } = readLauncherState(env);
  if (!state)
    throw new CommandError(
      `${what} is not set and no built-in target runs (no ${file}); ${START_HINT}`,
    );
  if (!isLauncher(state.pid))
    throw new CommandError(
      `${what} is not set and the built-in target in ${file} is gone (pid ${state.pid}); ${START_HINT}`,
    );
  return state;
}

/** DATABASE_URL and SECRET_KEY of the site: both from the environment, or the built-in target's. */
export function siteDatabase(env: Env = process.env): { databaseUrl: string; secretKey: string } {
  const databaseUrl = env.DATABASE_URL?.trim();
  if (databaseUrl) return { databaseUrl, secretKey: env.SECRET_KEY || DEV_SECRET_KEY };
  const state = runningLauncher('DATABASE_URL', env);
  return {
    databaseUrl: state.databaseUrl,
    secretKey: env.SECRET_KEY || state.secretKey || DEV_SECRET_KEY,
  };
}

/** The folder the site writes mail to: EMAIL_FILE_PATH, or the built-in target's. */
export function mailFolder(env: Env = process.env): string {
  const folder = env.EMAIL_FILE_PATH?.trim();
  if (folder) return folder;
  const state = runningLauncher('EMAIL_FILE_PATH', env);
  if (!state.emailFilePath)
    throw new CommandError(
      'the built-in target sends its mail by SMTP (EMAIL_URL), not to a folder: read that inbox instead',
    );
  return state.emailFilePath;
}

/** Runs a command's main: a CommandError (or a database error) is one line on stderr, exit 1. */
export async function runCommand(name: string, main: () => Promise<void>): Promise<void> {
  try {
    await main();
  } catch (error) {
    const { message, code } = error as { message?: string; code?: string };
    process.stderr.write(
      `${name}: ${message ?? String(error)}${code && !(error instanceof CommandError) ? ` (${code})` : ''}\n`,
    );
    process.exitCode = 1;
  }
}
