/**
 * Static files across the deploy: every file a pictured page loads (its URL, status and SHA-256),
 * recorded before the redeploy and after it, compared (added, removed, changed), and, where the
 * new release's collected static files can be read (<TARGET>_STATIC_ROOT, here or over SSH),
 * compared with what the site serves: a file still served with the previous release's bytes
 * though the release changed it is stale.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { APIRequestContext, Page } from '@playwright/test';
import type { NodeSSH } from 'node-ssh';
import type { StaticRoot } from './config/index.ts';
import { runRemote } from './ssh.ts';

/** One static file as the site served it. */
export interface ServedFile {
  url: string;
  /** 0 when no answer came. */
  status: number;
  /** SHA-256 of the body (hex); empty without an answer. */
  sha256: string;
}

const sha256 = (body: Buffer | string) => createHash('sha256').update(body).digest('hex');
const short = (hash: string | undefined) => (hash ? hash.slice(0, 12) : '-');

/**
 * The static files `page` loads: what its resource timeline fetched (stylesheets, scripts, images,
 * fonts; not the page's own fetch/XHR calls) and what its document links (stylesheets, icons,
 * scripts, images), as absolute URLs. The icon a browser asks for by itself (`/favicon.ico` in full
 * Chromium) is in neither: it is the browser's request, not the page's.
 */
export async function staticUrlsOf(page: Page): Promise<string[]> {
  const urls = await page.evaluate(() => {
    const skip = new Set(['fetch', 'xmlhttprequest', 'beacon', 'navigation']);
    const timed = performance
      .getEntriesByType('resource')
      .filter((entry) => !skip.has((entry as PerformanceResourceTiming).initiatorType))
      .map((entry) => entry.name);
    const linked = [
      ...document.querySelectorAll<HTMLLinkElement>(
        'link[rel~="stylesheet"][href], link[rel~="icon"][href], link[rel~="preload"][href], link[rel~="modulepreload"][href]',
      ),
    ].map((link) => link.href);
    const sourced = [
      ...document.querySelectorAll<HTMLScriptElement | HTMLImageElement>('script[src], img[src]'),
    ].map((element) => element.src);
    return [...timed, ...linked, ...sourced];
  });
  return [...new Set(urls.filter((url) => /^https?:/.test(url)).map((url) => url.split('#')[0]!))];
}

/** Fetches each URL once per record (pages share files), its status and hash. */
export class StaticRecord {
  readonly files = new Map<string, Promise<ServedFile>>();

  constructor(private readonly request: APIRequestContext) {}

  /** Records the static files of `page`, fetched fresh (no browser cache in the way). */
  async add(page: Page): Promise<void> {
    for (const url of await staticUrlsOf(page)) {
      if (!this.files.has(url)) this.files.set(url, this.fetch(url));
    }
    await Promise.all(this.files.values());
  }

  private async fetch(url: string): Promise<ServedFile> {
    try {
      const response = await this.request.get(url, { maxRedirects: 0 });
      return { url, status: response.status(), sha256: sha256(await response.body()) };
    } catch {
      return { url, status: 0, sha256: '' };
    }
  }

  /** The files recorded, by URL. */
  async read(): Promise<Map<string, ServedFile>> {
    const entries = await Promise.all(this.files.values());
    return new Map(entries.map((file) => [file.url, file]));
  }
}

/** The path of `url` inside the static root: what follows `/static/`, or undefined. */
export function rootPathOf(url: string): string | undefined {
  const { pathname } = new URL(url);
  const at = pathname.indexOf('/static/');
  return at < 0 ? undefined : decodeURIComponent(pathname.slice(at + '/static/'.length));
}

const quote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;

/**
 * SHA-256 of each of `files` (paths inside the new release's static root), read here or over the
 * target's SSH (`sha256sum`); a file the root does not have is absent from the answer.
 */
export async function rootHashes(
  root: StaticRoot,
  files: readonly string[],
  ssh?: () => Promise<NodeSSH>,
): Promise<Map<string, string>> {
  const hashes = new Map<string, string>();
  if (files.length === 0) return hashes;
  if (root.where === 'here') {
    await Promise.all(
      files.map(async (file) => {
        const body = await readFile(path.join(root.folder, file)).catch(() => undefined);
        if (body) hashes.set(file, sha256(body));
      }),
    );
    return hashes;
  }
  if (!ssh) throw new Error(`the static root ssh:${root.folder} needs the target's *_SSH settings`);
  const result = await runRemote(
    await ssh(),
    `cd ${quote(root.folder)} && sha256sum -- ${files.map(quote).join(' ')}`,
  );
  for (const line of result.stdout.split('\n')) {
    const match = /^([0-9a-f]{64})\s+\*?(.+)$/.exec(line.trim());
    if (match) hashes.set(match[2]!, match[1]!);
  }
  return hashes;
}

/** One row of the table: a file before and after the deploy, and in the new release's root. */
export interface StaticRow {
  url: string;
  before?: ServedFile;
  after?: ServedFile;
  /** The new release's own copy's hash; null: the root lacks it; undefined: not compared. */
  release?: string | null;
  state: 'same' | 'changed' | 'added' | 'removed';
  problem?: string;
}

/** Compares the files before and after; with `release` (root path -> hash), each with the release's. */
export function compareStatic(
  before: Map<string, ServedFile>,
  after: Map<string, ServedFile>,
  release?: { folder: string; hashes: Map<string, string> },
): StaticRow[] {
  const urls = [...new Set([...before.keys(), ...after.keys()])].sort();
  return urls.map((url) => {
    const [was, now] = [before.get(url), after.get(url)];
    const state = !was
      ? 'added'
      : !now
        ? 'removed'
        : was.sha256 === now.sha256
          ? 'same'
          : 'changed';
    const row: StaticRow = { url, before: was, after: now, state };
    if (!now) return row;
    const where = new URL(url).pathname;
    if (now.status !== 200) {
      row.problem = `${where} is linked by the new release's pages but answers ${now.status || 'nothing'}`;
      return row;
    }
    const inRoot = rootPathOf(url);
    if (!release || inRoot === undefined) return row;
    const own = release.hashes.get(inRoot) ?? null;
    row.release = own;
    if (own === null) {
      row.problem = `${where} is served, but the new release's static root ${release.folder} has no ${inRoot}: was collectstatic run for this release?`;
    } else if (own !== now.sha256) {
      row.problem =
        was && was.sha256 === now.sha256
          ? `${where} is served stale: its bytes are still the previous release's (${short(now.sha256)}), though the new release changed it (${short(own)} in ${release.folder}): is the site serving the previous release's static folder?`
          : `${where} is served with bytes (${short(now.sha256)}) that are not the new release's (${short(own)} in ${release.folder})`;
    }
    return row;
  });
}

/** The rows as a text table for the report: every file, its status and hash before and after. */
export function staticTable(rows: readonly StaticRow[]): string {
  const cell = (file?: ServedFile) => (file ? `${file.status} ${short(file.sha256)}` : '-');
  const table = [
    ['file', 'before', 'after', 'release', 'state'],
    ...rows.map((row) => [
      new URL(row.url).pathname,
      cell(row.before),
      cell(row.after),
      row.release === undefined ? '' : row.release === null ? 'missing' : short(row.release),
      row.problem ? `${row.state}: PROBLEM` : row.state,
    ]),
  ];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((line) => line[i]!.length)));
  const lines = table.map((line) => line.map((text, i) => text.padEnd(widths[i]!)).join(' | '));
  lines.splice(1, 0, widths.map((width) => '-'.repeat(width)).join('-|-'));
  const problems = rows.flatMap((row) => (row.problem ? [`- ${row.problem}`] : []));
  return `${lines.join('\n')}\n${problems.length ? `\nProblems:\n${problems.join('\n')}\n` : ''}`;
}
