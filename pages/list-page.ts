import { expect, type Locator, type Page } from '@playwright/test';
import { ACCOUNTS, HEADINGS, listIdOf } from './contract.ts';
import { submitForm } from './forms.ts';
import { type Hiccups, gotoUntilClean } from './navigation.ts';
import { step } from './steps.ts';
import { SuperlistsPage } from './superlists-page.ts';

/** A to-do list at `/lists/<id>/`. */
export class ListPage extends SuperlistsPage {
  /** Stage 3: `List owner: <span id="id_list_owner">email</span>` on an owned list. */
  readonly owner: Locator;
  /** Stage 3: the share form's input (`name="sharee"`). */
  readonly shareeInput: Locator;
  /** Stage 3: the users the list is shared with (`li.list-sharee`; a sharee may show twice). */
  readonly sharees: Locator;

  constructor(page: Page, hiccups?: Hiccups) {
    super(page, hiccups);
    this.owner = page.locator('#id_list_owner');
    this.shareeInput = page.locator('input[name="sharee"]');
    this.sharees = page.locator('li.list-sharee');
  }

  /** The list's id, from its address (`/lists/<id>/`); throws when the page is not a list. */
  get id(): number {
    const id = listIdOf(this.url);
    if (id === undefined) throw new Error(`${this.url} is not a list's address (/lists/<id>/)`);
    return id;
  }

  /** Opens the list at `url` (a list's address, absolute or relative to the target). */
  @step((url: string) => `open the list ${url}`)
  async open(url: string): Promise<this> {
    await gotoUntilClean(this.page, this.hiccups, url);
    await expect(this.heading).toHaveText(HEADINGS.list);
    return this;
  }

  /** Waits until the new list shows `text` as its one row. */
  expectFirstItem(text: string): Promise<void> {
    return this.expectLastRow(1, text);
  }

  /** Adds an item through the form and waits until it shows as the list's last row. */
  @step((text: string) => `add ${JSON.stringify(text)}`)
  async addItem(text: string): Promise<void> {
    const before = await this.rows.count();
    await this.submitItem(text);
    await this.expectLastRow(before + 1, text);
  }

  /** Stage 3: shares the list with `email` (who has an account) and waits for the list again. */
  @step((email: string) => `share the list with ${email}`)
  async shareWith(email: string): Promise<void> {
    await expect(this.shareeInput).toHaveAttribute('placeholder', ACCOUNTS.shareePlaceholder);
    await this.shareeInput.fill(email);
    await submitForm(this.page, this.hiccups, () => this.shareeInput.press('Enter'));
    await expect(this.heading).toHaveText(HEADINGS.list);
  }
}
