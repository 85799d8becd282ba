// The fault catalogue: each fault is one plausible way a deploy breaks a Superlists site.
// Start the site with SUPERLISTS_FAULT=<name>[,<name>...] to make it misbehave on purpose;
// each fault changes only what its description says.

export const FAULTS = [
  {
    name: 'static-not-served',
    description:
      "every /static/ URL answers 404 (nginx's static location or collectstatic is missing)",
  },
  {
    name: 'css-wrong-type',
    description:
      'bootstrap.min.css is served as text/plain, so browsers ignore it (mime.types not included)',
  },
  {
    name: 'css-empty',
    description: 'bootstrap.min.css answers 200 with an empty body (a truncated upload)',
  },
  {
    name: 'js-missing',
    description: '/static/lists.js answers 404 (the file was never collected)',
  },
  {
    name: 'js-error',
    description: 'lists.js throws an uncaught error on load, before it wires its input handler',
  },
  {
    name: 'missing-favicon',
    description:
      'pages link an icon /static/favicon.ico that was never collected: a 404 while the page loads',
  },
  {
    name: 'debug-404',
    description: "an unknown URL answers Django's DEBUG = True 404 page, listing the URL patterns",
  },
  {
    name: 'shared-list',
    description:
      'every new list is appended to the first list ever created: all visitors share one list',
  },
  {
    name: 'no-server-validation',
    description: 'the server saves empty items instead of refusing them',
  },
  {
    name: 'duplicate-message-changed',
    description: "a duplicate item says 'Item already exists' instead of the contract's message",
  },
  { name: 'numbering-off-by-one', description: 'list rows are numbered from 0 instead of 1' },
  {
    name: 'centring-lost',
    description:
      'the templates lose justify-content-center (and text-center): the input column sits on the left',
  },
  {
    name: 'feedback-not-cleared',
    description: 'lists.js no longer removes is-invalid when the user types',
  },
  { name: 'slow-pages', description: 'every HTML page takes 2.5 s longer' },
  {
    name: 'add-item-broken',
    description: 'POST /lists/<id>/ answers 500 (code deployed without its migration)',
  },
  {
    name: 'wrong-title',
    description: "every page's title is 'Superlists' instead of 'To-Do lists'",
  },
  {
    name: 'mixed-content',
    description:
      'pages load a script over plain http:// (a hard-coded asset URL): blocked on an https site',
  },
] as const satisfies readonly { name: string; description: string }[];

export type FaultName = (typeof FAULTS)[number]['name'];

export const FAULT_NAMES: readonly FaultName[] = FAULTS.map((fault) => fault.name);

export function isFaultName(name: string): name is FaultName {
  return (FAULT_NAMES as readonly string[]).includes(name);
}

/** Parses a comma list such as `css-empty,wrong-title`; throws on an unknown name. */
export function parseFaults(value: string | undefined): ReadonlySet<FaultName> {
  const faults = new Set<FaultName>();
  for (const raw of (value ?? '').split(',')) {
    const name = raw.trim();
    if (name === '') continue;
    if (!isFaultName(name)) {
      throw new Error(`unknown SUPERLISTS_FAULT '${name}'; valid names: ${FAULT_NAMES.join(', ')}`);
    }
    faults.add(name);
  }
  return faults;
}

let active: ReadonlySet<FaultName> = new Set();

/** Sets the faults that hasFault() reports (buildApp calls it with the settings' faults). */
export function activateFaults(faults: Iterable<FaultName>): void {
  active = new Set(faults);
}

export function hasFault(name: FaultName): boolean {
  return active.has(name);
}
