import { expect, type Locator, type Page } from '@playwright/test';
import { ACCOUNTS, myListsPath, ownListsHeading } from './contract.ts';
import { type Hiccups, NO_RETRIES, gotoUntilClean } from './navigation.ts';

/** `/lists/users/<email>/`: the lists a user owns, and the lists others shared with them. */
export class MyListsPage {
  readonly heading: Locator;

  constructor(
    readonly page: Page,
    readonly email: string,
    readonly hiccups: Hiccups = NO_RETRIES,
  ) {
    this.heading = page.getByRole('heading', { level: 1 });
  }

  /** Opens the page of `this.email` and waits for its heading. */
  async open(): Promise<this> {
    await gotoUntilClean(this.page, this.hiccups, myListsPath(this.email));
    await expect(this.heading).toHaveText(ACCOUNTS.myListsHeading);
    return this;
  }

  /**
   * The texts of the links that follow the h2 reading `heading`, up to the next h2, in document
   * order (the contract names the headings, not the markup around the links).
   */
  private linksUnder(heading: string): Promise<string[]> {
    return this.page.evaluate((wanted) => {
      const headings = [...document.querySelectorAll('h2')];
      const start = headings.find((h) => h.textContent?.trim() === wanted);
      if (!start) return [];
      const end = headings[headings.indexOf(start) + 1];
      return [...document.querySelectorAll('a')]
        .filter(
          (a) =>
            start.compareDocumentPosition(a) & Node.DOCUMENT_POSITION_FOLLOWING &&
            (!end || end.compareDocumentPosition(a) & Node.DOCUMENT_POSITION_PRECEDING),
        )
        .map((a) => a.textContent?.trim() ?? '');
    }, heading);
  }

  /** The texts of the links to the user's own lists (each reads as the list's first item). */
  ownLists(): Promise<string[]> {
    return this.linksUnder(ownListsHeading(this.email));
  }

  /** The texts of the links to lists other users shared with this user. */
  sharedLists(): Promise<string[]> {
    return this.linksUnder(ACCOUNTS.sharedHeading);
  }
}
