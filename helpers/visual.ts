/**
 * The deploy's pictures: a page captured just before the redeploy and again once the new release
 * is live, in the same tab (same viewport, same data, same context), compared pixel by pixel with
 * pixelmatch. What changes by design is masked (<TARGET>_VISUAL_MASK); the CSRF token is a hidden
 * input and never shows.
 */
import type { Page } from '@playwright/test';
import pixelmatch from 'pixelmatch';
import { PNG } from 'pngjs';

/** How two pictures of a page differ. */
export interface Comparison {
  /** Pixels that differ (anti-aliasing is not counted), of `total`. */
  changed: number;
  total: number;
  /** `changed / total`, 0 to 1. */
  share: number;
  /** The after picture, faded, with the changed pixels in red (PNG). */
  diff: Buffer;
  /** `1024x768 -> 1024x900` when the page's size changed (every pixel outside the overlap counts). */
  resized?: string;
}

/** A picture of `page`'s viewport: animations stopped, caret hidden, `mask` selectors painted over. */
export function capture(page: Page, mask: readonly string[]): Promise<Buffer> {
  return page.screenshot({
    animations: 'disabled',
    caret: 'hide',
    scale: 'css',
    mask: mask.map((selector) => page.locator(selector)),
  });
}

/** `image` on a `width` x `height` canvas (transparent where it does not reach). */
function onCanvas(image: PNG, width: number, height: number): Uint8Array {
  if (image.width === width && image.height === height) return image.data;
  const canvas = new Uint8Array(width * height * 4);
  for (let y = 0; y < image.height; y++) {
    const row = image.data.subarray(y * image.width * 4, (y + 1) * image.width * 4);
    canvas.set(row, y * width * 4);
  }
  return canvas;
}

/** Fast settings for a diff: it is read once, in a report; default filtering takes ~5x as long. */
const DIFF_PNG = { deflateLevel: 1, filterType: 0 } as const;

/**
 * What `compare(before, before)` answers, made without blocking the event loop for long: zlib's
 * inflate and deflate run on Node's thread pool. Made while the deploy runs, it lets a page whose
 * after picture is byte for byte the before picture (a healthy redeploy) be compared at no cost.
 */
export async function unchanged(before: Buffer): Promise<Comparison> {
  const image = await new Promise<PNG>((resolve, reject) =>
    new PNG().parse(before, (error, png) => (error ? reject(error) : resolve(png))),
  );
  const { width, height } = image;
  const diff = new PNG({ width, height, ...DIFF_PNG });
  // The same drawing as compare()'s: pixelmatch's faded copy of an image identical to itself.
  const changed = pixelmatch(image.data, image.data, diff.data, width, height, { threshold: 0.1 });
  const chunks: Buffer[] = [];
  const encoded = await new Promise<Buffer>((resolve, reject) =>
    diff
      .pack()
      .on('data', (chunk: Buffer) => chunks.push(chunk))
      .on('end', () => resolve(Buffer.concat(chunks)))
      .on('error', reject),
  );
  const total = width * height;
  return { changed, total, share: changed / total, diff: encoded };
}

/** Compares two PNG pictures of a page (`before`, `after`); pure, no I/O. */
export function compare(before: Buffer, after: Buffer): Comparison {
  const [a, b] = [PNG.sync.read(before), PNG.sync.read(after)];
  const width = Math.max(a.width, b.width);
  const height = Math.max(a.height, b.height);
  const diff = new PNG({ width, height });
  // threshold 0.1 is pixelmatch's default: a colour has to change visibly, not by a rounding.
  const changed = pixelmatch(
    onCanvas(a, width, height),
    onCanvas(b, width, height),
    diff.data,
    width,
    height,
    { threshold: 0.1 },
  );
  const total = width * height;
  return {
    changed,
    total,
    share: changed / total,
    diff: PNG.sync.write(diff, DIFF_PNG),
    resized:
      a.width === b.width && a.height === b.height
        ? undefined
        : `${a.width}x${a.height} -> ${b.width}x${b.height}`,
  };
}

/** A share of pixels for people: `0 %`, `0.004 %`, `12.3 %`. */
export function percent(share: number): string {
  if (share === 0) return '0 %';
  const value = share * 100;
  return `${value >= 1 ? value.toFixed(1) : value.toPrecision(2)} %`;
}
