// Collects the static files into STATIC_ROOT, like Django's collectstatic:
// Bootstrap's CSS (+ source map) under bootstrap/css/ and everything in reference-site/static/.
// Idempotent and fast: a file whose size and mtime already match is skipped.
// Usage: [STATIC_ROOT=...] node --import tsx harness/reference-site/src/collectstatic.ts
import {
  copyFile,
  mkdir,
  readFile,
  readdir,
  rename,
  stat,
  utimes,
  writeFile,
} from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { DEFAULT_STATIC_ROOT, SITE_DIR, isMain } from './settings.ts';

export interface CollectResult {
  staticRoot: string;
  copied: string[];
  unmodified: number;
}

const require = createRequire(import.meta.url);

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const nested = await Promise.all(
    entries.map(async (entry) =>
      entry.isDirectory()
        ? listFiles(path.join(dir, entry.name), `${prefix}${entry.name}/`)
        : [`${prefix}${entry.name}`],
    ),
  );
  return nested.flat();
}

/** [source, path relative to STATIC_ROOT] pairs. */
async function sources(): Promise<[string, string][]> {
  const bootstrapCss = path.join(
    path.dirname(require.resolve('bootstrap/package.json')),
    'dist',
    'css',
  );
  const own = path.join(SITE_DIR, 'static');
  return [
    [path.join(bootstrapCss, 'bootstrap.min.css'), 'bootstrap/css/bootstrap.min.css'],
    [path.join(bootstrapCss, 'bootstrap.min.css.map'), 'bootstrap/css/bootstrap.min.css.map'],
    ...(await listFiles(own)).map((file): [string, string] => [path.join(own, file), file]),
  ];
}

async function upToDate(source: string, target: string): Promise<{ fresh: boolean; mtime: Date }> {
  const from = await stat(source);
  const to = await stat(target).catch(() => undefined);
  const fresh =
    to !== undefined && to.size === from.size && Math.abs(to.mtimeMs - from.mtimeMs) < 2;
  return { fresh, mtime: from.mtime };
}

/** The stylesheet a release may change (`changedCss`): a comment appended, invisible on the page. */
const CHANGED_CSS = 'bootstrap/css/bootstrap.min.css';

/**
 * Collects into `staticRoot`; with `changedCss`, this release ships a bootstrap.min.css of its
 * own (the comment `changedCss` appended): the same look, other bytes.
 */
export async function collectstatic(
  staticRoot: string = DEFAULT_STATIC_ROOT,
  changedCss?: string,
): Promise<CollectResult> {
  const result: CollectResult = { staticRoot, copied: [], unmodified: 0 };
  await Promise.all(
    (await sources()).map(async ([source, relative]) => {
      const target = path.join(staticRoot, relative);
      const { fresh, mtime } = await upToDate(source, target);
      if (changedCss && relative === CHANGED_CSS) {
        await mkdir(path.dirname(target), { recursive: true });
        const body = `${await readFile(source, 'utf8')}\n/* ${changedCss} */\n`;
        await writeFile(`${target}.tmp-${process.pid}`, body);
        await rename(`${target}.tmp-${process.pid}`, target);
        result.copied.push(relative);
        return;
      }
      if (fresh) {
        result.unmodified += 1;
        return;
      }
      await mkdir(path.dirname(target), { recursive: true });
      // Copy then rename, so that a running site never serves a half-written file.
      const temporary = `${target}.tmp-${process.pid}`;
      await copyFile(source, temporary);
      await utimes(temporary, mtime, mtime);
      await rename(temporary, target);
      result.copied.push(relative);
    }),
  );
  return result;
}

if (isMain(import.meta.url)) {
  const root = path.resolve(process.env.STATIC_ROOT?.trim() || DEFAULT_STATIC_ROOT);
  const { copied, unmodified } = await collectstatic(root);
  console.log(`${copied.length} static files copied to '${root}', ${unmodified} unmodified.`);
}
