import { AsyncLocalStorage } from 'node:async_hooks';
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
    name: 'static-cached-forever',
    description:
      'static files go out with Cache-Control: max-age=31536000, immutable under names with no content hash: after a deploy browsers keep the old CSS and JS for a year',
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
  // The holes found by trying the site as an attacker and as a new user would (issue 13).
  {
    name: 'unescaped-item',
    description: 'the list table renders item text unescaped (a template marked it safe): an XSS',
  },
  {
    name: 'home-shows-a-list',
    description: 'the home page shows the oldest list in the database to every visitor',
  },
  {
    name: 'any-host',
    description: 'ALLOWED_HOSTS is ignored: a request with any Host header gets the site',
  },
  {
    name: 'static-catch-all',
    description:
      'a missing file under /static/ answers 200 with the home page (a catch-all fallback)',
  },
  {
    name: 'lists-js-as-html',
    description:
      '/static/lists.js was lost and a catch-all answers it: 200 text/html (the home page)',
  },
  {
    name: 'post-forbidden',
    description: 'every form POST answers 403 (CSRF_TRUSTED_ORIGINS wrong for the public origin)',
  },
  // Stage 3: accounts, my lists, sharing (issue 14).
  {
    name: 'no-login-mail',
    description:
      'the login flash shows but no mail is sent (the mail settings never reached the server)',
  },
  {
    name: 'login-link-wrong-host',
    description: 'the login link points at localhost (the proxy does not forward the Host header)',
  },
  {
    name: 'login-link-http',
    description:
      "the login link always uses http:// (the proxy's X-Forwarded-Proto is ignored): wrong on https",
  },
  {
    name: 'secret-regenerated-on-deploy',
    description:
      'every (re)start signs sessions with a fresh random secret: each deploy logs everyone out',
  },
  {
    name: 'sharing-does-nothing',
    description: 'the share form redirects back but the list is never shared',
  },
  {
    name: 'my-lists-shows-everyone',
    description: "My lists shows every user's lists, not only the owner's",
  },
  {
    name: 'login-link-not-checked',
    description: 'a login link whose token the site never issued still logs someone in',
  },
  {
    name: 'logout-keeps-session',
    description: 'log out redirects home but the user stays logged in',
  },
  {
    name: 'token-reusable',
    description:
      'the site is set for single-use login links (LOGIN_LINKS=single-use) but keeps each token: a used link logs in again',
  },
  {
    name: 'no-login-form',
    description:
      "the navbar lost its login form (a base template deployed without stage 3's include)",
  },
  // What a deploy ships that only a picture shows (issue 16): on from the first redeploy on.
  {
    name: 'database-not-kept',
    description:
      'a redeploy starts on an empty database (the SQLite file not on a mounted volume, so the recreated container has a new one): every list is lost',
  },
  {
    name: 'deploy-css-truncated',
    description:
      "a redeploy ships a truncated bootstrap.min.css (its first 12 KB): Bootstrap's variables are defined, the grid, forms and navbar are gone",
  },
  {
    name: 'deploy-layout-moved',
    description:
      'a redeploy ships templates whose input column sits on the right (justify-content-end) instead of the centre',
  },
  // What only the structural diff or the static files' record sees (issue 25, items 3 and 4).
  {
    name: 'deploy-input-renamed',
    description:
      "a redeploy ships templates whose to-do box is labelled 'New item' for assistive technology (an aria-label): it looks the same, but the textbox 'Enter a to-do item' a screen reader announced is gone",
  },
  {
    name: 'deploy-static-previous-folder',
    description:
      "a redeploy ships and collects a changed bootstrap.min.css, but the site keeps serving the previous release's static folder (WhiteNoise's STATIC_ROOT not switched): the new release's CSS is never served",
  },
  {
    name: 'deploy-collectstatic-skipped',
    description:
      "a redeploy skips collectstatic and reuses the previous release's static folder: the new release has no collected files of its own, and its changed bootstrap.min.css is never served",
  },
  // Caught by the deploy spec's default DEPLOY_GAP_BUDGET_MS (8 s), which it once passed unset.
  {
    name: 'deploy-outage',
    description:
      'a redeployed release answers 500 to everything for its first 15 s (it serves before it is ready): the site is down during every deploy',
  },
  // What an item's text becomes on the way to the page (issue 24, item 16): the list matchers
  // name the kind of difference.
  {
    name: 'item-escaped-twice',
    description:
      'item text is HTML-escaped twice (escaped before a template that escapes again): "<b>" shows as "&lt;b&gt;"',
  },
  {
    name: 'item-text-ascii-only',
    description:
      'item text loses every non-ASCII character on its way to the database (an ASCII connection charset): accents and emoji gone',
  },
  // The deploy process, deeper (issue 25): the data a migration must carry, and the rollback.
  {
    name: 'unique-without-data-migration',
    description:
      "the first release predates the unique item constraint (duplicate items allowed); the next one's migration adds it with no data migration: migrate fails on the duplicates and the deploy stops",
  },
  {
    name: 'rollback-not-switched',
    description:
      'the rollback command restarts the live release instead of switching back to the previous one',
  },
  {
    name: 'rollback-restores-snapshot',
    description:
      'the rollback restores the database snapshot taken before the deploy: every list and item written since is lost',
  },
  {
    name: 'rollback-loses-secret-key',
    description:
      'the rolled-back release starts with a fresh SECRET_KEY (its env was not kept): every session is void',
  },
] as const satisfies readonly { name: string; description: string }[];

export type FaultName = (typeof FAULTS)[number]['name'];

/** Faults a deploy ships: a site's first release never has them, every redeployed one does. */
export const SHIPPED_BY_A_REDEPLOY: ReadonlySet<FaultName> = new Set([
  'database-not-kept',
  'deploy-css-truncated',
  'deploy-layout-moved',
  'deploy-outage',
  'deploy-input-renamed',
  'deploy-static-previous-folder',
  'deploy-collectstatic-skipped',
]);

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

/**
 * Faults that act on a release, its start or its deploy, not on one request: a site serves them
 * on its main port only (SUPERLISTS_FAULT), never on a fault port (SUPERLISTS_FAULT_PORTS).
 */
const NOT_PER_REQUEST: ReadonlySet<FaultName> = new Set([
  ...SHIPPED_BY_A_REDEPLOY,
  'secret-regenerated-on-deploy',
  'unique-without-data-migration',
  'rollback-not-switched',
  'rollback-restores-snapshot',
  'rollback-loses-secret-key',
]);

/**
 * Parses SUPERLISTS_FAULT_PORTS, `8101=css-empty;8102=wrong-title,js-error`: extra ports the site
 * listens on, each serving every request with its own faults (and the main port's none of them),
 * so that one site and one database serve many faults at once (`npm run faults`). Throws on a bad
 * port, an unknown name, or a fault that acts on a release rather than a request.
 */
export function parseFaultPorts(
  value: string | undefined,
): ReadonlyMap<number, ReadonlySet<FaultName>> {
  const ports = new Map<number, ReadonlySet<FaultName>>();
  for (const entry of (value ?? '').split(';')) {
    if (entry.trim() === '') continue;
    const [portText = '', names = ''] = entry.split('=');
    const port = Number(portText.trim());
    if (!/^\d+$/.test(portText.trim()) || port < 1 || port > 65535 || ports.has(port)) {
      throw new Error(`SUPERLISTS_FAULT_PORTS: '${entry}' does not start with a new port number`);
    }
    const faults = parseFaults(names);
    const whole = [...faults].filter((name) => NOT_PER_REQUEST.has(name));
    if (whole.length) {
      throw new Error(
        `SUPERLISTS_FAULT_PORTS: ${whole.join(', ')} act(s) on a release, not a request: use SUPERLISTS_FAULT`,
      );
    }
    ports.set(port, faults);
  }
  return ports;
}

let active: ReadonlySet<FaultName> = new Set();
let byPort: ReadonlyMap<number, ReadonlySet<FaultName>> = new Map();
/** The faults of the request being served, when it came in on a fault port. */
const ofRequest = new AsyncLocalStorage<ReadonlySet<FaultName>>();

/**
 * Sets the faults that hasFault() reports (buildApp calls it with the settings' faults): `faults`
 * on the main port, and on each fault port its own.
 */
export function activateFaults(
  faults: Iterable<FaultName>,
  ports: ReadonlyMap<number, ReadonlySet<FaultName>> = new Map(),
): void {
  active = new Set(faults);
  byPort = ports;
}

/**
 * Called by the app's first hooks with the port a request came in on: from here on, in this
 * request's async context, hasFault() answers for that port. Every request enters its own port's
 * faults before any code of the site runs for it, and outside a request hasFault() answers for
 * the main port.
 */
export function enterFaultsOfPort(port: number | undefined): void {
  ofRequest.enterWith((port !== undefined && byPort.get(port)) || active);
}

export function hasFault(name: FaultName): boolean {
  return (ofRequest.getStore() ?? active).has(name);
}
