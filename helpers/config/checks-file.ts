/** The server-checks file (`<TARGET>_SERVER_CHECKS`): its shape and its error lines. */
import path from 'node:path';
import { z } from 'zod';
import { ROOT } from './paths.ts';
import { type ConfigIo, type TargetName, fail } from './values.ts';

// ----------------------------------------------------------------------------- server checks

const CHECKS_SHAPE = 'a JSON array of checks [{ "name": ..., "command": ..., "expect": {...} }]';
const regexText = z.string().refine((pattern) => {
  try {
    new RegExp(pattern, 'm');
    return true;
  } catch {
    return false;
  }
});
const checkFileSchema = z
  .array(
    z.strictObject({
      name: z.string().trim().min(1),
      command: z.string().trim().min(1),
      expect: z
        .strictObject({
          /** The exit status the command must end with (default 0). */
          exitCode: z.number().int().min(0).default(0),
          /** stdout must match (multiline: `^` and `$` match at every line). */
          stdout: regexText.optional(),
          /** stdout must not match (multiline). */
          stdoutNot: regexText.optional(),
          /** stdout, trimmed, must be a number at least this big. */
          atLeast: z.number().finite().optional(),
        })
        .default({ exitCode: 0 }),
    }),
  )
  .min(1);

/** The one line for the first thing wrong in a server-checks file. */
function checkIssueLine(
  where: string,
  name: string,
  issue: z.core.$ZodIssue,
  raw: unknown,
): string {
  const [index, key, sub] = issue.path as [number | undefined, string | undefined, string?];
  if (index === undefined) {
    return issue.code === 'too_small'
      ? `${where}: holds no checks (unset ${name} to run none)`
      : `${where}: must be ${CHECKS_SHAPE}`;
  }
  const entry = (raw as Record<string, unknown>[])[index];
  const at = `check ${index + 1}`;
  const checkName = typeof entry?.name === 'string' ? entry.name.trim() : '';
  const label = `check "${checkName}"`;
  if (key === undefined) {
    if (issue.code === 'unrecognized_keys') {
      return `${where}: ${label} has an unknown key "${issue.keys[0]}" (use name, command, expect)`;
    }
    return `${where}: ${at} is not an object (the file must be ${CHECKS_SHAPE})`;
  }
  if (key === 'name') return `${where}: ${at} has no "name" (a non-empty string)`;
  if (key === 'command') return `${where}: ${label} has no "command" (a non-empty string)`;
  if (sub === undefined) {
    if (issue.code === 'unrecognized_keys') {
      return `${where}: ${label}: unknown expectation "${issue.keys[0]}" (use exitCode, stdout, stdoutNot, atLeast)`;
    }
    return `${where}: ${label}: "expect" must be an object`;
  }
  if (sub === 'exitCode') return `${where}: ${label}: expect.exitCode must be a whole number >= 0`;
  if (sub === 'atLeast') return `${where}: ${label}: expect.atLeast must be a number`;
  const pattern = (entry?.expect as Record<string, unknown> | undefined)?.[sub];
  return typeof pattern === 'string'
    ? `${where}: ${label}: expect.${sub} "${pattern}" is not a valid regular expression`
    : `${where}: ${label}: expect.${sub} must be a string (a regex)`;
}

export function serverChecks(name: string, site: TargetName, io: ConfigIo) {
  return z.string().transform((value, ctx) => {
    const where = `${name}=${value}`;
    const file = path.resolve(ROOT, value);
    let text: string;
    try {
      text = io.readText(file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return fail(
        ctx,
        code === 'ENOENT'
          ? `${where}: no such file (give a path relative to the repo root, e.g. harness/server/checks.json)`
          : `${where}: cannot read ${file} (${code ?? String(error)})`,
      );
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (error) {
      const reason = error instanceof Error ? error.message.replace(/\s+/g, ' ') : String(error);
      return fail(ctx, `${where}: not valid JSON (${reason})`);
    }
    const parsed = checkFileSchema.safeParse(raw);
    if (!parsed.success)
      return fail(ctx, checkIssueLine(where, name, parsed.error.issues[0]!, raw));
    const seen = new Set<string>();
    for (const check of parsed.data) {
      if (seen.has(check.name)) return fail(ctx, `${where}: two checks are named "${check.name}"`);
      seen.add(check.name);
    }
    return parsed.data.map(({ name: checkName, command, expect }) => ({
      name: checkName,
      command: command.replaceAll('{site}', site),
      expect: {
        exitCode: expect.exitCode,
        stdout: expect.stdout === undefined ? undefined : new RegExp(expect.stdout, 'm'),
        stdoutNot: expect.stdoutNot === undefined ? undefined : new RegExp(expect.stdoutNot, 'm'),
        atLeast: expect.atLeast,
      },
    }));
  });
}

/**
 * One server check (tests/server, `@server`): a read-only command run over the target's SSH
 * connection and what its result must show (`exitCode`, multiline `stdout`/`stdoutNot` regexes,
 * `atLeast` a number). Declared in the JSON file named by `<TARGET>_SERVER_CHECKS`; `{site}` in a
 * command is replaced by the target's name.
 */
export type ServerCheck = z.output<ReturnType<typeof serverChecks>>[number];
