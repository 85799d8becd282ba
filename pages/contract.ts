/**
 * The Superlists contract (docs/contract.md is written from this file), written once: the addresses, texts
 * and formats every page object, matcher and check relies on. Nothing else spells them out.
 */

/** Every page's `<title>`. */
export const PAGE_TITLE = 'To-Do lists';

/** The h1 of each page. */
export const HEADINGS = {
  home: 'Start a new To-Do list',
  list: 'Your To-Do list',
} as const;

/** The item input's placeholder. */
export const ITEM_PLACEHOLDER = 'Enter a to-do item';

/** The form errors the site shows next to the input. */
export const ERRORS = {
  emptyItem: "You can't have an empty list item",
  duplicateItem: "You've already got this in your list",
} as const;

/** A list's address, `/lists/<id>/`, absolute or not. */
export const LIST_PATH = /\/lists\/(\d+)\/$/;

/** The id in a list's address, or undefined when `url` is not one. */
export function listIdOf(url: string): number | undefined {
  const match = LIST_PATH.exec(new URL(url, 'http://x').pathname);
  return match ? Number(match[1]) : undefined;
}

/** How the list table shows item `text` at 1-based `position`: `1: Buy peacock feathers`. */
export function rowText(position: number, text: string): string {
  return `${position}: ${text}`;
}

/** The rows a list with `items` (in creation order) shows. */
export function rowsOf(items: readonly string[]): string[] {
  return items.map((text, index) => rowText(index + 1, text));
}

/** Where a Superlists serves its static files (Django's STATIC_URL). */
export const STATIC_PREFIX = '/static/';

/**
 * Whether `body` is a page of the site (its title or a heading of its own), as opposed to an
 * error page: for answers that must never be one (a foreign Host, a missing static file).
 */
export function isSitePage(body: string): boolean {
  return (
    new RegExp(`<title>\\s*${PAGE_TITLE}\\s*</title>`, 'i').test(body) ||
    Object.values(HEADINGS).some((heading) => body.includes(heading)) ||
    /\bid=["']?id_text\b/.test(body)
  );
}

/** Stage 3: accounts, My lists, sharing (not every target has it). */
export const ACCOUNTS = {
  brand: 'Superlists',
  emailPlaceholder: 'your@email.com',
  sentFlash: "Check your email, we've sent you a link you can use to log in.",
  invalidLinkFlash: 'Invalid login link, please request a new one',
  myListsLink: 'My lists',
  myListsHeading: 'My Lists',
  sharedHeading: 'Lists shared by other users',
  shareePlaceholder: 'your-friend@example.com',
  mail: {
    subject: 'Your login link for Superlists',
    from: 'noreply@superlists',
    intro: 'Use this link to log in:',
  },
} as const;

/** `Logged in as <email>`, as the navbar says it. */
export function loggedInAs(email: string): string {
  return `Logged in as ${email}`;
}

/** `<email>'s lists`, the h2 above a user's own lists. */
export function ownListsHeading(email: string): string {
  return `${email}'s lists`;
}

/** The path of `email`'s My lists page. */
export function myListsPath(email: string): string {
  return `/lists/users/${email}/`;
}

/** The login link in a login mail: an absolute `/accounts/login?token=` URL, or undefined. */
export function loginLinkIn(text: string): URL | undefined {
  const match = /\bhttps?:\/\/\S+\/accounts\/login\?token=[\w-]+/.exec(text);
  return match ? new URL(match[0]) : undefined;
}
