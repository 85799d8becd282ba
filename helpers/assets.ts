/**
 * What a page loaded, and whether each asset is sound: 2xx, the right Content-Type for its kind,
 * a non-empty body. Assets come from the browser's own network events plus the `url()`
 * references inside the stylesheets it loaded (fonts and images the CSS pulls in lazily).
 */
import type { APIRequestContext, Page, Response } from '@playwright/test';
import { firstLine } from './errors.ts';

export type AssetKind = 'stylesheet' | 'script' | 'image' | 'font' | 'other';

/** One static file a page depends on, as it came back. */
export interface LoadedAsset {
  url: string;
  kind: AssetKind;
  /** 0 when the request failed before any answer. */
  status: number;
  contentType: string;
  bytes: number;
  /** How long a browser may keep it (Cache-Control's max-age, or Expires), in seconds. */
  cacheSeconds?: number;
  /**
   * `page`: the browser requested it; `link`: the document links it (an icon, say) but the
   * browser did not fetch it; `css`: a `url()` in a stylesheet.
   */
  via: 'page' | 'link' | 'css';
  /** Why the request for it failed (no answer at all): the status is 0 then. */
  error?: string;
  /** The browser's own error when it refused or lost the asset (`net::ERR_BLOCKED_BY_ORB`). */
  browserError?: string;
}

const EXPECTED_TYPE: Record<AssetKind, { pattern: RegExp; label: string }> = {
  stylesheet: { pattern: /^text\/css\b/i, label: 'text/css' },
  script: {
    pattern: /^(text|application)\/(javascript|ecmascript|x-javascript)\b/i,
    label: 'text/javascript',
  },
  image: { pattern: /^image\//i, label: 'image/*' },
  font: {
    pattern: /^(font\/|application\/(font-|x-font-|vnd\.ms-fontobject|octet-stream))/i,
    label: 'font/*',
  },
  other: { pattern: /./, label: 'any type' },
};

const KIND_BY_RESOURCE: Record<string, AssetKind> = {
  stylesheet: 'stylesheet',
  script: 'script',
  image: 'image',
  font: 'font',
  media: 'other',
  manifest: 'other',
};

function kindFromUrl(url: string): AssetKind {
  const extension = new URL(url).pathname.split('.').pop()?.toLowerCase() ?? '';
  if (extension === 'css') return 'stylesheet';
  if (extension === 'js' || extension === 'mjs') return 'script';
  if (['woff', 'woff2', 'ttf', 'otf', 'eot'].includes(extension)) return 'font';
  if (['png', 'jpg', 'jpeg', 'gif', 'svg', 'webp', 'ico', 'avif'].includes(extension))
    return 'image';
  return 'other';
}

async function fetchAsset(
  request: APIRequestContext,
  url: string,
  via: LoadedAsset['via'],
): Promise<LoadedAsset> {
  try {
    const response = await request.get(url);
    return {
      url,
      kind: kindFromUrl(url),
      status: response.status(),
      contentType: response.headers()['content-type'] ?? '',
      bytes: (await response.body()).length,
      cacheSeconds: cacheLifetime(response.headers()),
      via,
    };
  } catch (error) {
    const message = firstLine(error);
    return {
      url,
      kind: kindFromUrl(url),
      status: 0,
      contentType: '',
      bytes: 0,
      via,
      error: message,
    };
  }
}

/**
 * How long a browser may reuse an answer without asking again, in seconds, from its headers:
 * `immutable` is forever, then Cache-Control's max-age, then Expires against Date; undefined when
 * nothing says (a browser then revalidates soon).
 */
export function cacheLifetime(headers: Record<string, string>): number | undefined {
  const control = (headers['cache-control'] ?? '').toLowerCase();
  if (/\b(no-store|no-cache)\b/.test(control)) return 0;
  if (/\bimmutable\b/.test(control)) return Infinity;
  const maxAge = /\bmax-age\s*=\s*"?(\d+)/.exec(control);
  if (maxAge) return Number(maxAge[1]);
  const expires = Date.parse(headers.expires ?? '');
  if (Number.isNaN(expires)) return undefined;
  const date = Date.parse(headers.date ?? '');
  return Math.max(0, Math.round((expires - (Number.isNaN(date) ? Date.now() : date)) / 1000));
}

/** Longest a browser may keep a static file whose name carries no content hash: one hour. */
export const UNHASHED_CACHE_LIMIT_S = 3600;

/**
 * A URL a new release would change: a fingerprinted name as Django's ManifestStaticFilesStorage
 * writes it (`base.0123456789ab.css`), a query (`?v=3`) or a version in the path, as CDNs serve
 * (`/npm/bootstrap@5.3.3/...`, `/5.3.3/`).
 */
function versioned(url: string): boolean {
  const { pathname, search } = new URL(url);
  return (
    /[.-][0-9a-f]{8,}\.[a-z0-9]+$/i.test(pathname) ||
    search.length > 1 ||
    /(@|\/v?)\d+\.\d+(\.\d+)?[/-]/.test(pathname)
  );
}

function lasting(seconds: number): string {
  if (seconds === Infinity) return 'for good (immutable)';
  return seconds >= 86_400 ? `for ${Math.round(seconds / 86_400)} days` : `for ${seconds} s`;
}

/** Runs in the page: absolute URLs of the static files the document links (http(s) only). */
function linkedUrls(): string[] {
  const urls = [
    ...Array.from(document.querySelectorAll<HTMLLinkElement>('link[href]'))
      .filter((link) => /icon|stylesheet|preload|manifest|modulepreload/i.test(link.rel))
      .map((link) => link.href),
    ...Array.from(document.querySelectorAll<HTMLScriptElement>('script[src]')).map((s) => s.src),
    ...Array.from(document.querySelectorAll<HTMLImageElement>('img[src]')).map((img) => img.src),
  ];
  return [
    ...new Set(urls.filter((url) => /^https?:/.test(url)).map((url) => url.replace(/#.*$/, ''))),
  ];
}

/** The absolute URLs of the static files the page's document links (icons, stylesheets, scripts, images). */
export function linkedAssetUrls(page: Page): Promise<string[]> {
  return page.evaluate(linkedUrls);
}

/** The `url(...)` references in a stylesheet, resolved against its URL (data: URIs left out). */
export function cssUrlReferences(css: string, stylesheetUrl: string): string[] {
  const urls = new Set<string>();
  for (const match of css.matchAll(/url\(\s*(['"]?)([^'")]+)\1\s*\)/g)) {
    const reference = match[2]!.trim();
    if (/^(data|about|#)/i.test(reference) || reference.startsWith('#')) continue;
    urls.add(new URL(reference, stylesheetUrl).href.replace(/#.*$/, ''));
  }
  return [...urls];
}

/**
 * Opens `path` in `page`, waits for its `load` event and returns every static asset it loaded,
 * plus those its stylesheets reference (fetched with `request`).
 */
export async function loadPageAssets(
  page: Page,
  request: APIRequestContext,
  path: string,
): Promise<LoadedAsset[]> {
  const requested = new Map<string, AssetKind>();
  const failed: LoadedAsset[] = [];
  const onResponse = (response: Response) => {
    const kind = KIND_BY_RESOURCE[response.request().resourceType()];
    if (kind) requested.set(response.url(), kind);
  };
  const onFailed = (req: import('@playwright/test').Request) => {
    if (!(req.resourceType() in KIND_BY_RESOURCE)) return;
    failed.push({
      url: req.url(),
      kind: KIND_BY_RESOURCE[req.resourceType()] ?? 'other',
      status: 0,
      contentType: '',
      bytes: 0,
      via: 'page',
      error: req.failure()?.errorText,
    });
  };
  page.on('response', onResponse);
  page.on('requestfailed', onFailed);
  try {
    await page.goto(path, { waitUntil: 'load' });
  } finally {
    page.off('response', onResponse);
    page.off('requestfailed', onFailed);
  }
  // Each asset is fetched afresh: the browser may have answered from its cache (or got a 304
  // with no body), which says nothing about what the server serves now. One the browser failed
  // on is fetched too: it may have refused an answer (a 200 text/html where an image or a
  // script belongs), and the report must say what came back, not "no answer".
  const refused = failed.filter((f) => !requested.has(f.url));
  const fetched = await Promise.all([
    ...[...requested].map(async ([url, kind]) => ({
      ...(await fetchAsset(request, url, 'page')),
      kind,
    })),
    ...refused.map(async (asset) => ({
      ...(await fetchAsset(request, asset.url, 'page')),
      kind: asset.kind,
      browserError: asset.error ?? 'request failed',
    })),
  ]);
  const loaded = fetched;
  const seen = new Set(loaded.map((asset) => asset.url));
  // What the document links but a headless browser may never fetch (icons, manifests, preloads).
  const linked = (await page.evaluate(linkedUrls)).filter((url) => !seen.has(url));
  for (const url of linked) seen.add(url);
  loaded.push(...(await Promise.all(linked.map((url) => fetchAsset(request, url, 'link')))));
  const referenced: string[] = [];
  for (const sheet of loaded.filter((a) => a.kind === 'stylesheet' && a.status === 200)) {
    const css = await (await request.get(sheet.url)).text();
    for (const url of cssUrlReferences(css, sheet.url)) {
      if (!seen.has(url)) {
        seen.add(url);
        referenced.push(url);
      }
    }
  }
  const fromCss = await Promise.all(referenced.map((url) => fetchAsset(request, url, 'css')));
  return [...loaded, ...fromCss];
}

/** What is wrong with one asset, one sentence each naming the URL, what was expected and what came back. */
export function assetProblems(asset: LoadedAsset): string[] {
  const problems: string[] = [];
  const where = `${asset.url}${asset.via === 'css' ? ' (referenced by a stylesheet)' : asset.via === 'link' ? ' (linked by the page)' : ''}`;
  const answer = `${asset.status} "${asset.contentType || 'no Content-Type'}"`;
  const inBrowser = asset.browserError ? `; the browser failed on it (${asset.browserError})` : '';
  if (asset.status < 200 || asset.status > 299) {
    problems.push(
      `${where}: expected a 2xx answer, got ${asset.status === 0 ? `no answer (${asset.error ?? 'request failed'})` : answer}${inBrowser}`,
    );
    return problems;
  }
  if (asset.browserError) {
    problems.push(
      `${where}: the browser refused it (${asset.browserError}); it came back ${answer}`,
    );
  }
  const expected = EXPECTED_TYPE[asset.kind];
  if (!expected.pattern.test(asset.contentType)) {
    problems.push(
      `${where}: expected Content-Type ${expected.label} for a ${asset.kind}, got "${asset.contentType || 'none'}"`,
    );
  }
  if (asset.bytes === 0) problems.push(`${where}: expected a non-empty ${asset.kind}, got 0 bytes`);
  const cache = asset.cacheSeconds ?? 0;
  if (cache > UNHASHED_CACHE_LIMIT_S && !versioned(asset.url)) {
    problems.push(
      `${where}: browsers may keep it ${lasting(cache)} though its name carries no content hash, so after the next deploy they keep this release's copy; cache it at most ${UNHASHED_CACHE_LIMIT_S} s (WhiteNoise sends max-age=60) or fingerprint the name (ManifestStaticFilesStorage)`,
    );
  }
  return problems;
}
