import { expect, type Locator, type Page } from '@playwright/test';
import { SuperlistsPage } from './superlists-page.ts';

/** A to-do list at `/lists/<id>/`. */
export class ListPage extends SuperlistsPage {
  /** The list's items, one row each (`#id_list_table tr`). */
  readonly rows: Locator;

  constructor(page: Page) {
    super(page);
    this.rows = page.locator('#id_list_table tr');
  }

  /** The list's own address. */
  get url(): string {
    return this.page.url();
  }

  /** Opens the list at `url` (a list's address, absolute or relative to the target). */
  async open(url: string): Promise<this> {
    await this.page.goto(url);
    await expect(this.heading).toHaveText('Your To-Do list');
    return this;
  }

  /** Adds an item through the form and waits until it shows as the list's last row. */
  async addItem(text: string): Promise<void> {
    const before = await this.rows.count();
    await this.submitItem(text);
    await expect(this.rows).toHaveCount(before + 1);
    await expect(this.rows.last()).toHaveText(`${before + 1}: ${text}`);
  }
}
