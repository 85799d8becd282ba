/**
 * The deploy's structural diff: a page's accessibility tree (Playwright's `ariaSnapshot()`, YAML,
 * one node a line) just before the redeploy and again once the new release is live, compared line
 * by line in the same run (no stored baseline), and said in words: "the button 'Log out' is gone".
 * What a picture shows as pixels, this names; what a picture cannot show (a box's accessible name
 * changed, a heading turned into a styled div), this sees.
 */
import type { Page } from '@playwright/test';
import { createTwoFilesPatch, diffArrays } from 'diff';

/** The accessibility tree of `page`'s body, normalised (see `normaliseTree`). */
export async function structureOf(page: Page): Promise<string> {
  return normaliseTree(await page.locator('body').ariaSnapshot());
}

/**
 * What changes between two healthy snapshots is taken out: trailing spaces, and the numbers of
 * `/lists/<id>/` addresses (a list's id is the database's, not the release's).
 */
export function normaliseTree(tree: string): string {
  return tree
    .split('\n')
    .map((line) => line.replace(/\s+$/, '').replace(/\/lists\/\d+\//g, '/lists/<id>/'))
    .filter((line) => line !== '')
    .join('\n');
}

/** How the accessibility trees of a page before and after the deploy differ. */
export interface StructureDiff {
  /** The differences counted: a node gone, a node new, a node changed (gone + new in one place). */
  count: number;
  /** Each difference in words, in page order. */
  words: string[];
  /** A unified diff of the two trees (`before` / `after`), for the report; empty when equal. */
  patch: string;
}

interface Node {
  role: string;
  name?: string;
  rest: string;
  raw: string;
}

/** `- button "Log out" [pressed]:` -> role button, name Log out; `- text: Hi` -> role text. */
function parse(line: string): Node {
  const body = line.trim().replace(/^- /, '');
  const named = /^([\w/-]+)\s+"((?:[^"\\]|\\.)*)"(.*)$/.exec(body);
  if (named)
    return { role: named[1]!, name: named[2]!, rest: named[3]!.replace(/:$/, ''), raw: body };
  const valued = /^([\w/-]+):\s*(.*)$/.exec(body);
  if (valued) return { role: valued[1]!, name: valued[2] || undefined, rest: '', raw: body };
  return { role: body.replace(/:$/, '').split(/\s/)[0] ?? body, rest: body, raw: body };
}

function label(node: Node): string {
  // A property of the node above it: `/url`, `/placeholder`.
  if (node.role.startsWith('/')) return `the ${node.role.slice(1)} '${node.name ?? ''}'`;
  if (node.role === 'text') return `the text '${node.name ?? ''}'`;
  return node.name === undefined ? `a ${node.role}${node.rest}` : `the ${node.role} '${node.name}'`;
}

/** One change in words, for a node gone, new, or changed in place. */
function say(gone: Node | undefined, came: Node | undefined): string {
  if (gone && came) {
    if (gone.role !== came.role)
      return `${label(gone)} is now ${label(came).replace(/^the /, 'a ')}`;
    if (gone.name !== came.name)
      return `${label(gone)} is now '${came.name ?? ''}'${gone.rest !== came.rest ? ` (${gone.rest.trim() || '-'} -> ${came.rest.trim() || '-'})` : ''}`;
    return `${label(gone)} changed: ${gone.rest.trim() || '-'} -> ${came.rest.trim() || '-'}`;
  }
  if (gone) return `${label(gone)} is gone`;
  if (came!.role.startsWith('/')) return `${label(came!)} appeared`;
  return `${label(came!).replace(/^the /, 'a new ')} appeared`;
}

/** Compares two (normalised) trees of page `name`; pure. */
export function diffStructure(name: string, before: string, after: string): StructureDiff {
  if (before === after) return { count: 0, words: [], patch: '' };
  const parts = diffArrays(before.split('\n'), after.split('\n'));
  const words: string[] = [];
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (!part.removed && !part.added) continue;
    // A removal followed by an addition is a change in place: paired line by line.
    const next = part.removed ? parts[i + 1] : undefined;
    const gone = part.removed ? part.value : [];
    const came = part.added ? part.value : next?.added ? next.value : [];
    if (next?.added) i++;
    for (let j = 0; j < Math.max(gone.length, came.length); j++) {
      const [g, c] = [gone[j], came[j]];
      words.push(
        say(g === undefined ? undefined : parse(g), c === undefined ? undefined : parse(c)),
      );
    }
  }
  const patch = createTwoFilesPatch(
    `${name} before the deploy`,
    `${name} after the deploy`,
    `${before}\n`,
    `${after}\n`,
    undefined,
    undefined,
    { context: 3 },
  );
  return { count: words.length, words, patch };
}
