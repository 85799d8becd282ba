/**
 * The list matchers' classifier of a row difference, as unit tests: each kind it names, and
 * silence where it cannot tell (the raw diff then speaks alone).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rowDifference } from '../../pages/row-difference.ts';
import { rowsOf } from '../../pages/contract.ts';
import { TEXT_WITH_MARKUP } from '../../pages/typed-texts.ts';

const typed = ['Buy peacock feathers', 'Use peacock feathers to make a fly'];

/** The rows a page shows for these item texts, numbered from `first`, as textContent reads them. */
const shownRows = (texts: string[], first = 1) =>
  texts.map((text, i) => `\n    ${i + first}: ${text}\n  `);

describe('what kind of row difference', () => {
  it('escaped twice', () => {
    const shown = TEXT_WITH_MARKUP.replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;');
    assert.match(
      rowDifference(rowsOf([TEXT_WITH_MARKUP]), shownRows([shown]))!,
      /^row 1: escaped twice: it shows HTML escapes as text \("Buy &lt;b&gt;peacock/,
    );
  });

  it('cut short', () => {
    assert.match(
      rowDifference(rowsOf(typed), shownRows([typed[0]!, 'Use peacock feathers']))!,
      /^row 2: cut short: it shows the first 20 of 34 characters/,
    );
  });

  it('reordered, and which way', () => {
    assert.match(
      rowDifference(rowsOf(typed), shownRows([...typed].reverse()))!,
      /^reordered: the rows show the items in reverse order \(newest first\)/,
    );
    const three = ['a', 'b', 'c'];
    assert.match(
      rowDifference(rowsOf(three), shownRows(['b', 'a', 'c']))!,
      /^reordered: the rows show the items in another order/,
    );
  });

  it('characters dropped: emoji, and accents lost', () => {
    assert.match(
      rowDifference(rowsOf(['ship it 🚀 now']), shownRows(['ship it  now']))!,
      /^row 1: characters dropped: "ship it now" for "ship it 🚀 now", without "🚀"/,
    );
    assert.match(
      rowDifference(
        rowsOf([TEXT_WITH_MARKUP]),
        shownRows([TEXT_WITH_MARKUP.replace(/[^\p{ASCII}]/gu, '')]),
      )!,
      /characters dropped: .* without "—", "é", "🦚": an encoding/,
    );
    assert.match(
      rowDifference(rowsOf(["l'été"]), shownRows(["l'ete"]))!,
      /^row 1: accents lost: "l'ete" for "l'été"/,
    );
  });

  it('characters dropped and accents lost together', () => {
    assert.match(
      rowDifference(rowsOf(['café 🦚']), shownRows(['cafe ']))!,
      /^row 1: characters dropped: "cafe" for "café 🦚", without "🦚" and its accents/,
    );
  });

  it('whitespace changed', () => {
    assert.match(
      rowDifference(rowsOf(['tea and milk']), shownRows(['teaand milk']))!,
      /^row 1: whitespace changed/,
    );
  });

  it('misnumbered, missing and extra rows', () => {
    assert.match(rowDifference(rowsOf(typed), shownRows(typed, 0))!, /^row 1 is numbered 0, not 1/);
    assert.match(
      rowDifference(rowsOf(typed), shownRows([typed[0]!]))!,
      /^1 row\(s\) missing: "Use/,
    );
    assert.match(
      rowDifference(rowsOf([]), shownRows(['someone else']))!,
      /^1 row\(s\) more than were added: "someone else"/,
    );
  });

  it('says nothing when it cannot tell, or when nothing differs', () => {
    assert.equal(rowDifference(rowsOf(['milk']), shownRows(['tea'])), undefined);
    assert.equal(rowDifference(rowsOf(typed), shownRows(typed)), undefined);
  });
});
