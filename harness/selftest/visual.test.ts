/**
 * The deploy's picture comparison (helpers/visual.ts): a changed block is counted exactly, a page
 * that grew counts every pixel outside the overlap, and the comparison made ready while the deploy
 * runs (`unchanged`) is the one `compare` makes of a picture with itself, diff image and all.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PNG } from 'pngjs';
import { compare, unchanged } from '../../helpers/visual.ts';

/** A `width` x `height` white picture, with a red `block` x `block` square in its corner if asked. */
function picture(width: number, height: number, block = 0): Buffer {
  const png = new PNG({ width, height });
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const at = (y * width + x) * 4;
      const red = x < block && y < block;
      png.data.set(red ? [255, 0, 0, 255] : [255, 255, 255, 255], at);
    }
  }
  return PNG.sync.write(png);
}

const pixels = (png: Buffer) => PNG.sync.read(png).data;

describe('picture comparison', () => {
  it('counts a changed block, and only it', () => {
    const result = compare(picture(200, 100), picture(200, 100, 10));
    assert.equal(result.changed, 100);
    assert.equal(result.total, 20_000);
    assert.equal(result.share, 100 / 20_000);
    assert.equal(result.resized, undefined);
  });

  it('counts every pixel outside the overlap when the page grew', () => {
    const result = compare(picture(200, 100), picture(200, 120));
    assert.equal(result.changed, 200 * 20);
    assert.equal(result.resized, '200x100 -> 200x120');
  });

  it('makes ready the same comparison as compare() of a picture with itself', async () => {
    const before = picture(300, 150, 20);
    const ready = await unchanged(before);
    const direct = compare(before, before);
    assert.equal(ready.changed, 0);
    assert.equal(ready.total, direct.total);
    assert.deepEqual(pixels(ready.diff), pixels(direct.diff));
  });
});
