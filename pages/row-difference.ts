/**
 * What kind of difference there is between the list rows a page should show and those it shows,
 * when it can be told: text escaped twice, cut short, characters dropped, whitespace changed,
 * rows reordered, misnumbered, missing or extra. The list matchers put it above Playwright's raw
 * diff, so a content fault reads as its likely cause.
 */

/** One row as the list table shows it: `1: text` (whitespace runs collapsed, as a reader sees it). */
interface Row {
  number?: number;
  text: string;
}

function parseRow(row: string): Row {
  const line = row.replace(/\s+/g, ' ').trim();
  const match = /^(\d+): ?(.*)$/s.exec(line);
  return match ? { number: Number(match[1]), text: match[2]! } : { text: line };
}

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
};

/** `text` with its HTML character references decoded once (`&amp;lt;` becomes `&lt;`). */
function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (reference, name: string) => {
    if (name.startsWith('#x') || name.startsWith('#X'))
      return String.fromCodePoint(parseInt(name.slice(2), 16));
    if (name.startsWith('#')) return String.fromCodePoint(Number(name.slice(1)));
    return ENTITIES[name.toLowerCase()] ?? reference;
  });
}

/** The characters of `typed` that `shown` lacks, when `shown` is `typed` with some left out. */
function droppedCharacters(typed: string, shown: string): string[] | undefined {
  const want = [...typed];
  const have = [...shown];
  const dropped: string[] = [];
  let at = 0;
  for (const character of want) {
    if (at < have.length && have[at] === character) at++;
    else dropped.push(character);
  }
  return at === have.length && dropped.length ? dropped : undefined;
}

/** Accents taken off: `été` becomes `ete`. */
function withoutAccents(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').normalize('NFC');
}

const quote = (text: string) => JSON.stringify(text);

/** What happened to one row's text, or undefined when it is not one of the known kinds. */
export function textDifference(typed: string, shown: string): string | undefined {
  if (typed === shown) return undefined;
  if (decodeEntities(shown) === typed || decodeEntities(decodeEntities(shown)) === typed) {
    return `escaped twice: it shows HTML escapes as text (${quote(shown)} for ${quote(typed)}): the site escapes item text that is already escaped`;
  }
  if (shown.length < typed.length && typed.startsWith(shown)) {
    return `cut short: it shows the first ${[...shown].length} of ${[...typed].length} characters (${quote(shown)} of ${quote(typed)}): a column or field too short?`;
  }
  if (shown.replace(/\s+/g, '') === typed.replace(/\s+/g, '')) {
    return `whitespace changed: ${quote(shown)} for ${quote(typed)}`;
  }
  const plain = withoutAccents(typed);
  const accentsLost = plain !== typed && withoutAccents(shown) === shown;
  if (accentsLost && plain === shown) {
    return `accents lost: ${quote(shown)} for ${quote(typed)}: an encoding that cannot hold them (the database's or the connection's charset)?`;
  }
  const direct = droppedCharacters(typed, shown);
  const dropped = direct ?? (accentsLost ? droppedCharacters(plain, shown) : undefined);
  if (dropped) {
    const listed = [...new Set(dropped.filter((character) => /\S/.test(character)))];
    return `characters dropped: ${quote(shown)} for ${quote(typed)}, without ${listed.map(quote).join(', ')}${direct ? '' : ' and its accents'}: an encoding that cannot hold them (the database's or the connection's charset)?`;
  }
  return undefined;
}

/**
 * The kind of difference between the rows `expected` (`1: text`, in order) and the rows `shown`,
 * one line per finding, or undefined when none of the known kinds explains it.
 */
export function rowDifference(
  expected: readonly string[],
  shown: readonly string[],
): string | undefined {
  const want = expected.map(parseRow);
  const have = shown.map(parseRow);
  const wantTexts = want.map((row) => row.text);
  const haveTexts = have.map((row) => row.text);
  const sorted = (texts: string[]) => JSON.stringify([...texts].sort());
  if (want.length === have.length && want.length > 1 && sorted(wantTexts) === sorted(haveTexts)) {
    if (wantTexts.some((text, i) => text !== haveTexts[i])) {
      const reversed = [...wantTexts].reverse().every((text, i) => text === haveTexts[i]);
      return `reordered: the rows show the items in ${reversed ? 'reverse order (newest first)' : 'another order'} (${haveTexts.map(quote).join(', ')}), not in the order they were added`;
    }
  }
  const findings: string[] = [];
  const common = Math.min(want.length, have.length);
  for (let i = 0; i < common; i++) {
    const kind = textDifference(want[i]!.text, have[i]!.text);
    if (kind) findings.push(`row ${i + 1}: ${kind}`);
    else if (want[i]!.text === have[i]!.text && want[i]!.number !== have[i]!.number) {
      findings.push(
        `row ${i + 1} is numbered ${have[i]!.number ?? 'not at all'}, not ${want[i]!.number}`,
      );
    }
  }
  if (have.length < want.length) {
    findings.push(
      `${want.length - have.length} row(s) missing: ${wantTexts.slice(have.length).map(quote).join(', ')}`,
    );
  } else if (have.length > want.length) {
    findings.push(
      `${have.length - want.length} row(s) more than were added: ${haveTexts.slice(want.length).map(quote).join(', ')}`,
    );
  }
  return findings.length ? findings.join('\n') : undefined;
}

/**
 * `error` (a failed row assertion) with `kind` put in front of its message, and of its stack,
 * which the reporters print; unchanged when there is no kind.
 */
export function withDifference(error: unknown, kind: string | undefined): unknown {
  if (!kind || !(error instanceof Error)) return error;
  const message = `${kind}\n${error.message}`;
  if (error.stack?.includes(error.message))
    error.stack = error.stack.replace(error.message, message);
  error.message = message;
  return error;
}
