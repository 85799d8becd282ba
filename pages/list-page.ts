import { expect, type Page } from '@playwright/test';
import { HEADINGS, listIdOf } from './contract.ts';
import { step } from './steps.ts';
import { SuperlistsPage } from './superlists-page.ts';

/** A to-do list at `/lists/<id>/`. */
export class ListPage extends SuperlistsPage {
  constructor(page: Page) {
    super(page);
  }

  /** The list's id, from its address (`/lists/<id>/`); throws when the page is not a list. */
  get id(): number {
    const id = listIdOf(this.url);
    if (id === undefined) throw new Error(`${this.url} is not a list's address (/lists/<id>/)`);
    return id;
  }

  /** Opens the list at `url` (a list's address, absolute or relative to the target). */
  open(url: string): Promise<this> {
    return step(`open the list ${url}`, async () => {
      await this.page.goto(url);
      await expect(this.heading).toHaveText(HEADINGS.list);
      return this;
    });
  }

  /** Waits until the new list shows `text` as its one row. */
  expectFirstItem(text: string): Promise<void> {
    return this.expectLastRow(1, text);
  }

  /** Adds an item through the form and waits until it shows as the list's last row. */
  addItem(text: string): Promise<void> {
    return step(`add ${JSON.stringify(text)}`, async () => {
      const before = await this.rows.count();
      await this.submitItem(text);
      await this.expectLastRow(before + 1, text);
    });
  }
}
