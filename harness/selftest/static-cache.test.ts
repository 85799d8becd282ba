/**
 * How long a browser may keep a static file (helpers/assets.ts): a file whose name carries no
 * content hash and that browsers may keep for more than an hour is reported, since after the next
 * deploy they keep the old release's copy; WhiteNoise's max-age=60 and the book's nginx (no
 * header) pass, fingerprinted names may be cached for good.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assetProblems, cacheLifetime, type LoadedAsset } from '../../helpers/assets.ts';

const css = (url: string, headers: Record<string, string>): LoadedAsset => ({
  url,
  kind: 'stylesheet',
  status: 200,
  contentType: 'text/css',
  bytes: 100,
  via: 'page',
  cacheSeconds: cacheLifetime(headers),
});

describe('static files and the browser cache', () => {
  it('reads the lifetime from Cache-Control, then Expires', () => {
    assert.equal(cacheLifetime({}), undefined);
    assert.equal(cacheLifetime({ 'cache-control': 'max-age=60, public' }), 60);
    assert.equal(
      cacheLifetime({ 'cache-control': 'public, max-age=31536000, immutable' }),
      Infinity,
    );
    assert.equal(cacheLifetime({ 'cache-control': 'no-cache, max-age=600' }), 0);
    const date = 'Sat, 05 Dec 2026 12:00:00 GMT';
    assert.equal(cacheLifetime({ date, expires: 'Sun, 06 Dec 2026 12:00:00 GMT' }), 86_400);
  });

  it('refuses an unhashed name kept over an hour, and only that', () => {
    const plain = 'https://site.test/static/lists.js';
    assert.deepEqual(assetProblems(css(plain, {})), []);
    assert.deepEqual(assetProblems(css(plain, { 'cache-control': 'max-age=60, public' })), []);
    assert.deepEqual(assetProblems(css(plain, { 'cache-control': 'max-age=3600' })), []);
    const [line] = assetProblems(css(plain, { 'cache-control': 'max-age=315360000' }));
    assert.match(
      line ?? '',
      /lists\.js: browsers may keep it for 3650 days though its name carries no content hash/,
    );
    assert.match(
      assetProblems(css(plain, { 'cache-control': 'max-age=31536000, immutable' }))[0] ?? '',
      /for good \(immutable\)/,
    );
    for (const url of [
      'https://cdn.jsdelivr.net/npm/bootstrap@5.3.3/dist/css/bootstrap.min.css',
      'https://cdnjs.cloudflare.com/ajax/libs/twitter-bootstrap/5.3.3/css/bootstrap.min.css',
      'https://site.test/static/lists.js?v=7',
    ]) {
      assert.deepEqual(
        assetProblems(css(url, { 'cache-control': 'max-age=31536000, immutable' })),
        [],
      );
    }
    const hashed = 'https://site.test/static/lists.0a1b2c3d4e5f.js';
    assert.deepEqual(
      assetProblems(css(hashed, { 'cache-control': 'max-age=31536000, immutable' })),
      [],
    );
  });
});
