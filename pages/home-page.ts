import { expect } from '@playwright/test';
import { HEADINGS, LIST_PATH } from './contract.ts';
import { ListPage } from './list-page.ts';
import { gotoUntilClean } from './navigation.ts';
import { step } from './steps.ts';
import { SuperlistsPage } from './superlists-page.ts';

/** The home page, `/`: where a visitor starts a new list. */
export class HomePage extends SuperlistsPage {
  /** Opens `/` and waits for its heading. */
  @step('open the home page')
  async open(): Promise<this> {
    await gotoUntilClean(this.page, this.hiccups, '/');
    await expect(this.heading).toHaveText(HEADINGS.home);
    return this;
  }

  /** Starts a new list with its first item and returns that list's page once it shows the item. */
  @step((firstItem: string) => `start a list with ${JSON.stringify(firstItem)}`)
  async startList(firstItem: string): Promise<ListPage> {
    await this.submitItem(firstItem);
    await expect(this.page).toHaveURL(LIST_PATH);
    const list = new ListPage(this.page, this.hiccups);
    await expect(list.heading).toHaveText(HEADINGS.list);
    await list.expectFirstItem(firstItem);
    return list;
  }
}
