import { expect, type Page } from '@playwright/test';
import { HEADINGS, LIST_PATH } from './contract.ts';
import { ListPage } from './list-page.ts';
import { step } from './steps.ts';
import { SuperlistsPage } from './superlists-page.ts';

/** The home page, `/`: where a visitor starts a new list. */
export class HomePage extends SuperlistsPage {
  constructor(page: Page) {
    super(page);
  }

  /** Opens `/` and waits for its heading. */
  open(): Promise<this> {
    return step('open the home page', async () => {
      await this.page.goto('/');
      await expect(this.heading).toHaveText(HEADINGS.home);
      return this;
    });
  }

  /** Starts a new list with its first item and returns that list's page once it shows the item. */
  startList(firstItem: string): Promise<ListPage> {
    return step(`start a list with ${JSON.stringify(firstItem)}`, async () => {
      await this.submitItem(firstItem);
      await expect(this.page).toHaveURL(LIST_PATH);
      const list = new ListPage(this.page);
      await expect(list.heading).toHaveText(HEADINGS.list);
      await list.expectFirstItem(firstItem);
      return list;
    });
  }
}
