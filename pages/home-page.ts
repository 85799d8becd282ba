import { expect, type Page } from '@playwright/test';
import { ListPage } from './list-page.ts';
import { SuperlistsPage } from './superlists-page.ts';

/** The home page, `/`: where a visitor starts a new list. */
export class HomePage extends SuperlistsPage {
  constructor(page: Page) {
    super(page);
  }

  /** Opens `/` and waits for its heading. */
  async open(): Promise<this> {
    await this.page.goto('/');
    await expect(this.heading).toHaveText('Start a new To-Do list');
    return this;
  }

  /** Starts a new list with its first item and returns that list's page once it shows the item. */
  async startList(firstItem: string): Promise<ListPage> {
    await this.submitItem(firstItem);
    await expect(this.page).toHaveURL(/\/lists\/\d+\/$/);
    const list = new ListPage(this.page);
    await expect(list.rows).toHaveText([`1: ${firstItem}`]);
    return list;
  }
}
