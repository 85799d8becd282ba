/**
 * The deploy's structural diff (helpers/structure.ts) and static files' comparison
 * (helpers/static-files.ts): a healthy redeploy counts 0; a node gone, renamed or new is said in
 * words; a file linked and missing, served stale, or absent from the release's root is a problem.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compareStatic, rootPathOf, staticTable } from '../../helpers/static-files.ts';
import { diffStructure, normaliseTree } from '../../helpers/structure.ts';

const tree = `- navigation:
  - link "Superlists":
    - /url: /
  - button "Log out"
- heading "Your To-Do list" [level=1]
- textbox "Enter a to-do item"
- link "My lists":
  - /url: /lists/users/edith@example.com/`;

describe('structural diff', () => {
  it('counts nothing for the same tree, list ids aside', () => {
    const a = normaliseTree('- link "Edith\'s list":\n  - /url: /lists/12/');
    const b = normaliseTree('- link "Edith\'s list":\n  - /url: /lists/13/  ');
    assert.deepEqual(diffStructure('list', a, b), { count: 0, words: [], patch: '' });
  });

  it('says a button is gone', () => {
    const diff = diffStructure('home', tree, tree.replace('  - button "Log out"\n', ''));
    assert.equal(diff.count, 1);
    assert.deepEqual(diff.words, ["the button 'Log out' is gone"]);
    assert.match(diff.patch, /^-\s+- button "Log out"$/m);
  });

  it('says a box was renamed, a heading changed level, and a new node', () => {
    const after = tree
      .replace('textbox "Enter a to-do item"', 'textbox "New item"')
      .replace('[level=1]', '[level=2]')
      .concat('\n- button "Share"');
    assert.deepEqual(diffStructure('list', tree, after).words, [
      "the heading 'Your To-Do list' changed: [level=1] -> [level=2]",
      "the textbox 'Enter a to-do item' is now 'New item'",
      "a new button 'Share' appeared",
    ]);
  });

  it('says a button became a link', () => {
    const after = tree.replace('button "Log out"', 'link "Log out"');
    assert.deepEqual(diffStructure('home', tree, after).words, [
      "the button 'Log out' is now a link 'Log out'",
    ]);
  });
});

const served = (url: string, sha256: string, status = 200) => ({ url, status, sha256 });
const css = 'http://127.0.0.1:8000/static/bootstrap/css/bootstrap.min.css';
const js = 'http://127.0.0.1:8000/static/lists.js';

describe('static files across the deploy', () => {
  it('finds the path inside the static root', () => {
    assert.equal(rootPathOf(css), 'bootstrap/css/bootstrap.min.css');
    assert.equal(rootPathOf('http://x/favicon.ico'), undefined);
  });

  it('a healthy redeploy: nothing changed, no problem', () => {
    const files = new Map([
      [css, served(css, 'a')],
      [js, served(js, 'b')],
    ]);
    const release = {
      folder: '/srv/static',
      hashes: new Map([
        ['bootstrap/css/bootstrap.min.css', 'a'],
        ['lists.js', 'b'],
      ]),
    };
    const rows = compareStatic(files, new Map(files), release);
    assert.deepEqual(
      rows.map((row) => [row.state, row.problem]),
      [
        ['same', undefined],
        ['same', undefined],
      ],
    );
  });

  it('a file served stale: the previous bytes though the release changed it', () => {
    const before = new Map([[css, served(css, 'old')]]);
    const release = {
      folder: '/srv/static',
      hashes: new Map([['bootstrap/css/bootstrap.min.css', 'new']]),
    };
    const [row] = compareStatic(before, new Map(before), release);
    assert.match(
      row!.problem!,
      /bootstrap\.min\.css is served stale: its bytes are still the previous release's/,
    );
    assert.match(staticTable([row!]), /same: PROBLEM/);
  });

  it('a linked file missing, one the release lacks, one added and one removed', () => {
    const before = new Map([[js, served(js, 'b')]]);
    const after = new Map([[css, served(css, 'x', 404)]]);
    const rows = compareStatic(before, after, { folder: '/srv/static', hashes: new Map() });
    assert.deepEqual(
      rows.map((row) => row.state),
      ['added', 'removed'],
    );
    assert.match(rows[0]!.problem!, /linked by the new release's pages but answers 404/);
    const found = compareStatic(new Map(), new Map([[js, served(js, 'b')]]), {
      folder: '/srv/static',
      hashes: new Map(),
    });
    assert.match(found[0]!.problem!, /has no lists\.js: was collectstatic run/);
  });
});
