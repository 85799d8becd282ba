/**
 * Writes docs/contract.md, what the suite relies on in a Superlists, from pages/contract.ts (its
 * doc comments and values): the one place those texts live. `--check` (npm run check) writes
 * nothing and fails with one line when docs/contract.md is not what this script would write.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import prettier from 'prettier';
import ts from 'typescript';
import { ROOT } from '../../helpers/config/paths.ts';
import * as contract from '../../pages/contract.ts';

const SOURCE = path.join(ROOT, 'pages', 'contract.ts');
const OUTPUT = path.join(ROOT, 'docs', 'contract.md');

/** What each function of the contract gives for an example argument. */
const EXAMPLES: Record<string, unknown[]> = {
  listIdOf: ['/lists/42/'],
  rowText: [1, 'Buy peacock feathers'],
  rowsOf: [['Buy peacock feathers', 'Make a fly']],
  isSitePage: ['<title>To-Do lists</title>'],
  loggedInAs: ['edith@example.com'],
  ownListsHeading: ['edith@example.com'],
  myListsPath: ['edith@example.com'],
  loginLinkIn: ['Use this link to log in: https://example.com/accounts/login?token=abc-123'],
};

const show = (value: unknown): string =>
  value instanceof RegExp
    ? String(value)
    : value instanceof URL
      ? value.href
      : JSON.stringify(value);

function section(name: string, doc: string, node: ts.Statement): string {
  const value = (contract as Record<string, unknown>)[name];
  const lines = [`## \`${name}\``, '', doc || '(no description)', ''];
  if (ts.isFunctionDeclaration(node)) {
    const args = EXAMPLES[name];
    const signature = `${name}(${node.parameters.map((p) => p.getText()).join(', ')})`;
    lines.push(`\`${signature}\``, '');
    if (args) {
      const result = (value as (...a: unknown[]) => unknown)(...args);
      lines.push(
        `Example: \`${name}(${args.map(show).join(', ')})\` gives \`${show(result)}\``,
        '',
      );
    }
  } else if (value !== null && typeof value === 'object' && !(value instanceof RegExp)) {
    const rows = Object.entries(value as Record<string, unknown>).flatMap(([key, v]) =>
      v !== null && typeof v === 'object'
        ? Object.entries(v as Record<string, unknown>).map(
            ([sub, w]) => `| ${key}.${sub} | \`${show(w)}\` |`,
          )
        : [`| ${key} | \`${show(v)}\` |`],
    );
    lines.push('| key | value |', '| --- | --- |', ...rows, '');
  } else {
    lines.push(`\`${show(value)}\``, '');
  }
  return lines.join('\n');
}

async function render(): Promise<string> {
  const file = ts.createSourceFile(
    SOURCE,
    readFileSync(SOURCE, 'utf8'),
    ts.ScriptTarget.Latest,
    true,
  );
  const parts = [
    '# What the suite relies on in a Superlists',
    '',
    '<!-- Written by harness/scripts/contract-doc.ts from pages/contract.ts: do not edit; run `npm run docs:contract`. -->',
    '',
    'The addresses, texts and formats every page object, matcher and check relies on, as',
    '`pages/contract.ts` spells them (nothing else in the suite does). A Superlists that serves these',
    'passes the suite; one that words them differently fails where it differs.',
    '',
  ];
  for (const node of file.statements) {
    const exported =
      ts.canHaveModifiers(node) &&
      ts.getModifiers(node)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
    if (!exported) continue;
    const name = ts.isFunctionDeclaration(node)
      ? node.name?.text
      : ts.isVariableStatement(node)
        ? node.declarationList.declarations[0]?.name.getText()
        : undefined;
    if (!name) continue;
    const doc = ts
      .getJSDocCommentsAndTags(
        ts.isVariableStatement(node) ? node.declarationList.declarations[0]! : node,
      )
      .map((d) => ts.getTextOfJSDocComment(d.comment) ?? '')
      .join('\n');
    parts.push(section(name, doc.replace(/\s*\n\s*/g, ' '), node));
  }
  const options = await prettier.resolveConfig(OUTPUT);
  return prettier.format(parts.join('\n'), { ...options, filepath: OUTPUT });
}

const text = await render();
if (process.argv.includes('--check')) {
  let current: string | undefined;
  try {
    current = readFileSync(OUTPUT, 'utf8');
  } catch {
    current = undefined;
  }
  if (current !== text) {
    console.error(
      'contract-doc: docs/contract.md is not what pages/contract.ts says: run npm run docs:contract',
    );
    process.exit(1);
  }
} else {
  writeFileSync(OUTPUT, text);
  console.log(`contract-doc: wrote ${path.relative(ROOT, OUTPUT)}`);
}
