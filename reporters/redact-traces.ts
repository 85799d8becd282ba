/**
 * Session keys never stay in a trace. A trace's network log holds every request's `Cookie`
 * header and every response's `Set-Cookie` (raw and parsed), and its action log may hold the
 * cookies a context was given; Playwright cannot leave headers out. This reporter, listed first,
 * rewrites each `trace` attachment in `onTestEnd`, synchronously (reporters' onTestEnd is not
 * awaited, and the reporters after it copy the file: allure-playwright at once, html and blob at
 * their end): the value of every cookie named in `sessionCookies` becomes {@link REDACTED}, in
 * `name=value` pairs and in `{"name": ..., "value": ...}` objects, and every other occurrence of a
 * value found so is replaced too. Other cookies (the CSRF token) and all other content are kept
 * byte for byte; entries keep their names, so the trace viewer opens the result. A trace that
 * cannot be rewritten is deleted (one line says so) rather than kept with a key in it. At the
 * end, any trace under a project's output folder that no test reported is swept the same way.
 */
import { existsSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import AdmZip from 'adm-zip';
import type { FullConfig, Reporter, TestCase, TestResult } from '@playwright/test/reporter';
import { firstLine } from '../helpers/errors.ts';

/** What a session cookie's value becomes. */
export const REDACTED = '[redacted]';

/** Options from playwright.config.ts. */
export interface RedactOptions {
  /** The names of the run's session cookies (each chosen target's `sessionCookie`). */
  sessionCookies: string[];
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The three places a cookie's value is written, for cookie `name`, each as
 * (before)(value)(after) so that only the value is replaced:
 * a `name=value` pair (Cookie and Set-Cookie headers, raw or inside a JSON string), and a parsed
 * cookie object in either order, `{"name":"NAME","value":"..."}`, also when it is itself escaped
 * inside a JSON string (`\"name\":...`).
 */
function cookiePatterns(name: string): RegExp[] {
  const n = escape(name);
  const q = '(\\\\*)"'; // a quote, escaped any number of times (group 2 inside each pattern)
  const same = '\\2"';
  return [
    // Before: start of line, a separator or a JSON escape such as `\n` (multi-line Set-Cookie).
    new RegExp(`((?:^|[^A-Za-z0-9_.\\-]|\\\\[nrt])${n}=)()([^;,\\s"'\\\\<>&]+)()`, 'gm'),
    new RegExp(
      `(${q}name${same}\\s*:\\s*${same}${n}${same}\\s*,\\s*${same}value${same}\\s*:\\s*${same})([^"\\\\]*)(${same})`,
      'g',
    ),
    new RegExp(
      `(${q}value${same}\\s*:\\s*${same})([^"\\\\]*)(${same}\\s*,\\s*${same}name${same}\\s*:\\s*${same}${n}${same})`,
      'g',
    ),
  ];
}

/** Every value of a cookie named in `names` that `text` holds, except empty and redacted ones. */
export function sessionCookieValues(text: string, names: readonly string[]): Set<string> {
  const values = new Set<string>();
  for (const name of names) {
    for (const pattern of cookiePatterns(name)) {
      for (const match of text.matchAll(pattern)) {
        const value = match[3]!;
        if (value && value !== REDACTED) values.add(value);
      }
    }
  }
  return values;
}

/**
 * `text` with the value of every cookie named in `names` replaced by {@link REDACTED}, and every
 * occurrence of each of `values` (keys found elsewhere) too; values shorter than 8 characters are
 * only replaced where they stand as a cookie's value.
 */
export function redactText(
  text: string,
  names: readonly string[],
  values: ReadonlySet<string>,
): string {
  let out = text;
  for (const name of names) {
    for (const pattern of cookiePatterns(name)) {
      out = out.replace(
        pattern,
        (whole, before: string, _q: string, value: string, after: string) =>
          value && value !== REDACTED ? `${before}${REDACTED}${after}` : whole,
      );
    }
  }
  for (const value of values) if (value.length >= 8) out = out.split(value).join(REDACTED);
  return out;
}

/** Entries that are pictures (screencast frames, screenshots): never text, not worth reading. */
const PICTURE = /\.(jpe?g|png|webp|gif)$/i;

/**
 * Rewrites the zip at `file` in place (through a temporary file and a rename) with every session
 * cookie value redacted; returns how many distinct values it replaced. Entries are read as
 * latin1, which maps bytes to characters one to one, so what is not replaced stays byte for byte.
 */
export function redactZip(file: string, names: readonly string[]): number {
  const zip = new AdmZip(file, { noSort: true });
  const entries = zip
    .getEntries()
    .filter((entry) => !entry.isDirectory && !PICTURE.test(entry.entryName))
    .map((entry) => ({ entry, text: entry.getData().toString('latin1') }));
  const values = new Set<string>();
  for (const { text } of entries)
    for (const value of sessionCookieValues(text, names)) values.add(value);
  if (values.size === 0) return 0;
  for (const { entry, text } of entries) {
    const redacted = redactText(text, names, values);
    if (redacted !== text) zip.updateFile(entry, Buffer.from(redacted, 'latin1'));
  }
  const temporary = `${file}.redacting`;
  writeFileSync(temporary, zip.toBuffer());
  renameSync(temporary, file);
  return values.size;
}

/** A trace file Playwright writes: trace.zip (trace-1.zip... when a test keeps several). */
const TRACE_FILE = /^trace(-\d+)?\.zip$/;

function* traceFiles(dir: string): Generator<string> {
  if (!existsSync(dir)) return;
  for (const entry of readdirSync(dir)) {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) yield* traceFiles(full);
    else if (TRACE_FILE.test(entry)) yield full;
  }
}

export default class RedactTraces implements Reporter {
  private readonly names: string[];
  private readonly done = new Set<string>();
  private outputDirs: string[] = [];

  constructor(options: RedactOptions) {
    this.names = [...new Set(options.sessionCookies)];
  }

  printsToStdio(): boolean {
    return false;
  }

  onBegin(config: FullConfig): void {
    this.outputDirs = [...new Set(config.projects.map((project) => project.outputDir))];
  }

  onTestEnd(_test: TestCase, result: TestResult): void {
    for (const attachment of result.attachments) {
      if (attachment.name === 'trace' && attachment.path) this.redact(attachment.path);
    }
  }

  onEnd(): void {
    for (const dir of this.outputDirs) for (const file of traceFiles(dir)) this.redact(file);
  }

  private redact(file: string): void {
    if (this.done.has(file) || !existsSync(file)) return;
    this.done.add(file);
    try {
      redactZip(file, this.names);
    } catch (error) {
      rmSync(file, { force: true });
      rmSync(`${file}.redacting`, { force: true });
      const why = firstLine(error);
      console.error(`redact-traces: could not redact ${file} (${why}): deleted it`);
    }
  }
}
